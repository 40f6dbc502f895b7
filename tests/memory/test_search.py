"""FTS5 over messages and memories: kept in sync by triggers, safe with any text, Korean included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samantha.store import Store
from samantha.store.search import query_terms


def fts_rows(store, table):
    return store.db.execute(f"select count(*) from {table}_fts").fetchone()[0]


def integrity(store, table):
    store.db.execute(f"insert into {table}_fts({table}_fts, rank) values ('integrity-check', 1)")


def test_triggers_follow_insert_update_and_delete(store):
    conversation = store.create_conversation().id
    message = store.add_message(conversation, "user", "I adopted a corgi named Biscuit")
    assert [h.id for h in store.search_messages("corgi")] == [message.id]
    store.update_message(message.id, content="I adopted a beagle named Biscuit")
    assert store.search_messages("corgi") == []
    assert [h.id for h in store.search_messages("beagle")] == [message.id]
    store.delete_message(message.id)
    assert store.search_messages("beagle") == []
    assert fts_rows(store, "messages") == 0
    integrity(store, "messages")


def test_memory_triggers_and_cascades(store):
    conversation = store.create_conversation().id
    message = store.add_message(conversation, "user", "my sister Amy is getting married")
    memory = store.add_memory("The user's sister Amy is getting married.", message_id=message.id)
    manual = store.add_memory("The user likes tea.")
    store.add_summary(conversation, message.id, message.id, 1, "user: sister Amy")
    assert [h.id for h in store.search_memories("amy")] == [memory.id]
    store.delete_conversation(conversation)
    # Forgetting a conversation forgets what came from it, and nothing else.
    assert store.get_memory(memory.id) is None
    assert store.get_memory(manual.id) is not None
    assert store.count_summaries() == 0
    assert store.search_memories("amy") == []
    integrity(store, "memories")
    integrity(store, "messages")


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("내 이름은 지수야", "이름"),
        ("내 이름은 지수야", "지수가 누구야"),
        ("우리 언니가 다음 달에 결혼해", "언니는"),
        ("우리 언니가 다음 달에 결혼해", "결혼"),
        ("서울에 살고 있어요", "서울"),
        ("My sister's wedding is in May", "sisters"),
        ("We got married last spring", "marriage"),
        ("Café au lait every morning", "cafe"),
    ],
)
def test_korean_and_english_words_are_found_in_their_other_forms(store, stored, query):
    conversation = store.create_conversation().id
    message = store.add_message(conversation, "user", stored)
    store.add_message(conversation, "user", "something else entirely")
    assert [h.id for h in store.search_messages(query, any_term=True)] == [message.id]


@pytest.mark.parametrize(
    "query", ['"', "AND", "NEAR(", "a*b OR", "^x", "col:thing", "'); drop table x; --", "*"]
)
def test_any_query_text_is_safe(store, query):
    store.add_message(store.create_conversation().id, "user", "thing AND x col")
    store.search_messages(query)
    store.search_memories(query, any_term=True)


def test_every_word_must_match_unless_any_term(store):
    conversation = store.create_conversation().id
    both = store.add_message(conversation, "user", "the piano lesson was hard")
    one = store.add_message(conversation, "user", "my piano is out of tune")
    assert [h.id for h in store.search_messages("piano lesson")] == [both.id]
    assert {h.id for h in store.search_messages("piano lesson", any_term=True)} == {both.id, one.id}


def test_common_words_fall_back_to_newest_first(store, monkeypatch):
    from samantha.store import store as store_module

    monkeypatch.setattr(store_module, "RANK_CAP", 3)
    conversation = store.create_conversation().id
    ids = [store.add_message(conversation, "user", f"coffee number {n}").id for n in range(6)]
    found = [h.id for h in store.search_messages("coffee", limit=2)]
    assert found == [ids[-1], ids[-2]]


def test_excluding_the_current_conversation_and_pending_replies(store):
    here = store.create_conversation().id
    there = store.create_conversation().id
    store.add_message(here, "user", "the lighthouse at dawn")
    store.add_message(there, "assistant", "lighthouse keepers", status="pending")
    old = store.add_message(there, "user", "we walked to the lighthouse")
    assert [h.id for h in store.search_messages("lighthouse", exclude_conversation=here)] == [old.id]


def test_query_terms_drop_stopwords_and_quote_everything():
    assert query_terms("What is my sister's name?") == ['"sister"*', '"name"']
    assert query_terms("나는 언니가 보고 싶어") == ['"언니"*', '"보고"*', '"싶어"*']
    assert query_terms("") == []


@settings(max_examples=150, deadline=None)
@given(query=st.text(max_size=60))
def test_no_query_text_breaks_search(query):
    store = Store.open(None)
    conversation = store.create_conversation().id
    store.add_message(conversation, "user", "hello 안녕하세요 😀 ① ﬁne café")
    for any_term in (False, True):
        store.search_messages(query, any_term=any_term, exclude_conversation="x")
        store.search_memories(query, any_term=any_term)
    store.close()


def test_recall_failing_costs_the_recall_not_the_turn(store, monkeypatch, caplog):
    import sqlite3

    from samantha.recall import Recall

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "search_messages", locked)
    assert Recall(store).sections_for_turn("c", "anything at all") == []
    assert "database is locked" in caplog.text
