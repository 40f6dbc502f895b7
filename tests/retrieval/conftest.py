"""Retrieval fixtures: the shipped reviews are indexed once per test session (real Kiwi, real sentence
encoder, both local) and each test gets a retriever over that index or a copy of it in its own home."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from samantha.retrieval.hybrid import HybridRetriever
from samantha.retrieval.index import CorpusIndex


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of a corpus index built once from the shipped reviews."""
    path = tmp_path_factory.mktemp("corpus-index") / "corpus.db"
    index = CorpusIndex(path)
    index.sync()
    index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    index.close()
    return path


@pytest.fixture(scope="session")
def session_retriever(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> HybridRetriever:
    """A read-only retriever shared by the tests that only search (do not add files through it)."""
    copy = tmp_path_factory.mktemp("corpus-shared") / "corpus.db"
    shutil.copy(built_index, copy)
    retriever = HybridRetriever(CorpusIndex(copy))
    retriever.corpus()
    return retriever


@pytest.fixture
def retriever(session_retriever: HybridRetriever) -> HybridRetriever:
    return session_retriever


@pytest.fixture
def indexed_home(samantha_home: Path, built_index: Path) -> Path:
    """This test's SAMANTHA_HOME with a copy of the built index in it (as after a first run)."""
    samantha_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(built_index, samantha_home / "corpus.db")
    return samantha_home


@pytest.fixture
def own_index(indexed_home: Path) -> Iterator[CorpusIndex]:
    """A writable index in this test's home (for adding and refusing files)."""
    index = CorpusIndex(indexed_home / "corpus.db")
    yield index
    index.close()
