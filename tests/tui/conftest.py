"""Fixtures for the app's tests. Every app here talks to the scripted fake model (no real model, no
network) over a store in the test's temporary SAMANTHA_HOME."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support.app_driving import wait_idle, wait_ready

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
