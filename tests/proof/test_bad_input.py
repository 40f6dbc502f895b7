"""Bad input: property tests (hypothesis) on the config file, the command line, the import reader and
`corpus add`. Every bad input gives a clear error (one line, no traceback) and the database is unchanged."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import string
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from support.fixtures import run_samantha

from samantha import locations
from samantha.config import Settings, load_settings
from samantha.errors import ConfigError, ImportRefused, SamanthaError, UsageError
from samantha.store import Store

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.text(
    alphabet=st.sampled_from([*string.printable, "\x00", "\x1b", "\u202e", "한", "é", "\x9b", "🙂"]),
    max_size=40,
)


def database_digest(path: Path) -> str:
    """A digest of every row of the database (not its bytes: reading may checkpoint the WAL)."""
    if not path.exists():
        return "absent"
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def seeded_database(home: Path) -> Path:
    path = home / "samantha.db"
    store = Store.open(path)
    conversation = store.create_conversation("a day at the beach").id
    store.add_message(conversation, "user", "My sister is getting married in June.")
    store.add_message(conversation, "assistant", "That's wonderful news!")
    store.add_memory("The user's sister is getting married in June.")
    store.close()
    return path


def one_clear_line(message: str) -> None:
    assert message and "\n" not in message.strip() and "Traceback" not in message, message


# The config file


CONFIG_VALUES = st.recursive(
    st.none().map(lambda _: "") | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY, inner, max_size=3),
    max_leaves=6,
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if not isinstance(value, float) or value == value else "nan"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is close enough; invalid escapes are bad input too
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from([*Settings.model_fields, "unknown_key", "ui"]) | NASTY, CONFIG_VALUES, max_size=4
    )
)
@example({"timeout": -1})
@example({"max_retries": 10**12})
@example({"backend": "quantum"})
@example({"ui": 5})
@example({"api_key": ["sk", 1]})
def test_config_file_values(samantha_home: Path, config: dict[str, Any]) -> None:
    samantha_home.mkdir(parents=True, exist_ok=True)
    text = "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in config.items())
    (samantha_home / "config.toml").write_text(text, encoding="utf-8")
    try:
        load_settings()
    except ConfigError as exc:
        one_clear_line(exc.message)
        assert exc.message.startswith(("Setting '", "The config file"))


@FUZZ
@given(st.binary(max_size=200) | NASTY.map(str.encode))
@example(b"\xff\xfe not utf-8")
@example(b"timeout = ")
@example(b"[ui\nkeymap = 3")
def test_config_file_bytes(samantha_home: Path, data: bytes) -> None:
    samantha_home.mkdir(parents=True, exist_ok=True)
    (samantha_home / "config.toml").write_bytes(data)
    try:
        load_settings()
    except ConfigError as exc:
        one_clear_line(exc.message)


@pytest.mark.slow
@pytest.mark.parametrize("config", ['timeout = "soon"', "max_retries = -3", "backend = 'x'", "[[[", "\xff"])
def test_bad_config_file_stops_samantha_ask_and_changes_nothing(samantha_home: Path, config: str) -> None:
    database = seeded_database(samantha_home)
    before = database_digest(database)
    (samantha_home / "config.toml").write_bytes(
        config.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff")
    )
    ran = run_samantha("ask", "Hello?")
    assert ran.code == 2, ran.stderr
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), ran.stderr
    assert database_digest(database) == before


# The command line


WORDS = [
    "ask", "--json", "-c", "--continue", "--conversation", "memory", "stats", "search", "list", "add",
    "forget", "--matching", "export", "--format", "-o", "import", "reset", "--conversation", "--memories",
    "chat",
    "--plain", "--incognito", "--help", "-h", "--version", "-n", "--limit", "0", "-1", "99999999999",
    "", " ", "\x00", "a" * 100_001, "nonexistent.json", "markdown", "jsonl", "--",
]  # fmt: skip


@contextmanager
def cli_run(argv: list[str]) -> Iterator[dict[str, Any]]:
    """Run `samantha ARGV` in this process through `main()`, capturing its streams and exit code."""
    from samantha.cli import main

    outcome: dict[str, Any] = {}
    runner = CliRunner()
    old_argv = sys.argv
    sys.argv = ["samantha", *argv]
    try:
        with runner.isolation(input="") as streams:
            try:
                main()
                outcome["code"] = 0
            except SystemExit as exc:
                outcome["code"] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            outcome["stdout"] = streams[0].getvalue().decode("utf-8", "replace")
            outcome["stderr"] = streams[1].getvalue().decode("utf-8", "replace")
        yield outcome
    finally:
        sys.argv = old_argv


@pytest.fixture
def offline_companion(monkeypatch: pytest.MonkeyPatch) -> None:
    """`samantha ask` in-process gets a scripted model and no retriever (fast, no real model)."""
    from samantha.companion import Companion
    from samantha.llm.scripted import ScriptedModel

    def make(**_: object) -> Companion:
        return Companion(load_settings(), Store.open(locations.database_path()), ScriptedModel())

    monkeypatch.setattr("samantha.cli.chat_cmds.make_companion", make)


@FUZZ
@given(st.lists(st.sampled_from(WORDS) | NASTY, max_size=5))
@example(["ask", ""])
@example(["ask", "\x00"])
@example(["ask", "--conversation", "nope", "hi"])
@example(["memory", "import", "nonexistent.json"])
@example(["memory", "forget", "no-such-id"])
@example(["memory", "search", ""])
@example(["bogus"])
def test_command_line(
    samantha_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    offline_companion: None,
    argv: list[str],
) -> None:
    assume("reset" not in argv or "--yes" not in argv)  # a confirmed reset is allowed to change things
    monkeypatch.chdir(tmp_path)
    database = seeded_database(samantha_home) if not (samantha_home / "samantha.db").exists() else None
    database = samantha_home / "samantha.db"
    before = database_digest(database)
    with cli_run(argv) as outcome:
        pass
    out, err, code = outcome["stdout"], outcome["stderr"], outcome["code"]
    assert "Traceback" not in out + err
    assert "something unexpected" not in err, err
    assert code in (0, 1, 2), (argv, code, err)
    if code != 0:
        errors = [line for line in err.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, (argv, err)
    if code == 2:
        assert database_digest(database) == before, argv


# The import reader


def valid_export(tmp: Path) -> dict[str, Any]:
    from samantha import transfer

    store = Store.open(tmp / "source.db")
    conversation = store.create_conversation("letters").id
    first = store.add_message(conversation, "user", "Write a letter to my wife.")
    store.add_message(conversation, "assistant", "Dear Catherine,", status="interrupted")
    store.add_memory(
        "The user writes letters for a living.", message_id=first.id, conversation_id=conversation
    )
    path = tmp / "export.json"
    transfer.export_to_path(store, path)
    store.close()
    return json.loads(path.read_text())


def mutate(data: Any, rng: random.Random, replacement: Any) -> Any:
    """`data` with one randomly chosen value (at any depth) replaced, or a key dropped."""
    if isinstance(data, dict) and data:
        key = rng.choice(sorted(data))
        if rng.random() < 0.2:
            return {k: v for k, v in data.items() if k != key}
        if rng.random() < 0.5 or not isinstance(data[key], dict | list):
            return {**data, key: replacement if rng.random() < 0.7 else mutate(data[key], rng, replacement)}
        return {**data, key: mutate(data[key], rng, replacement)}
    if isinstance(data, list) and data:
        index = rng.randrange(len(data))
        copy = list(data)
        copy[index] = mutate(data[index], rng, replacement) if rng.random() < 0.6 else replacement
        return copy
    return replacement


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY, inner, max_size=3),
    max_leaves=5,
)


@pytest.fixture(scope="module")
def export_sample() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return valid_export(Path(folder))


@FUZZ
@given(st.integers(0, 2**32), JSONISH)
def test_import_of_mutated_exports(
    samantha_home: Path,
    tmp_path_factory: pytest.TempPathFactory,
    export_sample: dict[str, Any],
    seed: int,
    value: Any,
) -> None:
    from samantha import transfer

    database = seeded_database(samantha_home) if not (samantha_home / "samantha.db").exists() else None
    database = samantha_home / "samantha.db"
    path = tmp_path_factory.mktemp("import") / "mutated.json"
    path.write_text(json.dumps(mutate(export_sample, random.Random(seed), value)), encoding="utf-8")
    before = database_digest(database)
    store = Store.open(database)
    try:
        transfer.import_file(store, path)
    except ImportRefused as exc:
        one_clear_line(exc.message)
        assert exc.message.startswith("Import refused")
        store.close()
        assert database_digest(database) == before
    else:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        store.close()


@FUZZ
@given(st.binary(max_size=300) | NASTY.map(str.encode))
@example(b'{"format": "samantha-export", "version": 1}')
@example(b'{"format": "samantha-export", "version": 999, "tables": {}}')
@example(b"[]")
@example(b"\xef\xbb\xbf{}")
def test_import_of_arbitrary_bytes(
    samantha_home: Path, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    from samantha import transfer

    database = samantha_home / "samantha.db"
    if not database.exists():
        seeded_database(samantha_home)
    path = tmp_path_factory.mktemp("import") / "junk.json"
    path.write_bytes(data)
    before = database_digest(database)
    store = Store.open(database)
    try:
        with pytest.raises(ImportRefused) as refused:
            transfer.import_file(store, path)
    finally:
        store.close()
    one_clear_line(refused.value.message)
    assert database_digest(database) == before


# corpus add


@pytest.fixture(scope="module")
def empty_corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An index with no shipped reviews (so it builds fast); user files are added to it."""
    from samantha.retrieval.index import CorpusIndex

    folder = tmp_path_factory.mktemp("corpus")
    (folder / "reviews").mkdir()
    index = CorpusIndex(folder / "corpus.db", corpus_dir=folder / "reviews")
    index.sync()
    yield index
    index.close()


def index_digest(index: Any) -> str:
    return hashlib.sha256("\n".join(index.conn.iterdump()).encode()).hexdigest()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(
        ["notes.txt", "notes.md", "notes.pdf", "NOTES.TXT", "000_7b0c1eb610d63dbc.txt", "x"]
    ),
    data=st.binary(max_size=400)
    | NASTY.map(str.encode)
    | st.sampled_from([b"", b"   \n\t", b"\x00\x01binary", "테오도르는 편지를 쓴다. ".encode() * 3]),
)
def test_corpus_add(
    empty_corpus_index: Any, tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("add") / name
    path.write_bytes(data)
    before = index_digest(empty_corpus_index)
    try:
        info, _changed = empty_corpus_index.add_file(path)
    except UsageError as exc:
        one_clear_line(exc.message)
        assert index_digest(empty_corpus_index) == before
    else:
        assert info.source == name
        empty_corpus_index.remove(name)


def test_samantha_error_messages_are_single_lines() -> None:
    # Guard for the checks above: the base class keeps the one-sentence message as given.
    assert SamanthaError("One sentence.").message == "One sentence."
    assert click.__name__ == "click"
