"""Fixtures for the app's tests. Every app here talks to the scripted fake model (no real model, no
network) over a store in the test's temporary SAMANTHA_HOME."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.worker import WorkerCancelled

from samantha.companion import Companion
from samantha.config import Settings
from samantha.tui import make_app
from samantha.tui.app import SamanthaApp


@pytest.fixture
def make(settings: Settings, companion: Companion) -> Callable[..., SamanthaApp]:
    """Build the app around the shared scripted companion; keyword options go to `make_app`."""

    def build(**options: Any) -> SamanthaApp:
        options.setdefault("companion", companion)
        return make_app(options.pop("settings", settings), **options)

    return build


@pytest.fixture
def ready() -> Callable[..., Any]:
    return wait_ready


@pytest.fixture
def idle() -> Callable[..., Any]:
    return wait_idle


async def settle(app: SamanthaApp) -> None:
    """Wait for every worker of the app to end. An exclusive worker that a newer one of its group
    replaced ends cancelled (the sidebar's `load`, when two reloads come close together on a loaded
    machine): that is how it is meant to work, so wait for the rest rather than fail."""
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def wait_ready(app: SamanthaApp, pilot: Any) -> None:
    """Wait until the core is attached and the start-up workers are done."""
    for _ in range(200):
        if app.companion is not None:
            break
        await pilot.pause(0.01)
    await settle(app)
    await pilot.pause()


async def wait_idle(app: SamanthaApp, pilot: Any) -> None:
    """Wait until no turn is streaming and every worker is done."""
    screen = app.chat_screen
    for _ in range(500):
        await settle(app)
        await pilot.pause()
        if not screen.conversation.streaming and screen.conversation.queued is None:
            break
    await settle(app)
    await pilot.pause()
