"""The persona is data: every trait cites the review it comes from, and comments never reach the model."""

from __future__ import annotations

import re

import pytest

from samantha import locations
from samantha.errors import ConfigError
from samantha.prompt_files import load_prompt, prompt_path

SOURCE_NOTE = re.compile(r"<!--\s*(.*?)-->", re.DOTALL)
QUOTE = re.compile(r'(\d{3}_[0-9a-f]{16}\.txt): "([^"]+)"')


def test_persona_has_no_comments_and_names_her():
    text = load_prompt("samantha")
    assert "<!--" not in text and "-->" not in text
    assert "Samantha" in text
    assert "AI" in text


def test_every_trait_notes_a_review_and_the_quote_is_really_there():
    raw = prompt_path("samantha").read_text(encoding="utf-8")
    traits = [line for line in raw.splitlines() if line.startswith("- You ")]
    assert len(traits) >= 8
    corpus = {p.name: p.read_text(encoding="utf-8") for p in locations.corpus_dir().glob("*.txt")}
    for trait in traits:
        notes = SOURCE_NOTE.findall(trait)
        assert notes, f"trait without a source: {trait}"
        quotes = QUOTE.findall(notes[0])
        assert quotes, f"trait source names no review: {trait}"
        for source, quote in quotes:
            flattened = " ".join(corpus[source].split())
            assert quote in flattened, f"{quote!r} is not in {source}"


def test_a_user_persona_file_replaces_hers(tmp_path):
    mine = tmp_path / "mine.md"
    mine.write_text("<!-- my notes -->\nYou are Sam, terse and kind.\n", encoding="utf-8")
    assert load_prompt(str(mine)) == "You are Sam, terse and kind."


def test_missing_or_empty_persona_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_prompt("no-such-persona")
    empty = tmp_path / "empty.md"
    empty.write_text("<!-- only a comment -->", encoding="utf-8")
    with pytest.raises(ConfigError, match="empty"):
        load_prompt(str(empty))
