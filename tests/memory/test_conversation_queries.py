"""The store's queries for the app's conversation list: by title, and by what was said."""

from __future__ import annotations


def test_search_conversations_by_title_is_case_insensitive_and_pages(store):
    for n in range(5):
        store.create_conversation(f"Trip to Busan {n}")
    store.create_conversation("Letters")
    store.create_conversation(None)
    found = store.search_conversations("busan", limit=3)
    assert len(found) == 3 and all("Busan" in c.title for c in found)
    rest = store.search_conversations("BUSAN", limit=3, offset=3)
    assert len(rest) == 2 and not {c.id for c in found} & {c.id for c in rest}
    assert store.search_conversations("nothing like it") == []


def test_conversations_mentioning_finds_what_was_said_newest_first(store):
    older = store.create_conversation("first")
    store.add_message(older.id, "user", "The ocean at night")
    newer = store.create_conversation("second")
    store.add_message(newer.id, "user", "I miss the ocean")
    store.create_conversation("third")
    found = store.conversations_mentioning("ocean")
    assert [c.id for c in found] == [newer.id, older.id]
    assert store.conversations_mentioning('"') == []  # nothing it can search for: nothing, no error
