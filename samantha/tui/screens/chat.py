"""The chat screen: the sidebar, the conversation, the status bar and the footer, and the commands.

The screen holds no flow of its own: the conversation widget owns the turn, the sidebar owns the list
and its changes, the service does the I/O. The screen routes their messages to each other and opens
the panels. Its keys and actions come from the one command list (`samantha.commands`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from samantha import commands
from samantha.tui.footer import FittingFooter
from samantha.tui.screens.memory import MemoryScreen, export_everything, forget_everything
from samantha.tui.screens.models import show_models, switch_model
from samantha.tui.screens.panels import ContextScreen, SourcesScreen, help_panel
from samantha.tui.widgets.chat_view import ChatView
from samantha.tui.widgets.conversation import BUSY, Conversation
from samantha.tui.widgets.notice_bar import NoticeBar
from samantha.tui.widgets.prompt import PromptInput
from samantha.tui.widgets.sidebar import Sidebar
from samantha.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from samantha.tui.services import ChatService, ModelFacts

#: Below this many columns the sidebar folds away on its own, so the conversation keeps room for its text
#: (at 60 columns it wraps at more than 40); it comes back when the terminal is wider again.
SIDEBAR_FOLD_WIDTH = 84


class ChatScreen(Screen[None]):
    """Where the conversation happens. Every binding is a command of `samantha.commands`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(c.key, c.id, c.title, id=c.id, show=c.footer) for c in commands.keyed() if c.key
    ]

    @dataclass
    class IncognitoWanted(Message):
        """Ask the app to switch incognito (it rebuilds the core)."""

        on: bool

    def __init__(self, service: ChatService, *, incognito: bool, sidebar_drawn: threading.Event) -> None:
        super().__init__(id="chat-screen")
        self.service = service
        self.incognito = incognito
        self.sidebar_drawn = sidebar_drawn
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(self.service)
            yield Conversation(self.service)
        yield NoticeBar()
        yield StatusBar(id="status")
        yield FittingFooter(keep=["help"])  # f1 lists every key, so it stays while any key shows

    def on_mount(self) -> None:
        self.sidebar.drawn = self.sidebar_drawn
        self.status.incognito = self.incognito
        self.prompt.focus()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < SIDEBAR_FOLD_WIDTH
        if narrow != self._narrow:
            self._narrow = narrow
            self.sidebar.display = not narrow

    # Parts (the app and the tests reach them here)

    @property
    def conversation(self) -> Conversation:
        return self.query_one(Conversation)

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one("#prompt", PromptInput)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def notice(self) -> NoticeBar:
        return self.query_one(NoticeBar)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def conversation_id(self) -> str | None:
        return self.conversation.conversation_id

    def key(self, command_id: str) -> str:
        """The key bound to a command now (after the user's keymap)."""
        return commands.key_of(command_id, self.service.settings.ui.keymap)

    # The core arriving (built by the app in a worker after the first frame)

    def store_ready(self) -> None:
        """The user's database is open: fill the sidebar and greet, while the model is still loading."""
        self.sidebar.reload()
        self.conversation.load_greeting()

    def companion_ready(self, *, incognito: bool) -> None:
        facts = self.service.model_facts()
        assert facts is not None
        self.incognito = self.conversation.hide_ids = incognito
        self.status.show_model(facts, incognito=incognito)
        self.conversation.send_queued()

    # Between the parts

    @on(Conversation.Started)
    @on(Sidebar.Deleted)
    def _list_changed(self, event: Conversation.Started | Sidebar.Deleted) -> None:
        if isinstance(event, Sidebar.Deleted) and event.conversation_id == self.conversation_id:
            self.conversation.new()
        self.sidebar.open_id = self.conversation_id
        self.sidebar.reload()

    @on(Conversation.StateChanged)
    def _state(self, event: Conversation.StateChanged) -> None:
        self.status.state = event.state

    @on(Conversation.TurnOver)
    def _turn_over(self, event: Conversation.TurnOver) -> None:
        if event.context is not None:
            self.status.used = event.context.used
            self.status.budget = event.context.budget
        if cited := event.cited():
            self.notify(f"This answer cites {cited}; {self.key('sources')} shows them.")
        self.sidebar.reload()

    def _switched(self, facts: ModelFacts) -> None:
        self.status.show_model(facts, incognito=self.incognito)

    @on(Sidebar.Opened)
    def _open(self, event: Sidebar.Opened) -> None:
        if self.conversation.open(event.conversation_id):
            self.sidebar.open_id = event.conversation_id

    @on(Conversation.SourcesWanted)
    def _sources(self, event: Conversation.SourcesWanted) -> None:
        self.app.push_screen(
            SourcesScreen(
                event.citations, focus_n=event.focus_n, memories=event.memories, focus_m=event.focus_m
            )
        )

    @on(Conversation.CommandTyped)
    async def _command(self, event: Conversation.CommandTyped) -> None:
        if event.command.id == "model" and event.argument:  # /model NAME switches
            switch_model(self, self.service, event.argument, self._switched)
        else:
            await self.run_action(event.command.id)

    # Actions: one per command (bindings, palette and slash commands all land here)

    def action_stop(self) -> None:
        if not self.conversation.stop() and self.focused is not self.prompt:
            self.prompt.focus()

    def action_new_conversation(self) -> None:
        if self.conversation.new():
            self.status.used = 0
            self.sidebar.open_id = None

    def action_regenerate(self) -> None:
        self.conversation.regenerate()

    def action_copy(self) -> None:
        self.conversation.copy()

    def action_sources(self) -> None:
        self.conversation.show_sources()

    def action_context(self) -> None:
        self.app.push_screen(ContextScreen(self.conversation.last_context))

    def action_memories(self) -> None:
        self.app.push_screen(MemoryScreen(self.service))

    def action_incognito(self) -> None:
        if self.conversation.streaming:
            self.notify(BUSY, severity="warning")
        else:
            self.post_message(self.IncognitoWanted(not self.incognito))

    def action_help(self) -> None:
        self.app.push_screen(help_panel(self.key))

    def action_toggle_sidebar(self) -> None:
        self.sidebar.display = not self.sidebar.display

    def action_find(self) -> None:
        self.sidebar.display = True
        self.sidebar.query_one("#filter", Input).focus()

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_rename(self) -> None:
        self.sidebar.rename(self.sidebar.target(self.conversation_id))

    def action_delete(self) -> None:
        target = self.sidebar.target(self.conversation_id)
        if self.conversation.streaming and target == self.conversation_id:
            self.notify(BUSY, severity="warning")
        else:
            self.sidebar.delete(target)

    def action_delete_current(self) -> None:
        if self.conversation_id is None:
            self.notify("This conversation has nothing saved yet.")
            return
        self.prompt.focus()
        self.action_delete()

    def action_model(self) -> None:
        if self.service.model_facts() is None:
            self.notify("I'm still waking up.")
        else:
            show_models(self, self.service)

    def action_continue_reply(self) -> None:
        self.conversation.continue_reply()

    def action_export(self) -> None:
        export_everything(self, self.service)

    def action_forget_all(self) -> None:
        forget_everything(self, self.service)
