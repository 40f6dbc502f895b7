"""Answers about the user from her memories, with the real store and the real fact patterns."""

from __future__ import annotations

from datetime import UTC

from samantha.conversation.recollect import (
    check_memory_citations,
    compose,
    day_label,
    given_for_model,
    known_memories,
    relevant_memories,
    topic_of,
    user_name,
)
from samantha.memories import add_memory, remember_from_message


def tell(store, text):
    conversation = store.create_conversation().id
    return remember_from_message(store, store.add_message(conversation, "user", text))


def test_name_and_city_are_answered_with_the_memory_cited_as_m1(store):
    tell(store, "I'm Mina, I live in Busan.")
    known = known_memories([store])
    name = compose("What's my name?", "en", known, tz=UTC)
    stamp = next(m for m in known if "name" in m.content).created_at
    assert name.text == f"You told me your name is Mina ({day_label(stamp, 'en', UTC)}) [m1]."
    assert [c.memory.content for c in name.cited] == ["The user's name is Mina."]
    home = compose("Where do I live?", "en", known, tz=UTC)
    assert home.text.startswith("You told me you live in Busan (") and home.text.endswith("[m1].")
    korean = compose("내 이름이 뭐야?", "ko", known, tz=UTC)
    assert korean.text.startswith("이름이 Mina라고 말해 줬어요 (") and korean.text.endswith("[m1].")
    assert "월" in korean.text and "일)" in korean.text


def test_korean_memories_answer_in_korean_and_english(store):
    tell(store, "내 이름은 미나야. 나는 부산에 살아.")
    known = known_memories([store])
    assert compose("내 이름이 뭐야?", "ko", known).text.startswith("이름이 미나라고 말해 줬어요")
    assert compose("내가 어디 산다고 했지?", "ko", known).text.startswith("부산에 산다고 말해 줬어요")
    assert compose("What's my name?", "en", known).text.startswith("You told me your name is 미나 (")
    assert user_name(known) == "미나"


def test_when_she_does_not_know_she_says_so_and_asks(store):
    tell(store, "I live in Busan.")
    known = known_memories([store])
    answer = compose("What's my name?", "en", known)
    assert not answer.known and not answer.cited
    assert "told me your name" in answer.text and answer.text.endswith("?")
    korean = compose("내 직업이 뭐야?", "ko", known)
    assert not korean.known and korean.text.endswith("?") and "[m" not in korean.text


def test_a_memory_typed_by_hand_answers_by_what_it_states(store):
    add_memory(store, "My sister Jiwoo lives in Seoul.")
    add_memory(store, "My name is Hana")
    known = known_memories([store])
    assert topic_of("What did I tell you about my sister?").relation == "sister"
    assert [m.content for m in relevant_memories("What did I tell you about my sister?", known)] == [
        "My sister Jiwoo lives in Seoul."
    ]
    assert compose("What's my name?", "en", known).text.startswith('You told me "My name is Hana" (')
    # The same relation asked in Korean finds the English memory.
    assert relevant_memories("우리 언니에 대해 뭐라고 했지?", known)


def test_several_memories_are_cited_in_turn_newest_first(store):
    tell(store, "I live in Busan.")
    tell(store, "I moved to Seoul.")
    answer = compose("Where do I live?", "en", known_memories([store]))
    assert "[m1]" in answer.text and "[m2]" in answer.text
    assert answer.text.index("Seoul") < answer.text.index("Busan")


def test_a_capable_models_citations_are_checked(store):
    tell(store, "I'm Mina, I live in Busan.")
    known = known_memories([store])
    given = given_for_model("Where do I live?", known)
    assert "Busan" in given[0].content  # what answers comes first, as [m1]
    cited, invalid = check_memory_citations("You live in Busan [m1], not Paris [m7].", given)
    assert [c.memory.id for c in cited] == [given[0].id] and invalid == [7]
    assert cited[0].as_json() == {
        "n": 1,
        "id": given[0].id,
        "text": given[0].content,
        "created_at": given[0].created_at,
    }
