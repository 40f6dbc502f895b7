"""The App: bindings and keymap, theme, the command palette, and building the core after the first frame."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from samantha import commands
from samantha.tui.messages import CompanionFailed, CompanionReady, StoreReady
from samantha.tui.screens.chat import ChatScreen
from samantha.tui.services import ChatService
from samantha.tui.widgets.notice_bar import Notice

if TYPE_CHECKING:
    from samantha.companion import Companion
    from samantha.config import Settings
    from samantha.llm.base import ChatModel

#: Palette entries for commands that have no key of their own: (title, help, action).
EXTRA_COMMANDS = [(c.title, c.help, c.id) for c in commands.unkeyed()]


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
        self.service = ChatService(settings, companion=companion)
        self.sidebar_drawn = threading.Event()
        """Set once the first page of conversations is on screen; the model loads after that."""
        self._model_notice_shown = False
        self.notices: deque[Notice] = deque(maxlen=100)
        """What the app told the user lately, oldest first, and where (the notice bar or a toast)."""

    @property
    def companion(self) -> Companion | None:
        return self.service.companion

    def get_default_screen(self) -> Screen[None]:
        return ChatScreen(self.service, incognito=self.incognito, sidebar_drawn=self.sidebar_drawn)

    @property
    def chat_screen(self) -> ChatScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, ChatScreen)
        return screen

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
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
        self.build_core(self.incognito, None, first=True)

    @work(thread=True, exclusive=True, group="core", exit_on_error=False)
    def build_core(self, incognito: bool, model: ChatModel | None, *, first: bool = False) -> None:
        from samantha.errors import SamanthaError

        try:
            self.service.open_store()
            if first:
                self.post_message(StoreReady())
            if first and self.given_companion is None:
                # Loading the model and retrieval holds the interpreter for a while; let the sidebar and
                # the greeting reach the screen first.
                self.sidebar_drawn.wait(timeout=2.0)
            companion = self.service.build_companion(incognito=incognito, model=model)
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
        self.chat_screen.store_ready()

    @on(CompanionReady)
    def _core_ready(self, event: CompanionReady) -> None:
        if event.incognito != self.incognito:
            return  # built before the user switched incognito; the right one is on its way
        self.service.attach(event.companion)
        self.chat_screen.companion_ready(incognito=self.incognito)
        facts = self.service.model_facts()
        if facts and facts.small_model_notice and not self._model_notice_shown:
            self._model_notice_shown = True  # once a run: the status bar keeps a short reminder
            self.notify(facts.small_model_notice, title="About this model", timeout=12, more="/model")

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
        self.chat_screen.action_new_conversation()
        self.service.attach(None)
        self.build_core(on, model)
        self.notify("Incognito: nothing is written while this is on." if on else "Incognito is off.")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
        more: str = "",
    ) -> None:
        """On the chat screen a notice shows in the notice bar above the status bar, where it covers
        nothing, and only there; over a panel or dialog (which hides the bar) it is a toast.

        Args:
            more: where the whole text can be read, said if the notice bar has to cut it.
        """
        seconds = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        on_chat = self._on_chat_screen()
        notice = Notice(message, title, severity, seconds, "bar" if on_chat else "toast", more)
        self.notices.append(notice)
        if on_chat:
            self.chat_screen.notice.show(notice)
        else:
            super().notify(message, title=title, severity=severity, timeout=seconds, markup=markup)

    def clear_notifications(self) -> None:
        super().clear_notifications()
        if len(self.screen_stack):
            self.chat_screen.notice.clear()

    def _on_chat_screen(self) -> bool:
        return bool(self.screen_stack) and self.screen is self.screen_stack[0]

    def _screen_changed(self, screen: Screen[object]) -> None:
        """Back on the chat screen, a toast still showing from the panel just closed moves to the notice
        bar for the rest of its time (Textual would otherwise show it as a toast over the conversation)."""
        if not self._on_chat_screen():
            return
        toasts = [n for n in self.notices if n.shown_in == "toast" and n.seconds_left() > 0]
        if toasts:
            super().clear_notifications()
            self.chat_screen.notice.show(toasts[-1], seconds=toasts[-1].seconds_left())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every command, with its current key, then the app's own."""
        chat = self.chat_screen
        for command in commands.keyed():
            yield SystemCommand(command.title, chat.key(command.id), partial(self._chat_action, command.id))
        for command in commands.unkeyed():
            yield SystemCommand(command.title, command.help, partial(self._chat_action, command.id))
        yield from super().get_system_commands(screen)

    def _chat_action(self, action: str) -> None:
        self.call_later(self.run_action, action, self.chat_screen)
