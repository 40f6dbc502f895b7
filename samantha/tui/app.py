"""The App: bindings and keymap, theme, the command palette, and building the core after the first frame."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from samantha.tui import services
from samantha.tui.messages import CompanionFailed, CompanionReady, StoreReady
from samantha.tui.screens.chat import ChatScreen

if TYPE_CHECKING:
    from samantha.companion import Companion
    from samantha.config import Settings
    from samantha.llm.base import ChatModel
    from samantha.store import Store

#: Palette entries for actions that have no key of their own.
EXTRA_COMMANDS = [
    ("Model", "Which model Samantha runs on, and how to switch", "model"),
    ("Export", "Export conversations and memories to a JSON file", "export"),
    ("Forget everything remembered", "Forget all memories, after asking", "forget_all"),
    ("Reset conversation", "Delete the open conversation, after asking", "delete_current"),
]


class SamanthaApp(App[None]):
    """Samantha in the terminal.

    Args:
        settings: the user's settings (keymap and theme under `ui`).
        companion: a ready core (tests pass one with a scripted model); else one is built in a worker
            after the first frame, so start-up never waits for the database or the model.
        incognito: start with nothing written to the database.
    """

    CSS_PATH = "app.tcss"
    TITLE = "Samantha"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)]

    def __init__(
        self, settings: Settings, *, companion: Companion | None = None, incognito: bool = False
    ) -> None:
        super().__init__()
        self.settings = settings
        self.incognito = incognito
        self.given_companion = companion
        self.companion: Companion | None = None
        self.store: Store | None = None
        self.sidebar_drawn = threading.Event()
        """Set by the chat screen once the first page of conversations is on screen."""

    def get_default_screen(self) -> Screen[None]:
        return ChatScreen(incognito=self.incognito)

    @property
    def chat_screen(self) -> ChatScreen:
        screen = self.get_default_screen_instance()
        assert isinstance(screen, ChatScreen)
        return screen

    def get_default_screen_instance(self) -> Screen[object]:
        return self.screen_stack[0]

    def on_mount(self) -> None:
        if self.settings.ui.keymap:
            self.set_keymap(self.settings.ui.keymap)
        if self.settings.ui.theme == self.theme:
            pass  # setting it again would restyle every widget for nothing
        elif self.settings.ui.theme in self.available_themes:
            self.theme = self.settings.ui.theme
        else:
            self.notify(f"Unknown theme {self.settings.ui.theme!r}; using the default.", severity="warning")
        self.call_after_refresh(self.start_core)

    def start_core(self) -> None:
        if self.given_companion is not None:
            self.post_message(StoreReady(self.given_companion.store))
            companion = self.given_companion
            if self.incognito:
                companion = services.in_memory_companion(companion)
            self.post_message(CompanionReady(companion, self.incognito))
        else:
            self.build_core(self.incognito, None)

    @work(thread=True, exclusive=True, group="core", exit_on_error=False)
    def build_core(self, incognito: bool, model: ChatModel | None) -> None:
        from samantha.errors import SamanthaError

        try:
            if self.store is None:
                store = services.open_store(self.settings)
                self.post_message(StoreReady(store))
                # Loading the model and retrieval holds the interpreter for a while; let the sidebar and
                # the greeting reach the screen first.
                self.sidebar_drawn.wait(timeout=2.0)
            else:
                store = self.store
            companion = services.build_companion(self.settings, store=store, incognito=incognito, model=model)
        except SamanthaError as exc:
            self.post_message(CompanionFailed(exc.message))
            return
        except Exception as exc:
            self.post_message(
                CompanionFailed(f"Something unexpected went wrong ({type(exc).__name__}: {exc}).")
            )
            return
        self.post_message(CompanionReady(companion, incognito))

    @on(StoreReady)
    def _store_ready(self, event: StoreReady) -> None:
        self.store = event.store
        self.chat_screen.store_ready(event.store)

    @on(CompanionReady)
    def _core_ready(self, event: CompanionReady) -> None:
        if event.incognito != self.incognito:
            return  # built before the user switched incognito; the right one is on its way
        self.companion = event.companion
        self.chat_screen.companion_ready(event.companion, incognito=self.incognito)

    @on(CompanionFailed)
    def _core_failed(self, event: CompanionFailed) -> None:
        self.chat_screen.status.state = "not connected"
        self.notify(event.message, title="Samantha can't start her mind", severity="error", timeout=30)

    @on(ChatScreen.IncognitoWanted)
    def _incognito(self, event: ChatScreen.IncognitoWanted) -> None:
        self.action_set_incognito(event.on)

    def action_set_incognito(self, on: bool) -> None:
        """Switch incognito on or off; a new conversation starts either way."""
        self.incognito = on
        model = self.companion.model if self.companion else None
        screen = self.chat_screen
        screen.action_new_conversation()
        screen.companion = self.companion = None
        if self.given_companion is not None:
            companion = services.in_memory_companion(self.given_companion) if on else self.given_companion
            self.post_message(CompanionReady(companion, on))
        else:
            self.build_core(on, model)
        self.notify("Incognito: nothing is written while this is on." if on else "Incognito is off.")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action of the chat screen, with its current key, then the app's own."""
        chat = self.chat_screen
        for binding in ChatScreen.BINDINGS:
            if isinstance(binding, Binding):
                key = chat._key(binding.id or "")
                yield SystemCommand(binding.description, f"{key}", partial(self._chat_action, binding.action))
        for title, help_text, action in EXTRA_COMMANDS:
            yield SystemCommand(title, help_text, partial(self._chat_action, action))
        yield from super().get_system_commands(screen)

    def _chat_action(self, action: str) -> None:
        self.call_later(self.run_action, action, self.chat_screen)
