"""The terminal app (Textual). Only this package imports Textual; the core never does.

`run_app` is what `samantha` calls on a terminal; `make_app` is the factory the CLI and the tests share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samantha.config import Settings
    from samantha.tui.app import SamanthaApp


def make_app(settings: Settings | None = None, **options: Any) -> SamanthaApp:
    """Build the app; see `SamanthaApp` for the options (companion, incognito)."""
    from samantha.tui.app import SamanthaApp

    if settings is None:
        from samantha.config import load_settings

        settings = load_settings()
    return SamanthaApp(settings, **options)


def run_app(*, incognito: bool = False) -> None:
    """Start the app on this terminal and return when the user quits."""
    from samantha.config import load_settings

    settings = load_settings()
    make_app(settings, incognito=incognito or settings.incognito).run()


__all__ = ["make_app", "run_app"]
