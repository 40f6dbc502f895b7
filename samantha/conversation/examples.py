"""The router's last resort: the kind of the labelled messages nearest in meaning.

Rules (`route.py`) decide what they can explain; a message they leave open ("where is it set",
"편지 쓰는 회사 나와?", "오늘 어땠어?") is compared with the tuning set's labelled messages by the same
multilingual sentence encoder that recalls memories by meaning, and takes the kind the nearest ones vote
for. Only the tuning set (`route_dev.jsonl`) is used, never the held-apart one. Its vectors are computed
once per process (about 900 short messages: well under a second on an idle machine, after the encoder
has loaded) and a message costs one encoding and a matrix product.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import numpy as np

from samantha.conversation.route import Kind, load_set

#: How many labelled messages vote, and how much a closer one counts (weight e^(SHARPNESS x cosine)): a
#: near paraphrase outvotes several loose matches. Chosen on the tuning set only (a fresh tuning batch
#: kept out of the vectors, then each message left out in turn: k 1-11, weights cosine or exponential).
NEIGHBOURS = 5
SHARPNESS = 20.0

Encoder = Callable[[list[str]], np.ndarray]


def _sentence_encoder(texts: list[str]) -> np.ndarray:
    from samantha.retrieval.nlp import encode

    return encode(texts)


class NearestExamples:
    """Kinds of the tuning set's messages nearest in meaning to a message, best vote first."""

    def __init__(self, encode: Encoder = _sentence_encoder, set_name: str = "dev") -> None:
        self._encode = encode
        self._set_name = set_name
        self._lock = threading.Lock()
        self._vectors: np.ndarray | None = None
        self._kinds: list[Kind] = []

    def _load(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                labelled = load_set(self._set_name)
                self._kinds = [item.kind for item in labelled]
                self._vectors = self._encode([item.text for item in labelled])
            return self._vectors

    def votes(self, text: str) -> list[tuple[Kind, float]]:
        vectors = self._load()
        similarities = vectors @ self._encode([text])[0]
        nearest = np.argsort(-similarities)[:NEIGHBOURS]
        totals: dict[Kind, float] = {}
        for i in nearest:
            weight = float(np.exp(SHARPNESS * (similarities[i] - 1.0)))
            totals[self._kinds[i]] = totals.get(self._kinds[i], 0.0) + weight
        return sorted(totals.items(), key=lambda item: -item[1])

    def __call__(self, text: str) -> list[Kind]:
        return [kind for kind, _ in self.votes(text)]


@functools.cache
def nearest_examples() -> NearestExamples:
    """The process's one instance (its vectors are computed on first use)."""
    return NearestExamples()
