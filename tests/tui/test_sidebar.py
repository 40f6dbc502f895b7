"""Pilot tests of the conversation sidebar: order, paging, filter, open, rename, delete (scripted model)."""

from __future__ import annotations

from samantha.tui import services
from samantha.tui.dialogs import ConfirmScreen, RenameScreen


def titles(app) -> list[str]:
    store = app.companion.store
    return [store.get_conversation(i).title for i in app.chat_screen.sidebar.conversation_ids()]


def seed(store, n: int) -> list[str]:
    ids = []
    for i in range(n):
        conversation = store.create_conversation(f"talk {i}")
        store.add_message(conversation.id, "user", f"message {i}")
        ids.append(conversation.id)
    return ids


async def test_newest_first_and_a_new_conversation_is_titled_from_its_first_message(
    make, store, scripted_model, ready, idle
):
    seed(store, 3)
    scripted_model.enqueue("Sure.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert titles(app) == ["talk 2", "talk 1", "talk 0"]
        app.chat_screen.prompt.value = "Can we talk about the ocean tonight?"
        await pilot.press("enter")
        await idle(app, pilot)
        assert titles(app)[0] == "Can we talk about the ocean tonight?"


async def test_pages_load_as_the_list_is_scrolled(make, store, ready):
    seed(store, services.PAGE_SIZE + 7)
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        sidebar = app.chat_screen.sidebar
        assert len(sidebar.conversation_ids()) == services.PAGE_SIZE
        sidebar.options.focus()
        await pilot.press("end")  # onto "Load more…"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(sidebar.conversation_ids()) == services.PAGE_SIZE + 7
        assert len(set(sidebar.conversation_ids())) == services.PAGE_SIZE + 7


async def test_filter_by_text(make, store, ready):
    seed(store, 12)
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+f")
        await pilot.press(*"talk 1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert titles(app) == ["talk 11", "talk 10", "talk 1"]


async def test_filter_finds_words_said_inside_conversations(make, store, ready):
    ids = seed(store, 3)
    store.add_message(ids[0], "user", "우리 언니 결혼식이 다음 주야")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+f")
        await pilot.press(*"결혼식")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.chat_screen.sidebar.conversation_ids() == [ids[0]]


async def test_opening_a_conversation_shows_it_and_continues_it(make, store, scripted_model, ready, idle):
    ids = seed(store, 2)
    store.add_message(ids[0], "assistant", "an *old* reply")
    scripted_model.enqueue("Continuing.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        sidebar = app.chat_screen.sidebar
        sidebar.options.focus()
        sidebar.highlight(ids[0])
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.chat_screen.conversation_id == ids[0]
        assert [b.raw for b in app.chat_screen.chat.bubbles()] == ["message 0", "an *old* reply"]
        app.chat_screen.prompt.value = "and then?"
        await pilot.press("enter")
        await idle(app, pilot)
        assert [m.content for m in store.recent_messages(ids[0])][-2:] == ["and then?", "Continuing."]
        assert len(scripted_model.history[-1]) >= 3  # the old turns were part of the context


async def test_rename_the_highlighted_conversation(make, store, ready):
    ids = seed(store, 2)
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        sidebar = app.chat_screen.sidebar
        sidebar.options.focus()
        sidebar.highlight(ids[0])
        await pilot.press("f2")
        assert isinstance(app.screen, RenameScreen)
        app.screen.query_one("#title").value = "우리의 첫 대화"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get_conversation(ids[0]).title == "우리의 첫 대화"
        assert "우리의 첫 대화" in titles(app)


async def test_delete_asks_first_and_no_keeps_it(make, store, ready):
    ids = seed(store, 2)
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        sidebar = app.chat_screen.sidebar
        sidebar.options.focus()
        sidebar.highlight(ids[1])
        await pilot.press("f8")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await app.workers.wait_for_complete()
        assert store.get_conversation(ids[1]) is not None
        sidebar.options.focus()
        sidebar.highlight(ids[1])
        await pilot.press("f8")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get_conversation(ids[1]) is None
        assert store.recent_messages(ids[1]) == []
        assert ids[1] not in sidebar.conversation_ids()


async def test_titles_with_markup_and_escapes_are_shown_as_text(make, store, ready):
    conversation = store.create_conversation("[red]not red[/red] \x1b[2J")
    store.add_message(conversation.id, "user", "x")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        prompt = app.chat_screen.sidebar.options.get_option_at_index(0).prompt
        assert "[red]not red[/red] ␛[2J" in str(prompt)
