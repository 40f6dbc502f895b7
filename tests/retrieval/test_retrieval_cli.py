"""The commands: `samantha search`, `samantha corpus add|list`, `samantha eval`, and `samantha ask --json`
for a film question. Each runs as a real subprocess over a copy of the session's index."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SAMANTHA_", "OPENAI_"))}
    environment["SAMANTHA_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "samantha", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def index_state(home: Path) -> list[tuple[str, str, int]]:
    conn = sqlite3.connect(home / "corpus.db")
    try:
        return conn.execute("SELECT source, sha256, passages FROM documents ORDER BY source").fetchall()
    finally:
        conn.close()


def test_search_json_lists_ranked_passages(indexed_home: Path):
    result = run("search", "Who directed the film Her?", "-k", "3", "--json", home=indexed_home)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [item["rank"] for item in found] == [1, 2, 3]
    assert set(found[0]) == {"rank", "source", "title", "text", "text_en", "score"}
    assert found[0]["source"].endswith(".txt") and isinstance(found[0]["score"], float)
    assert "스파이크 존즈" in found[0]["text"]  # the original
    assert "Spike Jonze" in found[0]["text_en"]  # the aligned translation beside it
    assert found[0]["title"].startswith("Review ")


@pytest.mark.parametrize("query", ["", "   ", "x" * 100_000], ids=["empty", "blank", "100KB"])
def test_bad_queries_are_one_sentence_and_a_non_zero_exit(indexed_home: Path, query: str):
    before = index_state(indexed_home)
    result = run("search", query, home=indexed_home)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert index_state(indexed_home) == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x00\x01\x02binary", "blob.txt", "binary"),
        ("\ud55c".encode("cp949", "ignore") + b"\xff\xfe", "bad.md", "UTF-8"),
    ],
)
def test_corpus_add_refuses_bad_files_and_keeps_the_index(indexed_home, tmp_path, content, name, message):
    before = index_state(indexed_home)
    path = tmp_path / name
    path.write_bytes(content)
    result = run("corpus", "add", str(path), home=indexed_home)
    assert result.returncode != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert index_state(indexed_home) == before


@pytest.mark.slow
def test_corpus_add_then_list(indexed_home: Path, tmp_path: Path):
    note = tmp_path / "notes.md"
    note.write_text("# Notes on Her\n\nTheodore writes letters for other people at work.\n", encoding="utf-8")
    added = run("corpus", "add", str(note), home=indexed_home)
    assert added.returncode == 0, added.stderr
    listed = json.loads(run("corpus", "list", "--json", home=indexed_home).stdout)
    assert {d["source"]: d["origin"] for d in listed}["notes.md"] == "user"
    assert len(listed) == 6


@pytest.mark.slow
def test_eval_json_reports_each_language(indexed_home: Path):
    result = run("eval", "--set", "dev", "--json", home=indexed_home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    langs = {r["lang"]: r for r in report["languages"]}
    assert set(langs) == {"en", "ko"}
    for r in langs.values():
        assert {"recall@1", "recall@3", "recall@5", "mrr", "unanswerable_marked_unsupported"} <= set(r)


@pytest.mark.slow
def test_ask_json_cites_the_director_from_the_corpus(indexed_home: Path):
    """The acceptance check, with the real built-in model."""
    result = run("ask", "--json", "Who directed the film Her?", home=indexed_home)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["supported"] is True
    assert any("스파이크 존즈" in c["text"] for c in payload["citations"])
    assert "스파이크 존즈" in payload["answer"]


@pytest.mark.slow
def test_ask_json_says_the_reviews_do_not_cover_the_composer(indexed_home: Path):
    result = run("ask", "--json", "Who composed the music?", home=indexed_home)
    payload = json.loads(result.stdout)
    assert payload["supported"] is False and payload["citations"] == []
    assert "don't cover" in payload["answer"]
