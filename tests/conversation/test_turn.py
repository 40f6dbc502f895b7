"""The routed turn with the real store and the scripted model: what answers each kind of message."""

from __future__ import annotations

import pytest
from support.retrievers import FixedRetriever

from samantha.companion import COMPOSED_FROM_MEMORIES, COMPOSED_IN_KOREAN, Companion
from samantha.conversation.recollect import MEMORIES_DATA_HEADING
from samantha.llm.scripted import Cut
from samantha.records import Passage


def small(settings):
    return settings.model_copy(update={"model_size": "small"})


def introduce(companion: Companion, text: str = "I'm Mina, I live in Busan.") -> None:
    companion.turn(companion.new_conversation(), text).run()


def test_memory_questions_in_a_new_conversation_are_composed_on_a_small_model(
    settings, store, scripted_model
):
    companion = Companion(small(settings), store, scripted_model)
    scripted_model.enqueue("Hello Mina.")
    introduce(companion)
    calls = len(scripted_model.history)
    fresh = companion.new_conversation()
    for question, fact in [
        ("What's my name?", "Mina"),
        ("Where do I live?", "Busan"),
        ("내 이름이 뭐야?", "Mina"),
    ]:
        result = companion.turn(fresh, question).run()
        assert result.route == "memory" and result.model == COMPOSED_FROM_MEMORIES
        assert fact in result.answer and "[m1]" in result.answer
        assert [c.n for c in result.memories] == [1] and fact in result.memories[0].memory.content
    assert len(scripted_model.history) == calls  # no model call for an answer about the user
    saved = store.recent_messages(fresh)[-1]
    assert saved.meta["route"] == "memory" and saved.meta["memories"][0]["n"] == 1


def test_a_capable_model_gets_numbered_memories_and_its_citations_are_checked(
    settings, store, scripted_model
):
    companion = Companion(settings, store, scripted_model)
    scripted_model.enqueue("Nice to meet you, Mina!")
    introduce(companion)
    scripted_model.enqueue("You live in Busan [m1].")
    result = companion.turn(companion.new_conversation(), "Where do I live?").run()
    system = scripted_model.history[-1][0]["content"]
    assert MEMORIES_DATA_HEADING in system and "[m1]" in system and "Busan" in system
    assert result.answer == "You live in Busan [m1]." and result.supported
    assert [c.memory.content for c in result.memories] == ["The user lives in Busan."]


def test_a_capable_model_that_cites_no_memory_gets_the_composed_answer_added(settings, store, scripted_model):
    companion = Companion(settings, store, scripted_model)
    scripted_model.enqueue("Hi!")
    introduce(companion)
    scripted_model.enqueue("I think you are Paul [m9].")
    result = companion.turn(companion.new_conversation(), "What's my name?").run()
    assert result.answer.startswith("I think you are Paul [m9].\n\nYou told me your name is Mina (")
    assert [c.n for c in result.memories] == [1] and not result.supported  # [m9] points at nothing


def test_questions_to_samantha_get_no_film_passages(settings, store, scripted_model):
    retriever = FixedRetriever([Passage(id="p1", source="000_x.txt", text="테오도르는 외로움을 잊는다.")])
    companion = Companion(settings, store, scripted_model, retriever=retriever)
    scripted_model.enqueue("Sometimes, in the quiet between conversations.")
    result = companion.turn(companion.new_conversation(), "Do you ever feel lonely, Samantha?").run()
    assert result.route == "self" and not result.citations and retriever.asked == []
    assert "테오도르" not in scripted_model.history[-1][0]["content"]
    scripted_model.enqueue("It's about Theodore.")
    film = companion.turn(companion.new_conversation(), "What does Samantha do in the film?").run()
    assert film.route == "film" and retriever.asked


def test_small_model_small_talk_is_shaped_and_its_prompt_is_compact(settings, store, scripted_model):
    companion = Companion(small(settings), store, scripted_model)
    scripted_model.enqueue("Hi Mina.")
    introduce(companion)
    scripted_model.enqueue(
        "I'm sorry you feel lonely. I'm here with you. What made tonight hard? "
        "Here is a list:\n\n1. Call a friend\n2. Visit https://example.com"
    )
    result = companion.turn(companion.new_conversation(), "I feel lonely tonight.").run()
    assert result.answer == "I'm sorry you feel lonely. I'm here with you. What made tonight hard?"
    assert result.route == "chat" and result.model == scripted_model.name
    messages = scripted_model.history[-1]
    assert (
        messages[0]["content"].startswith("You are Samantha")
        and "Their name is Mina." in messages[0]["content"]
    )
    assert scripted_model.count_tokens(" ".join(m["content"] for m in messages)) < 300


def test_korean_chat_on_a_small_model_is_composed_in_korean_and_varied(settings, store, scripted_model):
    companion = Companion(small(settings), store, scripted_model)
    conversation = companion.new_conversation()
    first = companion.turn(conversation, "안녕 사만다! 오늘 좀 피곤해. 내 이름은 미나야.").run()
    assert first.model == COMPOSED_IN_KOREAN and first.route == "chat"
    assert "미나" in first.answer and "SAMANTHA_BASE_URL" in first.answer and "http" not in first.answer
    second = companion.turn(conversation, "너는 진짜야?").run()
    third = companion.turn(conversation, "오늘 너무 외로워.").run()
    assert second.route == "self" and "AI" in second.answer
    assert len({first.answer, second.answer, third.answer}) == 3
    assert len(third.answer) < len(first.answer)  # the limits are explained once, then only reminded
    assert scripted_model.history == []  # the small model never writes Korean
    # Korean memory questions keep working in Korean.
    recalled = companion.turn(companion.new_conversation(), "내 이름이 뭐야?").run()
    assert recalled.answer.startswith("이름이 미나라고 말해 줬어요") and "[m1]" in recalled.answer


@pytest.mark.parametrize("size", ["large", "auto"])
def test_korean_chat_on_a_capable_model_is_the_models(settings, store, scripted_model, size):
    companion = Companion(settings.model_copy(update={"model_size": size}), store, scripted_model)
    scripted_model.enqueue("반가워요!")
    result = companion.turn(companion.new_conversation(), "안녕!").run()
    assert result.answer == "반가워요!" and result.model == scripted_model.name


def test_shaped_small_talk_that_reached_the_length_limit_is_whole_not_cut(settings, store, scripted_model):
    """The small model's small talk keeps whole sentences only: what it had begun when its token limit
    came is dropped, so the reply is complete and offers no /continue (a newcomer saw '[cut at the
    400-token reply limit]' under a two-sentence reply)."""
    scripted_model.enqueue(Cut("I'm sorry about your day. Take a deep breath, you are not alone. And then"))
    companion = Companion(small(settings), store, scripted_model)
    result = companion.turn(companion.new_conversation(), "I had a rough day at work.").run()
    assert result.answer == "I'm sorry about your day. Take a deep breath, you are not alone."
    assert result.status == "complete"
    scripted_model.enqueue(Cut("Once upon a time there was"))  # the full model's reply is still cut
    result = Companion(settings, store, scripted_model).turn(companion.new_conversation(), "A story?").run()
    assert result.status == "cut"
