"""Snapshot tests of the main screens, in English and Korean (pytest-textual-snapshot).

The app runs the seeded demo (`samantha.tui.demo`): the scripted fake model, conversations with fixed
times, a store clock that is fixed too. Update with `pytest tests/tui/test_snapshots.py --snapshot-update`
after checking the new pictures.
"""

from __future__ import annotations

import pytest

from samantha.memories import add_memory, remember_from_message
from samantha.store import Store
from samantha.tui import demo
from samantha.tui.app import SamanthaApp

SIZE = (120, 36)


@pytest.fixture
def demo_app(settings, samantha_home, monkeypatch):
    monkeypatch.setattr("samantha.store.store.now", demo.FixedClock())
    stores: list[Store] = []

    def build(language: demo.Language) -> SamanthaApp:
        store = Store.open(samantha_home / f"demo-{language}.db")
        stores.append(store)
        demo.seed(store, language)
        return SamanthaApp(settings, companion=demo.demo_companion(settings, store, language))

    yield build
    for store in stores:
        store.close()


async def settle(pilot) -> None:
    """Let a screen opened by a key finish mounting and drawing (slow on a busy machine)."""
    for _ in range(3):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.05)


def played(language: demo.Language, *keys: str):
    async def run_before(pilot) -> None:
        await demo.play_turns(pilot.app, pilot, language)
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("language", ["en", "ko"])
def test_chat(snap_compare, demo_app, language):
    assert snap_compare(demo_app(language), terminal_size=SIZE, run_before=played(language))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_sources_side_by_side(snap_compare, demo_app, language):
    assert snap_compare(demo_app(language), terminal_size=SIZE, run_before=played(language, "f3"))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_context_inspector(snap_compare, demo_app, language):
    assert snap_compare(demo_app(language), terminal_size=SIZE, run_before=played(language, "f4"))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_memory_panel(snap_compare, demo_app, language):
    app = demo_app(language)

    async def run_before(pilot) -> None:
        await demo.play_turns(pilot.app, pilot, language)
        store = app.companion.store
        conversation = store.create_conversation("about me")
        text = "My name is Mina and I work as a nurse." if language == "en" else "내 이름은 민아야."
        remember_from_message(store, store.add_message(conversation.id, "user", text))
        add_memory(store, "likes the sea at night" if language == "en" else "밤바다를 좋아함")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(60, 20), (40, 12)], ids=["60x20", "40x12"])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_chat_in_a_small_window(snap_compare, demo_app, language, size):
    """The sidebar folded away, the chat wrapping at a readable width, the message box usable."""
    assert snap_compare(demo_app(language), terminal_size=size, run_before=played(language))


def test_sources_over_korean_text_at_the_panel_edge(snap_compare, demo_app):
    """Korean lines run under the panel's edges; nothing of them shows beside it."""
    assert snap_compare(demo_app("ko"), terminal_size=(100, 30), run_before=played("ko", "f3"))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app("en"), terminal_size=SIZE, run_before=played("en", "f1"))


def test_first_frame_for_a_new_user(snap_compare, settings, companion):
    async def run_before(pilot) -> None:
        while pilot.app.companion is None:
            await pilot.pause(0.01)
        await pilot.app.workers.wait_for_complete()
        pilot.app.chat_screen.prompt.cursor_blink = False
        await pilot.pause()

    assert snap_compare(SamanthaApp(settings, companion=companion), terminal_size=SIZE, run_before=run_before)
