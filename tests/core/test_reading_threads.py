"""How many threads the built-in model reads a prompt with: every core when one is spare, else as many
as write, and what the user set when they set it. No model is loaded (the weights are only checked)."""

from __future__ import annotations

import os

import pytest

from samantha.llm.embedded import EmbeddedModel


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def load(monkeypatch: pytest.MonkeyPatch, average: float) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (average, average, average))


def test_an_idle_machine_reads_on_every_core_and_writes_on_half(two_cores, monkeypatch):
    model = EmbeddedModel()
    load(monkeypatch, 0.4)
    assert (model.threads, model.reading_threads()) == (1, 2)


def test_a_machine_with_another_program_on_a_core_reads_on_the_writers_threads(two_cores, monkeypatch):
    model = EmbeddedModel()
    load(monkeypatch, 1.9)
    assert model.reading_threads() == 1


def test_threads_the_user_set_are_used_whatever_the_load(two_cores, monkeypatch):
    model = EmbeddedModel(threads=1)
    load(monkeypatch, 0.0)
    assert model.reading_threads() == 1


def test_without_a_load_average_the_writers_threads_read(two_cores, monkeypatch):
    def unavailable() -> tuple[float, float, float]:
        raise OSError("no load average here")

    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert EmbeddedModel().reading_threads() == 1
