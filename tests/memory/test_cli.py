"""`samantha memory ...` through click's CliRunner, and a few bad inputs through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.errors import ImportRefused, UsageError
from samantha.store import Store


def memory(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["memory", *args], input=input)


@pytest.fixture
def filled(db_path):
    store = Store.open(db_path)
    conversation = store.create_conversation("wedding plans")
    told = store.add_message(conversation.id, "user", "My sister Amy is getting married in Busan")
    store.add_message(conversation.id, "assistant", "How exciting! 축하해요")
    store.add_memory(
        "The user's sister Amy is getting married.", message_id=told.id, conversation_id=conversation.id
    )
    other = store.create_conversation("tea")
    store.add_message(other.id, "user", "나는 녹차를 정말 좋아해")
    store.close()
    return {"conversation": conversation.id, "other": other.id}


def stats() -> dict:
    result = memory("stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_stats_json_keys(filled):
    counts = stats()
    assert set(counts) == {"conversations", "messages", "memories", "summaries", "bytes"}
    assert (counts["conversations"], counts["messages"], counts["memories"], counts["summaries"]) == (
        2,
        3,
        1,
        0,
    )
    assert counts["bytes"] > 0
    assert "messages" in memory("stats").output


def test_search(filled):
    found = json.loads(memory("search", "Amy", "--json").output)
    assert [m["content"] for m in found["memories"]] == ["The user's sister Amy is getting married."]
    assert [m["conversation_id"] for m in found["messages"]] == [filled["conversation"]]
    assert found["messages"][0]["created_at"]
    korean = json.loads(memory("search", "녹차", "--json").output)
    assert [m["conversation_id"] for m in korean["messages"]] == [filled["other"]]
    text = memory("search", "sister").output
    assert "memory" in text and filled["conversation"] in text
    assert memory("search", "zebra").output.strip() == "Nothing matches."
    assert isinstance(memory("search", "  ").exception, UsageError)


def test_add_list_forget(filled):
    added = memory("add", "I am allergic to peanuts")
    assert added.exit_code == 0 and "Remembered" in added.output
    listed = memory("list").output
    assert "allergic" in listed and "added by hand" in listed and 'from "My sister Amy' in listed
    items = json.loads(memory("list", "--json").output)
    assert items[0]["content"] == "I am allergic to peanuts" and items[1]["source_text"].startswith(
        "My sister"
    )
    forgot = memory("forget", items[0]["id"])
    assert forgot.exit_code == 0 and "Forgot" in forgot.output
    assert memory("forget", "--matching", "Amy").exit_code == 0
    assert stats()["memories"] == 0
    assert "nothing was forgotten" in memory("forget", "--matching", "Amy").output
    assert isinstance(memory("forget", "no-such-id").exception, UsageError)
    assert isinstance(memory("forget").exception, UsageError)


def test_export_to_stdout_and_import_back(filled, tmp_path):
    exported = memory("export")
    assert exported.exit_code == 0
    document = json.loads(exported.stdout_bytes.decode("utf-8"))
    assert document["schema_version"] == 2 and len(document["messages"]) == 3
    assert "축하해요" in exported.stdout_bytes.decode("utf-8")
    path = tmp_path / "all.jsonl"
    assert memory("export", "--format", "jsonl", "-o", str(path)).exit_code == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "# Samantha" in memory("export", "--format", "markdown").output
    assert memory("reset", "--all", "--yes").exit_code == 0
    assert stats()["messages"] == 0
    imported = memory("import", str(path))
    assert imported.exit_code == 0 and "3 messages" in imported.output
    again = memory("import", str(path))
    assert "0 messages" in again.output and "already here" in again.output
    assert stats()["messages"] == 3


def test_import_refusal(filled, tmp_path, snapshot, db_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"format": "samantha-export", "schema_version": 7}')
    before = snapshot(db_path)
    result = memory("import", str(bad))
    assert isinstance(result.exception, ImportRefused) and "newer Samantha" in result.exception.message
    assert snapshot(db_path) == before


def test_reset_asks_first(filled):
    declined = memory("reset", "--all", input="n\n")
    assert declined.exit_code == 1 and "Nothing was deleted" in declined.output
    assert memory("reset", "--all").exit_code == 1  # no answer at all
    assert stats()["messages"] == 3
    accepted = memory("reset", "--memories", input="y\n")
    assert accepted.exit_code == 0
    assert stats()["memories"] == 0 and stats()["messages"] == 3


def test_reset_one_conversation(filled):
    assert memory("reset", "--conversation", filled["conversation"], "--yes").exit_code == 0
    counts = stats()
    assert (counts["conversations"], counts["messages"], counts["memories"]) == (1, 1, 0)
    assert isinstance(memory("reset", "--conversation", "nope", "--yes").exception, UsageError)


def test_reset_all_leaves_a_working_database(filled):
    assert memory("reset", "--all", "--yes").exit_code == 0
    assert stats() == {**stats(), "conversations": 0, "messages": 0, "memories": 0, "summaries": 0}
    assert memory("add", "a fresh start").exit_code == 0
    assert json.loads(memory("search", "fresh", "--json").output)["memories"]


def test_reset_needs_exactly_one_choice(filled):
    assert isinstance(memory("reset", "--yes").exception, UsageError)
    assert isinstance(memory("reset", "--all", "--memories", "--yes").exception, UsageError)
    assert stats()["messages"] == 3


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("import", "{missing}"), "does not exist"),
        (("import", "{garbage}"), "not UTF-8"),
        (("reset", "--yes"), "Say what to reset"),
        (("forget", "nope"), "No memory has the id nope."),
    ],
)
def test_bad_input_is_one_sentence_no_traceback_and_no_change(
    filled, db_path, tmp_path, snapshot, args, expected
):
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\xff\xfe\x00junk")
    args = tuple(a.format(missing=tmp_path / "missing.json", garbage=garbage) for a in args)
    before = snapshot(db_path)
    environment = {k: v for k, v in os.environ.items() if k != "SAMANTHA_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-m", "samantha", "memory", *args], capture_output=True, text=True, env=environment
    )
    assert done.returncode == 2
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert snapshot(db_path) == before


def test_export_to_a_terminal_shows_escape_sequences_as_text():
    import io

    from samantha.cli.memory_cmds import _TerminalSafe

    out = io.StringIO()
    _TerminalSafe(out).write("hi \x1b[2J\x9b there")
    assert out.getvalue() == "hi ␛[2J\\x9b there"
