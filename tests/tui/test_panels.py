"""Pilot tests of the panels and commands: sources, context inspector, memory, incognito, slash commands,
the command palette and the config keymap. The model is the scripted fake; film passages come from a
fixed fake retriever."""

from __future__ import annotations

import json

from support.app_driving import send
from support.retrievers import FixedRetriever
from textual.widgets import DataTable, Markdown

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.records import Passage
from samantha.tui.app import EXTRA_COMMANDS
from samantha.tui.dialogs import ConfirmScreen
from samantha.tui.screens.chat import ChatScreen
from samantha.tui.screens.memory import MemoryScreen
from samantha.tui.screens.panels import ContextScreen, SourcesScreen, TextPanel

PASSAGES = [
    Passage(
        id="a", source="000_review.txt", title="A", text="사만다는 진짜 사랑이다. The film believes in her."
    ),
    Passage(id="b", source="003_review.txt", title="B", text="It is only loneliness talking to itself."),
]


async def test_sources_open_from_a_citation_and_disagreeing_reviews_sit_side_by_side(
    make, settings, store, scripted_model, ready, idle
):
    scripted_model.enqueue("Some say it is love [1]; others, loneliness [2].")
    app = make(companion=Companion(settings, store, scripted_model, retriever=FixedRetriever(PASSAGES)))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await send(pilot, "Is Samantha's love real?")
        await idle(app, pilot)
        reply = app.chat_screen.chat.bubbles()[-1]
        assert [c.n for c in reply.citations] == [1, 2]
        markdown = reply.query_one(Markdown)
        assert "(cite:2)" in markdown.source
        markdown.post_message(Markdown.LinkClicked(markdown, "cite:2"))
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen) and app.screen.focus_n == 2
        reviews = list(app.screen.query(".review"))
        assert len(reviews) == 2
        assert reviews[0].region.y == reviews[1].region.y and reviews[0].region.x < reviews[1].region.x
        assert app.screen.query_one("#passage-2").has_class("-focus")
        await pilot.press("escape")
        await pilot.press("f3")
        assert isinstance(app.screen, SourcesScreen) and len(app.screen.citations) == 2


async def test_sources_without_citations_say_so(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "/sources")
        assert isinstance(app.screen, SourcesScreen)
        assert app.screen.query_one("#no-sources")


async def test_sources_list_the_memories_an_answer_cites_beside_the_reviews(
    make, settings, store, scripted_model, ready, idle
):
    scripted_model.enqueue("Nice to meet you, Mina!", "You live in Busan [m1].")
    app = make(companion=Companion(settings, store, scripted_model, retriever=FixedRetriever(PASSAGES)))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await send(pilot, "I'm Mina, I live in Busan.")
        await idle(app, pilot)
        remembered = [m.content for m in store.list_memories()]
        assert "The user lives in Busan." in remembered  # the real store, from the message
        await pilot.press("ctrl+n")
        await send(pilot, "Where do I live?")
        await idle(app, pilot)
        reply = app.chat_screen.chat.bubbles()[-1]
        assert [c.n for c in reply.memories] == [1]
        assert "(cite:m1)" in reply.query_one(Markdown).source  # [m1] is a link, like [1]
        assert "1 memory" in app.chat_screen.notice.text
        await pilot.press("f3")
        assert isinstance(app.screen, SourcesScreen)
        column = app.screen.query_one("#cited-memories")
        memory = str(app.screen.query_one("#memory-1").render())
        assert memory.startswith("[m1] ") and "The user lives in Busan." in memory
        assert column.region.width > 0 and not app.screen.query("#no-sources")
        await pilot.press("escape")
        markdown = reply.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "cite:m1"))
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen) and app.screen.focus_m == 1
        assert app.screen.query_one("#memory-1").has_class("-focus")
        await pilot.press("escape")
        # Opened again later, the reply's memories come from what the store kept with it.
        conversation_id = app.chat_screen.conversation_id
        await pilot.press("ctrl+n")
        app.chat_screen.conversation.open(conversation_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f3")
        assert isinstance(app.screen, SourcesScreen)
        assert "The user lives in Busan." in str(app.screen.query_one("#memory-1").render())


async def test_cited_memories_take_a_column_beside_the_reviews(make, ready):
    from samantha.conversation.recollect import CitedMemory
    from samantha.records import Citation, Memory

    citations = [Citation(n=1, source=p.source, text=p.text, title=p.title) for p in PASSAGES[:1]]
    memory = Memory(id="m", content="The user's name is Mina.", created_at="2026-11-20T10:00:00+00:00")
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        app.push_screen(SourcesScreen(citations, memories=[CitedMemory(1, memory)]))
        await pilot.pause()
        review, memories = list(app.screen.query(".review"))
        assert memories.id == "cited-memories" and review.region.y == memories.region.y
        assert review.region.x < memories.region.x
        assert str(app.screen.query_one("#memory-1").render()) == "[m1] 2026-11-20  The user's name is Mina."


async def test_context_inspector_shows_each_part_with_tokens_and_the_budget(
    make, settings, store, scripted_model, ready, idle
):
    scripted_model.enqueue("Here.")
    app = make(companion=Companion(settings, store, scripted_model, retriever=FixedRetriever(PASSAGES)))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await send(pilot, "Tell me about the film")
        await idle(app, pilot)
        plan = app.chat_screen.conversation.last_context
        await pilot.press("f4")
        assert isinstance(app.screen, ContextScreen)
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [r[0] for r in rows] == [p.kind for p in plan.parts]
        assert "passages" in [r[0] for r in rows] and "persona" in [r[0] for r in rows]
        assert [r[1] for r in rows] == [f"{p.tokens:,}" for p in plan.parts]
        assert f"{plan.used:,} of {plan.budget:,}" in str(app.screen.query_one("#context-total").render())
        await pilot.press("down")
        assert str(app.screen.query_one("#part-text").render()).startswith(plan.parts[1].text[:20])


async def test_memory_panel_lists_with_source_forgets_one_and_all(make, store, scripted_model, ready, idle):
    scripted_model.enqueue("Nice to meet you, Mina.", "Noted.")
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        await send(pilot, "My name is Mina.")
        await idle(app, pilot)
        await send(pilot, "I work as a nurse.")
        await idle(app, pilot)
        await pilot.press("f5")
        assert isinstance(app.screen, MemoryScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen
        assert len(panel.items) >= 2
        assert {item.source for item in panel.items} >= {"My name is Mina.", "I work as a nurse."}
        assert "From your message" in str(panel.query_one("#source-text").render())
        before = len(panel.items)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(panel.items) == before - 1
        await pilot.press("D")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.items == []
        assert store.count_memories() == 0


async def test_memory_panel_key_makes_a_memory_local_and_back(make, store, ready):
    from samantha.memories import add_memory

    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        memory = add_memory(store, "I take insulin.")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, MemoryScreen)
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get_memory(memory.id).scope == "local"
        assert [item.scope for item in panel.items] == ["local"]
        assert "[local]" in str(panel.query_one("#memories").get_option_at_index(0).prompt)
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get_memory(memory.id).scope == "everywhere"


async def test_export_writes_a_private_json_file(make, store, samantha_home, scripted_model, ready, idle):
    scripted_model.enqueue("Hi.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "export me")
        await idle(app, pilot)
        await send(pilot, "/export")
        await app.workers.wait_for_complete()
        await pilot.pause()
        files = list((samantha_home / "exports").glob("*.json"))
        assert len(files) == 1
        assert files[0].stat().st_mode & 0o077 == 0
        assert "export me" in json.dumps(json.loads(files[0].read_text(encoding="utf-8")), ensure_ascii=False)
        assert any("Exported to" in n.message for n in app.notices)


async def test_incognito_writes_nothing_and_shows_in_the_status_bar(make, store, scripted_model, ready, idle):
    scripted_model.enqueue("Secret kept.", "Saved this time.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("f6")
        await ready(app, pilot)
        status = app.chat_screen.status
        assert status.incognito and "INCOGNITO" in str(status.render())
        await send(pilot, "a secret")
        await idle(app, pilot)
        assert app.chat_screen.chat.bubbles()[-1].raw == "Secret kept.", [n.message for n in app.notices]
        assert store.count_messages() == 0 and store.count_conversations() == 0
        await send(pilot, "/incognito")
        await ready(app, pilot)
        assert not status.incognito and "INCOGNITO" not in str(status.render())
        await send(pilot, "not a secret")
        await idle(app, pilot)
        assert store.count_messages() == 2


async def test_app_started_incognito(make, store, scripted_model, ready, idle):
    scripted_model.enqueue("ok")
    app = make(incognito=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert app.chat_screen.status.incognito
        await send(pilot, "hi")
        await idle(app, pilot)
        assert store.count_messages() == 0


async def test_slash_commands(make, store, scripted_model, ready, idle):
    scripted_model.enqueue("one")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "/help")
        assert isinstance(app.screen, TextPanel) and app.screen.id == "help-panel"
        assert "/incognito" in app.screen.body and "ctrl+r" in app.screen.body
        await pilot.press("escape")
        await send(pilot, "/model")
        await app.workers.wait_for_complete()  # the models are listed in a worker
        await pilot.pause()
        assert app.screen.id == "model-panel" and "scripted" in app.screen.body
        await pilot.press("escape")
        await send(pilot, "/context")
        assert isinstance(app.screen, ContextScreen)
        await pilot.press("escape")
        await send(pilot, "/forget")
        assert isinstance(app.screen, MemoryScreen)
        await pilot.press("escape")
        await send(pilot, "/bogus and more")
        assert any("Unknown command /bogus" in n.message for n in app.notices)
        assert app.chat_screen.prompt.value == "/bogus and more"  # kept, not lost
        await send(pilot, "hello")
        await idle(app, pilot)
        conversation_id = app.chat_screen.conversation_id
        await send(pilot, "/new")
        assert app.chat_screen.conversation_id is None
        assert [b.raw for b in app.chat_screen.chat.bubbles()][-1].startswith("A fresh page")
        app.chat_screen.conversation.conversation_id = conversation_id
        await send(pilot, "/reset")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.get_conversation(conversation_id) is None
        assert app.chat_screen.conversation_id is None


async def test_forget_all_from_the_message_box(make, store, ready):
    from samantha.memories import add_memory

    add_memory(store, "likes the sea")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "/forget all")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.count_memories() == 0


async def test_command_palette_lists_every_action(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for binding in ChatScreen.BINDINGS:
            assert binding.description in titles
        for title, _, action in EXTRA_COMMANDS:
            assert title in titles
            assert hasattr(ChatScreen, f"action_{action}")
        for binding in ChatScreen.BINDINGS:
            assert hasattr(ChatScreen, f"action_{binding.action}")
        help_command = next(c for c in app.get_system_commands(app.screen) if c.title == "Help")
        help_command.callback()
        await pilot.pause()
        assert isinstance(app.screen, TextPanel)


async def test_keymap_from_config_rebinds_by_id(make, monkeypatch, ready):
    monkeypatch.setenv("SAMANTHA_UI__KEYMAP", '{"new_conversation": "ctrl+t", "help": "f9"}')
    app = make(settings=load_settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.chat_screen.conversation.conversation_id = "something"
        await pilot.press("ctrl+n")
        assert app.chat_screen.conversation_id == "something"
        await pilot.press("ctrl+t")
        assert app.chat_screen.conversation_id is None
        await pilot.press("f9")
        assert isinstance(app.screen, TextPanel) and "ctrl+t" in app.screen.body


async def test_incognito_shows_past_conversations_but_saves_nothing_new(
    make, store, scripted_model, ready, idle
):
    past = store.create_conversation("before incognito")
    store.add_message(past.id, "user", "an old message")
    scripted_model.enqueue("Not written down.")
    app = make(incognito=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        sidebar = app.chat_screen.sidebar
        assert sidebar.conversation_ids() == [past.id]
        sidebar.options.focus()
        sidebar.highlight(past.id)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [b.raw for b in app.chat_screen.chat.bubbles()] == ["an old message"]
        assert app.chat_screen.conversation_id is None
        await send(pilot, "something private")
        await idle(app, pilot)
        assert app.chat_screen.chat.bubbles()[-1].raw == "Not written down."
        assert store.count_messages() == 1 and store.count_conversations() == 1


async def test_the_database_comes_before_the_model(make, store, monkeypatch, settings, scripted_model):
    """Built by the app itself: the sidebar fills from the database while the model is still loading."""
    import threading

    from samantha import runtime

    conversation = store.create_conversation("waiting for the model")
    store.add_message(conversation.id, "user", "x")
    release = threading.Event()

    def slow_build(settings, *, store, incognito=False, model=None):
        release.wait(10)
        return Companion(settings, store, scripted_model)

    monkeypatch.setattr(runtime, "open_store", lambda settings: store)
    monkeypatch.setattr(runtime, "build_companion", slow_build)
    app = make(companion=None)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            if app.chat_screen.sidebar.conversation_ids():
                break
            await pilot.pause(0.01)
        assert app.chat_screen.sidebar.conversation_ids() == [conversation.id]
        assert app.companion is None and app.chat_screen.chat.bubbles()[0].raw.startswith("Welcome back")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.companion is not None
