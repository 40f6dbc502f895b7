"""The chat screen: the sidebar, the conversation, the status bar and the footer, and the commands.

The screen holds no flow of its own: the conversation widget owns the turn, the sidebar owns the list
and its changes, the service does the I/O. The screen routes their messages to each other and opens
the panels. Its keys and actions come from the one command list (`samantha.commands`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input

from samantha import commands
from samantha.textsafe import terminal_safe
from samantha.tui.screens.dialogs import ConfirmScreen
from samantha.tui.screens.panels import ContextScreen, SourcesScreen, TextPanel
from samantha.tui.widgets.chat_view import ChatView, MessageBubble
from samantha.tui.widgets.conversation import Conversation
from samantha.tui.widgets.notice_bar import NoticeBar
from samantha.tui.widgets.prompt import PromptInput
from samantha.tui.widgets.sidebar import Sidebar
from samantha.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from samantha.context import ContextPlan
    from samantha.records import Message as StoredMessage
    from samantha.tui.services import ChatService

#: Below this many columns the sidebar folds away on its own, so the conversation keeps room for its text
#: (at 60 columns it wraps at more than 40); it comes back when the terminal is wider again.
SIDEBAR_FOLD_WIDTH = 84

GREETING_NEW = (
    "Hi, I'm Samantha. I'm here to talk — about your day, about anything, or about the film *Her*; "
    "ask me about it and I'll show you what the reviews say. Type a message and press Enter."
)
GREETING_BACK = (
    "Welcome back{name}. It's good to hear from you again. Last time we talked about “{title}”; "
    "pick it on the left to carry on, or just start typing."
)


class ChatScreen(Screen[None]):
    """Where the conversation happens. Every binding is a command of `samantha.commands`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(c.key, c.id, c.title, id=c.id, show=c.footer) for c in commands.keyed() if c.key
    ]

    @dataclass
    class Greeting(Message):
        text: str

    @dataclass
    class Note(Message):
        """A worker's outcome to tell the user."""

        text: str

    @dataclass
    class IncognitoWanted(Message):
        """Ask the app to switch incognito (it rebuilds the core)."""

        on: bool

    def __init__(self, service: ChatService, *, incognito: bool, sidebar_drawn: threading.Event) -> None:
        super().__init__(id="chat-screen")
        self.service = service
        self.incognito = incognito
        self.sidebar_drawn = sidebar_drawn
        self._notice_shown = False
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(self.service)
            yield Conversation(self.service)
        yield NoticeBar()
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sidebar.drawn = self.sidebar_drawn
        self.status.incognito = self.incognito
        self.prompt.focus()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < SIDEBAR_FOLD_WIDTH
        if narrow != self._narrow:
            self._narrow = narrow
            self.sidebar.display = not narrow

    # Parts (the tests and the app reach them here)

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

    @conversation_id.setter
    def conversation_id(self, value: str | None) -> None:
        self.conversation.conversation_id = value

    @property
    def streaming(self) -> bool:
        return self.conversation.streaming

    @property
    def queued(self) -> Conversation.Pending | None:
        return self.conversation.queued

    @property
    def last_context(self) -> ContextPlan | None:
        return self.conversation.last_context

    def key(self, command_id: str) -> str:
        """The key bound to a command now (after the user's keymap)."""
        return commands.key_of(command_id, self.service.settings.ui.keymap)

    # The core arriving (built by the app in a worker after the first frame)

    def store_ready(self) -> None:
        """The user's database is open: fill the sidebar and greet, while the model is still loading."""
        self.sidebar.reload()
        self.greet()

    @work(thread=True, exclusive=True, group="greeting", exit_on_error=False)
    def greet(self) -> None:
        title = self.service.latest_title()
        if title is None:
            self.post_message(self.Greeting(GREETING_NEW))
        else:
            name = self.service.user_name()
            text = GREETING_BACK.format(name=f", {name}" if name else "", title=title or "our last chat")
            self.post_message(self.Greeting(text))

    @on(Greeting)
    def _greet(self, event: Greeting) -> None:
        if self.conversation_id is None:
            self.conversation.greet(event.text)

    def companion_ready(self, *, incognito: bool) -> None:
        facts = self.service.model_facts()
        assert facts is not None
        self.incognito = self.conversation.hide_ids = incognito
        self.status.model_label = f"{facts.backend} · {terminal_safe(facts.name)}"
        self.status.budget = facts.budget
        self.status.incognito = incognito
        self.status.state = ""
        if facts.small_model_notice:
            self.status.notice = "tiny built-in model (/model for how to switch)"
            if not self._notice_shown:
                self._notice_shown = True
                self.notify(facts.small_model_notice, title="About this model", timeout=12)
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
        if event.citations:
            self.notify(f"This answer cites {event.citations} passage(s); {self.key('sources')} shows them.")
        self.sidebar.reload()

    @on(Sidebar.Opened)
    def _open(self, event: Sidebar.Opened) -> None:
        if self.streaming:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        self.load_history(event.conversation_id)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self, conversation_id: str) -> None:
        messages = self.service.history(conversation_id)
        self.app.call_from_thread(self._show_history, conversation_id, messages)

    def _show_history(self, conversation_id: str, messages: list[StoredMessage]) -> None:
        self.conversation.show_history(conversation_id, messages)
        self.sidebar.open_id = conversation_id

    @on(Conversation.CommandTyped)
    async def _command(self, event: Conversation.CommandTyped) -> None:
        await self.run_action(event.command.id)

    @on(Note)
    def _note(self, event: Note) -> None:
        self.notify(terminal_safe(event.text))

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

    def action_sources(self, n: int | None = None, bubble: MessageBubble | None = None) -> None:
        bubble = bubble or self.conversation.last_cited()
        self.app.push_screen(SourcesScreen(bubble.citations if bubble else [], focus_n=n))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """An [n] in a reply was clicked: open that passage. (By name, so Markdown loads lazily.)"""
        if not event.href.startswith("cite:"):
            return
        event.stop()
        bubble = next((a for a in event.markdown.ancestors if isinstance(a, MessageBubble)), None)
        self.action_sources(int(event.href[5:]), bubble)

    def action_context(self) -> None:
        self.app.push_screen(ContextScreen(self.last_context))

    def action_memories(self) -> None:
        from samantha.tui.screens.memory import MemoryScreen

        self.app.push_screen(MemoryScreen(self.service))

    def action_incognito(self) -> None:
        if self.streaming:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        self.post_message(self.IncognitoWanted(not self.incognito))

    def action_help(self) -> None:
        keys = "\n".join(f"{self.key(c.id):<14}{c.title}" for c in commands.keyed())
        body = (
            f"Slash commands\n\n{commands.slash_help()}\n\nKeys\n\n{keys}\n"
            f"{'ctrl+p':<14}Command palette (every action)"
        )
        self.app.push_screen(TextPanel("Help", body, "help-panel"))

    def action_toggle_sidebar(self) -> None:
        self.sidebar.display = not self.sidebar.display

    def action_find(self) -> None:
        self.sidebar.display = True
        self.sidebar.query_one("#filter", Input).focus()

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_rename(self) -> None:
        self.sidebar.open_id = self.conversation_id
        self.sidebar.rename(self.sidebar.target())

    def action_delete(self) -> None:
        self.sidebar.open_id = self.conversation_id
        target = self.sidebar.target()
        if self.streaming and target == self.conversation_id:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        self.sidebar.delete(target)

    def action_delete_current(self) -> None:
        if self.conversation_id is None:
            self.notify("This conversation has nothing saved yet.")
            return
        self.prompt.focus()
        self.action_delete()

    def action_model(self) -> None:
        facts = self.service.model_facts()
        if facts is None:
            self.notify("I'm still waking up.")
            return
        lines = [
            f"Model: {facts.name}",
            f"Backend: {facts.backend}",
            f"Context window: {facts.context_window:,} tokens ({facts.reply_tokens:,} kept for the reply)",
            "",
            facts.small_model_notice
            or "Switch with SAMANTHA_BASE_URL / SAMANTHA_MODEL / SAMANTHA_MODEL_PATH (see the README).",
        ]
        self.app.push_screen(TextPanel("Model", terminal_safe("\n".join(lines)), "model-panel"))

    def action_export(self) -> None:
        self.export()

    @work(thread=True, group="change", exit_on_error=False)
    def export(self) -> None:
        try:
            note = f"Exported to {self.service.export(self.service.export_folder())}"
        except Exception as exc:
            note = f"Could not export: {exc}"
        self.post_message(self.Note(note))

    def action_forget_all(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.forget_all()

        self.app.push_screen(
            ConfirmScreen("Forget everything I remember about you?", yes="Forget all"), answered
        )

    @work(thread=True, group="change", exit_on_error=False)
    def forget_all(self) -> None:
        count = self.service.forget_all()
        self.post_message(self.Note(f"Forgot {count} memories." if count else "Nothing left to forget."))
