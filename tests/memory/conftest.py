"""Fixtures for the memory tests: a database path, a fixed "today", and a snapshot of a database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fixtures import openai_server  # noqa: F401 (a fixture for the tests here)

from samantha.store import Store


@pytest.fixture
def db_path(samantha_home: Path) -> Path:
    return samantha_home / "samantha.db"


def _snapshot(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def snapshot() -> Callable[[Path], list[str]]:
    """Every statement needed to rebuild a database (schema, rows, search indexes), to compare states."""
    return _snapshot


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[[str], Store]:
    opened: list[Store] = []

    def make(name: str = "other.db") -> Store:
        store = Store.open(tmp_path / name)
        opened.append(store)
        return store

    yield make  # type: ignore[misc]
    for store in opened:
        store.close()
