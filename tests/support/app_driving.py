"""Driving the Textual app in a test (`app.run_test()`): sending a message, waiting for the core and for
the turn to end. Shared by the app's tests and the proof suites that go through the app."""

from __future__ import annotations

from typing import Any

from textual.worker import WorkerCancelled


async def send(pilot: Any, text: str) -> None:
    """Type `text` in the message box, press enter, and wait until the app has taken it: a turn is
    running or queued, the box was cleared, or a warning said why not. On a loaded machine the key can
    still be in the app's queues when `press` returns, and `wait_idle` would then see nothing to wait
    for."""
    app = pilot.app
    last_notice = app.notices[-1] if app.notices else None
    app.chat_screen.prompt.value = text
    await pilot.press("enter")
    conversation = app.chat_screen.conversation
    for _ in range(500):
        running = conversation.streaming or conversation.queued is not None
        taken = running or app.chat_screen.prompt.value != text
        newest = app.notices[-1] if app.notices else None
        refused = newest is not last_notice and newest.severity != "information"  # e.g. too long
        if taken or refused:
            return
        await pilot.pause(0.01)


async def settle(app: Any) -> None:
    """Wait for every worker of the app to end. An exclusive worker that a newer one of its group
    replaced ends cancelled (the sidebar's `load`, when two reloads come close together on a loaded
    machine): that is how it is meant to work, so wait for the rest rather than fail."""
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def wait_ready(app: Any, pilot: Any) -> None:
    """Wait until the core is attached and the start-up workers are done."""
    for _ in range(200):
        if app.companion is not None:
            break
        await pilot.pause(0.01)
    await settle(app)
    await pilot.pause()


async def wait_idle(app: Any, pilot: Any) -> None:
    """Wait until the core is attached, no turn is streaming, nothing is queued and every worker is
    done (a message sent before the model loaded is queued, then sent when the core arrives)."""
    conversation = app.chat_screen.conversation
    for _ in range(1000):
        await settle(app)
        await pilot.pause(0.01)
        if app.companion is not None and not conversation.streaming and conversation.queued is None:
            break
    await settle(app)
    await pilot.pause()
