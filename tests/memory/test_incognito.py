"""Incognito writes nothing at all, while recall still reads what earlier sessions left.

Uses the scripted fake model; film retrieval is switched off so no embedding model loads.
"""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

import samantha.llm
from samantha import runtime
from samantha.cli import cli
from samantha.config import load_settings
from samantha.llm.scripted import ScriptedModel
from samantha.store import Store


def fingerprint(home):
    """Every file in the home with a hash of its bytes.

    The -shm index is shared memory, not data; a read-only SQLite connection to a WAL database may
    leave an empty -wal file behind (it cannot delete it), which holds no data either.
    """
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.glob("*"))
        if path.is_file()
        and not path.name.endswith("-shm")
        and not (path.name.endswith("-wal") and path.stat().st_size == 0)
    }


@pytest.fixture(autouse=True)
def no_film_retrieval(monkeypatch):
    monkeypatch.setattr(runtime, "create_retriever", lambda: None)


@pytest.fixture
def remembered(settings, samantha_home, snapshot):
    """A real database where an earlier session told Samantha the user's name."""
    model = ScriptedModel("Nice to meet you, Theodore.")
    companion = runtime.build_companion(settings, model=model)
    companion.turn(companion.new_conversation(), "My name is Theodore. I write letters for a living.").run()
    companion.store.close()
    return samantha_home / "samantha.db"


def test_an_incognito_turn_writes_nothing_but_remembers(settings, samantha_home, remembered, snapshot):
    before, files = snapshot(remembered), fingerprint(samantha_home)
    model = ScriptedModel("Of course I remember you.")
    companion = runtime.build_companion(settings, model=model, incognito=True)
    conversation = companion.new_conversation()
    result = companion.turn(
        conversation, "Do you remember my name? My sister is Catherine, I live in LA."
    ).run()
    assert result.answer == "Of course I remember you."
    assert "The user's name is Theodore." in model.history[-1][0]["content"]
    # Within the incognito session the conversation exists (in memory) and even its facts are recalled.
    assert companion.store.path is None and companion.store.count_messages() == 2
    model.enqueue("You live in LA.")
    companion.turn(companion.new_conversation(), "where do I live again").run()
    assert "The user lives in LA." in model.history[-1][0]["content"]
    companion.recall.archive.close()
    assert snapshot(remembered) == before
    assert fingerprint(samantha_home) == files


def test_incognito_with_no_database_creates_none(settings, samantha_home):
    companion = runtime.build_companion(settings, model=ScriptedModel("hi"), incognito=True)
    companion.turn(companion.new_conversation(), "hello there").run()
    assert not (samantha_home / "samantha.db").exists()


def test_the_incognito_setting_is_honoured(samantha_home, monkeypatch):
    monkeypatch.setenv("SAMANTHA_INCOGNITO", "1")
    companion = runtime.build_companion(load_settings(), model=ScriptedModel("hi"))
    companion.turn(companion.new_conversation(), "hello there").run()
    assert not (samantha_home / "samantha.db").exists()


@pytest.mark.parametrize("args", [["ask", "--incognito", "Who am I?"], ["--incognito", "ask", "Who am I?"]])
def test_ask_incognito_from_the_command_line(args, samantha_home, remembered, snapshot, monkeypatch):
    model = ScriptedModel("You are Theodore.")
    monkeypatch.setattr(samantha.llm, "create_model", lambda settings: model)  # what the CLI calls
    before, files = snapshot(remembered), fingerprint(samantha_home)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "You are Theodore." in result.output
    assert "Theodore" in model.history[-1][0]["content"]
    assert snapshot(remembered) == before
    assert fingerprint(samantha_home) == files


def test_a_normal_ask_does_write(samantha_home, remembered, monkeypatch):
    monkeypatch.setattr(samantha.llm, "create_model", lambda settings: ScriptedModel("Hello."))
    assert CliRunner().invoke(cli, ["ask", "hello"]).exit_code == 0
    store = Store.open(remembered)
    assert store.count_messages() == 4
    store.close()
