"""Shaping a small model's stream: at most three clean sentences, ending at a sentence end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from samantha.conversation.shape import Shaper, compact_persona, repeats
from samantha.prompt_files import load_prompt
from samantha.tokens import count_tokens


def pieces(text: str) -> Iterator[str]:
    for i in range(0, len(text), 3):  # awkward three-character pieces, like a tokenizer's
        yield text[i : i + 3]


def shaped(text: str, **options: object) -> str:
    return "".join(Shaper(**options).shape(pieces(text)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("One. Two! Three? Four. Five.", "One. Two! Three?"),
        ("I hear you. It sounds hard. And then I went to", "I hear you. It sounds hard."),
        ("That's lovely! Check https://example.com for more.", "That's lovely!"),
        ("Sure. Visit www.foo.org today.", "Sure."),
        ("Here are ideas:\n\n1. Walk\n2. Call", "I'm here with you. Tell me a little more?"),
        ("Good idea.\n- a list item.", "Good idea."),
        ("I'm here. I'm here. I'm here.", "I'm here."),
        ("User: hi. Assistant: hello.", "I'm here with you. Tell me a little more?"),
        ("봉저 최고. https://www.facebook.com/minniketjohnson", "I'm here with you. Tell me a little more?"),
        ("", "I'm here with you. Tell me a little more?"),
    ],
)
def test_a_reply_is_cut_to_its_clean_complete_sentences(raw, expected):
    assert shaped(raw) == expected


def test_the_models_stream_is_closed_as_soon_as_the_reply_is_complete():
    produced: list[str] = []

    def model() -> Iterator[str]:
        for sentence in ["One. ", "Two. ", "Three. ", "Four. ", "Five. "]:
            produced.append(sentence)
            yield sentence

    assert "".join(Shaper().shape(model())) == "One. Two. Three."
    assert len(produced) == 3  # the fourth sentence was never generated


def test_repeats_catches_echoes_and_loops():
    assert repeats("I'm so sorry you feel that way.", ["I am so sorry you feel that way."])
    assert repeats("the the the the the the the the", [])
    assert not repeats("What did you eat today?", ["I'm sorry you feel lonely."])


def test_the_compact_persona_comes_from_beside_the_persona_and_is_short(samantha_home, tmp_path):
    short = compact_persona("samantha")
    assert short.startswith("You are Samantha") and "<!--" not in short
    assert count_tokens(short) < 120 < count_tokens(load_prompt("samantha"))
    own = tmp_path / "mine.md"
    own.write_text("You are Max, a cheerful robot.\n\nMore rules here that a small model cannot use.\n")
    derived = compact_persona(str(own))
    assert derived.startswith("You are Max, a cheerful robot.") and "More rules" not in derived
