"""Small talk shaped on the real embedded model (SmolLM2-135M run by llama-cpp-python): no fake here.

The words vary with the model and the sampling, so what is checked is what the shaping promises: one to
three complete sentences, no link or list, in the user's language, exactly what streamed is what is saved,
and a prompt far under the model's window.
"""

from __future__ import annotations

import re

import pytest

from samantha.companion import COMPOSED_IN_KOREAN, Companion
from samantha.conversation.evaluate import sentences
from samantha.conversation.shape import MAX_SENTENCES
from samantha.llm.embedded import EmbeddedModel

pytestmark = pytest.mark.slow

HANGUL = re.compile(r"[가-힣]")
LINK = re.compile(r"(?i)https?://|www\.|\b[\w-]+\.(?:com|net|org|io|kr)\b")
LIST_LINE = re.compile(r"(?m)^\s*(?:[-*•#]|\d+[.)])\s")


@pytest.fixture(scope="module")
def embedded() -> EmbeddedModel:
    return EmbeddedModel()


def reply_to(companion: Companion, text: str) -> tuple[str, str, int]:
    """The streamed reply, the saved one, and the prompt's tokens, for `text` in a new conversation."""
    conversation = companion.new_conversation()
    turn = companion.turn(conversation, text)
    streamed = "".join(turn)
    saved = companion.store.recent_messages(conversation)[-1]
    assert saved.role == "assistant" and saved.status == "complete"
    return streamed, saved.content, turn.context.used if turn.context else 0


@pytest.mark.parametrize(
    "text",
    [
        "I feel lonely tonight.",
        "My favorite food is kimchi stew.",
        "I just got home from a long day at work.",
    ],
)
def test_english_small_talk_is_one_to_three_clean_sentences(settings, store, embedded, text):
    companion = Companion(settings, store, embedded)  # model size auto: the bundled model is small
    assert companion.small
    streamed, saved, prompt_tokens = reply_to(companion, text)
    assert saved == streamed  # what the user saw streaming is what is kept
    said = sentences(streamed)
    assert 1 <= len(said) <= MAX_SENTENCES, streamed
    assert streamed.rstrip()[-1] in ".!?…。\"')]", streamed  # ends at a sentence's end, never mid-word
    assert not LINK.search(streamed) and not LIST_LINE.search(streamed), streamed
    assert not HANGUL.search(streamed), streamed  # English in, English out
    assert 0 < prompt_tokens < 1000  # the compact persona and the last exchange only


@pytest.mark.parametrize("text", ["안녕 사만다! 오늘 좀 피곤해. 내 이름은 미나야.", "오늘 너무 외로워."])
def test_korean_small_talk_is_answered_in_korean_without_generating_it(settings, store, embedded, text):
    companion = Companion(settings, store, embedded)
    conversation = companion.new_conversation()
    turn = companion.turn(conversation, text)
    streamed = "".join(turn)
    saved = store.recent_messages(conversation)[-1]
    assert saved.content == streamed and saved.model == COMPOSED_IN_KOREAN
    assert 1 <= len(sentences(streamed)) <= MAX_SENTENCES, streamed
    assert HANGUL.search(streamed) and not LINK.search(streamed), streamed
