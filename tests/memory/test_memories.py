"""Facts from the user's own words (English and Korean), each with its source; add, list and forget."""

from __future__ import annotations

import pytest

from samantha import memories
from samantha.errors import UsageError
from samantha.memories import extract_facts, remember_from_message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi! My name is Jisoo Park.", ("name", "The user's name is Jisoo Park.")),
        ("my name is jisoo and i like cats", ("name", "The user's name is jisoo.")),
        ("Call me Theo, please", ("name", "The user's name is Theo.")),
        ("I work as a letter writer.", ("work", "The user works as a letter writer.")),
        ("I work at a small bakery", ("work", "The user works at a small bakery.")),
        ("I live in Los Angeles, near the beach.", ("home", "The user lives in Los Angeles.")),
        ("I am from Canada and I work at Google", ("home", "The user is from Canada.")),
        (
            "my sister Amy is getting married in May",
            ("people", "The user's sister Amy is getting married in May."),
        ),
        ("My dog's name is Max.", ("people", "The user's dog's name is Max.")),
        ("I love hiking in the mountains", ("likes", "The user loves hiking in the mountains.")),
        ("My favorite movie is Her", ("likes", "The user's favorite movie is Her.")),
        ("내 이름은 지수야", ("name", "사용자의 이름은 지수.")),
        ("제 이름은 민준이에요.", ("name", "사용자의 이름은 민준.")),
        ("저는 지수라고 해요", ("name", "사용자의 이름은 지수.")),
        ("나는 서울에 살아", ("home", "사용자는 서울에 산다.")),
        ("저는 부산에 살고 있어요", ("home", "사용자는 부산에 산다.")),
        ("나는 간호사로 일해", ("work", "사용자는 간호사로 일한다.")),
        ("내 직업은 선생님이야", ("work", "사용자의 직업은 선생님.")),
        ("우리 언니가 다음 달에 결혼해", ("people", "사용자의 언니가 다음 달에 결혼해.")),
        ("나는 고양이를 정말 좋아해", ("likes", "사용자는 고양이를 좋아한다.")),
    ],
)
def test_patterns_find_the_fact(text, expected):
    assert expected in [(fact.kind, fact.content) for fact in extract_facts(text)]


@pytest.mark.parametrize(
    "text",
    [
        "What is my name?",
        "Do you know where I live?",
        "I like you",
        "I bought a gift for my sister",
        "우리 언니는 부산에 살아",  # the sister lives there, not the user
        "내 이름이 뭐야?",
        "The weather is nice today.",
        "",
    ],
)
def test_patterns_ignore_what_is_not_a_fact_about_the_user(text):
    kinds = [fact.kind for fact in extract_facts(text) if fact.kind in ("name", "home")]
    if "언니" in text:
        assert "home" not in kinds
    else:
        assert extract_facts(text) == []


def test_facts_come_only_from_user_messages_and_keep_their_source(store):
    conversation = store.create_conversation().id
    said = store.add_message(conversation, "assistant", "My name is Samantha.")
    assert remember_from_message(store, said) == []
    told = store.add_message(conversation, "user", "My name is Theodore. I live in Los Angeles.")
    added = remember_from_message(store, told)
    assert [m.content for m in added] == ["The user's name is Theodore.", "The user lives in Los Angeles."]
    assert all(m.message_id == told.id and m.conversation_id == conversation for m in added)
    listed = memories.list_memories(store)
    assert {item.source.id for item in listed} == {told.id}
    # The same fact told again is not remembered twice.
    again = store.add_message(conversation, "user", "my name is Theodore")
    assert remember_from_message(store, again) == []
    assert store.count_memories() == 2


def test_add_list_and_forget(store):
    first = memories.add_memory(store, "  My sister's name is Amy  ")
    second = memories.add_memory(store, "나는 서울에 살아")
    assert first.content == "My sister's name is Amy" and first.message_id is None
    assert memories.add_memory(store, "my sister's name is amy").id == first.id
    assert [item.memory.id for item in memories.list_memories(store)] == [second.id, first.id]
    assert memories.forget_memory(store, first.id).id == first.id
    with pytest.raises(UsageError, match="No memory has the id"):
        memories.forget_memory(store, first.id)
    memories.add_memory(store, "I like green tea")
    forgotten = memories.forget_matching(store, "서울")
    assert [m.id for m in forgotten] == [second.id]
    assert memories.forget_all_memories(store) == 1
    assert store.count_memories() == 0


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 1001])
def test_a_bad_memory_is_refused(store, text):
    with pytest.raises(UsageError):
        memories.add_memory(store, text)
    assert store.count_memories() == 0
