"""Shared fixtures. Every test runs with SAMANTHA_HOME in a temporary folder and no endpoint settings,
so nothing touches the user's real home, `memory/`, or a real API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from samantha.companion import Companion
from samantha.config import Settings, load_settings
from samantha.llm.scripted import ScriptedModel
from samantha.store import Store

# The fuzz tests draw the same examples on every run, so a run's verdict is the code's and not the draw's;
# `HYPOTHESIS_PROFILE=explore` draws new ones each run (do that when changing how input is handled, and
# keep what it finds as an explicit case).
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

_ENDPOINT_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SAMANTHA_CONFIG",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
)


@pytest.fixture(autouse=True)
def samantha_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import os

    for name in list(os.environ):
        if name.startswith("SAMANTHA_") or name in _ENDPOINT_VARIABLES:
            monkeypatch.delenv(name)
    home = tmp_path / "samantha-home"
    monkeypatch.setenv("SAMANTHA_HOME", str(home))
    # A server the developer runs (Ollama on 11434...) must not answer the tests; the detection tests
    # turn this back on with servers of their own.
    monkeypatch.setenv("SAMANTHA_DETECT", "false")
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    return home


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def store(samantha_home: Path) -> Iterator[Store]:
    opened = Store.open(samantha_home / "samantha.db")
    yield opened
    opened.close()


@pytest.fixture
def scripted_model() -> ScriptedModel:
    """A scripted fake model: queue replies with `enqueue`, read requests from `history`."""
    return ScriptedModel()


@pytest.fixture
def companion(settings: Settings, store: Store, scripted_model: ScriptedModel) -> Companion:
    """The core with the scripted model and no film retrieval (tests that need passages add a retriever)."""
    return Companion(settings, store, scripted_model)
