"""The chat screen: conversation, sidebar, message box, status bar.

Workers (threads) talk to the core and post the nested messages below; `@on` handlers change widgets.
A turn's pieces are batched in the worker and posted every SCREEN_UPDATE_SECONDS, so a fast model does not
redraw the Markdown per token.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Input

from samantha.textsafe import terminal_safe
from samantha.tui import services
from samantha.tui.screens.conversations import ConversationsScreen
from samantha.tui.screens.dialogs import ConfirmScreen
from samantha.tui.screens.panels import ContextScreen, SourcesScreen, TextPanel
from samantha.tui.widgets.chat_view import ChatView, MessageBubble
from samantha.tui.widgets.prompt import PromptInput
from samantha.tui.widgets.sidebar import Sidebar
from samantha.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from samantha.companion import Companion, TurnResult
    from samantha.context import ContextPlan
    from samantha.store import Store

#: Seconds between two screen updates of a streaming reply.
SCREEN_UPDATE_SECONDS = 0.05

GREETING_NEW = (
    "Hi, I'm Samantha. I'm here to talk — about your day, about anything, or about the film *Her*; "
    "ask me about it and I'll show you what the reviews say. Type a message and press Enter."
)
GREETING_BACK = (
    "Welcome back{name}. It's good to hear from you again. Last time we talked about “{title}”; "
    "pick it on the left to carry on, or just start typing."
)

SLASH_HELP = """\
/new          start a new conversation
/forget       open what I remember about you (/forget all: forget everything I remember)
/reset        delete this conversation, after asking
/export       export conversations and memories to a JSON file
/incognito    turn incognito on or off (nothing is written while on)
/sources      the review passages the last reply cited
/context      what the last turn sent to the model, with token counts
/model        which model I run on, and how to switch
/help         this help"""


SLASH_COMMANDS = (
    "/new",
    "/forget",
    "/reset",
    "/export",
    "/incognito",
    "/sources",
    "/context",
    "/model",
    "/help",
)


class ChatScreen(ConversationsScreen):
    """Where the conversation happens: sending, streaming, stopping, regenerating, and the panels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", id="stop"),
        Binding("ctrl+n", "new_conversation", "New", id="new_conversation"),
        Binding("ctrl+r", "regenerate", "Regenerate", id="regenerate"),
        Binding("ctrl+y", "copy", "Copy", id="copy", show=False),
        Binding("f3", "sources", "Sources", id="sources"),
        Binding("f4", "context", "Context", id="context"),
        Binding("f5", "memories", "Memories", id="memories"),
        Binding("f6", "incognito", "Incognito", id="incognito"),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="toggle_sidebar", show=False),
        Binding("ctrl+f", "find", "Find conversation", id="find", show=False),
        Binding("f2", "rename", "Rename conversation", id="rename", show=False),
        Binding("f8", "delete", "Delete conversation", id="delete", show=False),
        Binding("ctrl+l", "focus_prompt", "Message box", id="focus_prompt", show=False),
    ]

    # Messages posted by this screen's workers.

    @dataclass
    class ReplyChunk(Message):
        text: str

    @dataclass
    class ReplyDone(Message):
        result: TurnResult
        context: ContextPlan | None

    @dataclass
    class ReplyFailed(Message):
        message: str
        retryable: bool
        result: TurnResult | None
        unsaved: str | None = None
        """The user's text when it could not be stored (busy database, full disk): it goes back in the box."""

    @dataclass
    class ConversationStarted(Message):
        conversation_id: str

    @dataclass
    class Greeting(Message):
        text: str

    @dataclass
    class IncognitoWanted(Message):
        """Ask the app to switch incognito (it rebuilds the core)."""

        on: bool

    @dataclass
    class Pending:
        """A message the user sent before the core was ready."""

        text: str
        ids: list[str] = field(default_factory=list)

    def __init__(self, *, incognito: bool = False) -> None:
        super().__init__(incognito=incognito)
        self.companion: Companion | None = None
        self.reply: MessageBubble | None = None
        self.queued: ChatScreen.Pending | None = None
        self._stop = threading.Event()
        self._drawn = threading.Event()
        """Set once the last batch of a streaming reply is on screen."""
        self._notice_shown = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar()
            with Vertical(id="main"):
                yield ChatView(id="chat")
                yield PromptInput(placeholder="Message Samantha (/help for commands)", id="prompt")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.status.incognito = self.incognito
        self.prompt.focus()

    def on_unmount(self) -> None:
        # Quitting mid-reply: the worker stops at the next piece and the partial reply is saved as
        # interrupted (the process would otherwise wait for the whole reply before exiting).
        self._stop.set()

    # The core arriving (built by the app in a worker after the first frame)

    def store_ready(self, store: Store) -> None:
        """The user's database is open: fill the sidebar and greet, while the model is still loading."""
        self.store = store
        self.load_start(store)

    def companion_ready(self, companion: Companion, *, incognito: bool) -> None:
        self.companion = companion
        self.incognito = incognito
        model = companion.model
        self.status.model_label = f"{model.backend} · {terminal_safe(model.name)}"
        self.status.budget = model.context_window - companion.settings.max_reply_tokens
        self.status.incognito = incognito
        self.status.state = ""
        notice = model.small_model_notice
        if notice:
            self.status.notice = "tiny built-in model (/model for how to switch)"
            if not self._notice_shown:
                self._notice_shown = True
                self.notify(notice, title="About this model", timeout=12)
        if self.queued is not None:
            pending, self.queued = self.queued, None
            self.send(pending.text, replace=pending.ids, shown=True)

    @work(thread=True, exclusive=True, group="sidebar", exit_on_error=False)
    def load_start(self, store: Store) -> None:
        """First page of conversations and the greeting, read after the first frame."""
        page = services.conversations_page(store, 0, "")
        self.post_message(
            self.ConversationsLoaded(page, False, len(page) if len(page) == services.PAGE_SIZE else None)
        )
        if self.conversation_id is None and not self.chat.bubbles():
            latest = page[0] if page else None
            if latest:
                name = services.user_name(store)
                title = latest.title or "our last chat"
                text = GREETING_BACK.format(name=f", {name}" if name else "", title=title)
            else:
                text = GREETING_NEW
            self.post_message(self.Greeting(text))

    @on(Greeting)
    def _greet(self, event: Greeting) -> None:
        if not self.chat.bubbles():
            self.chat.add("assistant", event.text).add_class("greeting")

    # Sending a message

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        if not text.strip():
            return
        if text.startswith("//"):
            text = text[1:]  # "//etc" sends "/etc"
        elif text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            if command not in SLASH_COMMANDS:
                self.notify(
                    f"Unknown command {terminal_safe(command)}. Type /help for the list; "
                    "start with // to send a message that begins with /.",
                    severity="warning",
                )
                return  # the text stays in the box
            self.prompt.value = ""
            self.slash(text)
            return
        if self.streaming:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return  # the text stays in the box
        from samantha.errors import UsageError
        from samantha.validation import check_text

        try:
            check_text(text)
        except UsageError as exc:
            self.notify(exc.message, severity="error")
            return
        if self.companion is None and self.queued is not None:
            self.notify("I'm still waking up; your first message goes out as soon as I'm ready.")
            return  # one message waits at a time; this one stays in the box
        self.prompt.value = ""
        if self.companion is None:
            self.queued = self.Pending(text)
            self.chat.add("user", text)
            self.status.state = "waking up…"
            self.notify("I'm still waking up; your message goes out as soon as I'm ready.")
            return
        self.send(text)

    def send(self, text: str, *, replace: list[str] | None = None, shown: bool = False) -> None:
        """Start a turn.

        Args:
            replace: stored message ids this turn replaces (regenerate, retry).
            shown: the user's bubble is already on screen (queued, regenerated).
        """
        assert self.companion is not None
        if not shown:
            self.chat.add("user", text)
        self.chat.query(".greeting").remove()
        self.reply = self.chat.add("assistant", "", status="pending")
        self.streaming = True
        self.status.state = "writing…"
        self._stop.clear()
        self._drawn.set()
        self.run_turn(self.companion, self.conversation_id, text, replace or [])

    @work(thread=True, exclusive=True, group="turn", exit_on_error=False)
    def run_turn(
        self, companion: Companion, conversation_id: str | None, text: str, replace: list[str]
    ) -> None:
        """Iterate the core's Turn and post its pieces in batches, then how it ended."""
        from samantha.companion import message_not_saved
        from samantha.errors import MessageNotSaved, ModelError, SamanthaError, StoreError

        store = companion.store
        turn = None
        buffer: list[str] = []
        failure: ChatScreen.ReplyFailed | None = None
        try:
            for message_id in replace:
                store.delete_message(message_id)
            if conversation_id is None:
                try:
                    conversation_id = companion.new_conversation(services.title_from(text))
                except StoreError as exc:
                    raise message_not_saved(exc, text) from None
                self.post_message(self.ConversationStarted(conversation_id))
            turn = companion.turn(conversation_id, text)
            last_post = time.monotonic()
            for piece in turn:
                buffer.append(piece)
                if self._stop.is_set():
                    turn.cancel()
                    break
                now = time.monotonic()
                # At most one batch in flight: while the screen is busy drawing the last one, pieces
                # gather here, so a slow terminal gets fewer, larger updates instead of a backlog.
                if now - last_post >= SCREEN_UPDATE_SECONDS and self._drawn.is_set():
                    self._drawn.clear()
                    self.post_message(self.ReplyChunk("".join(buffer)))
                    buffer.clear()
                    last_post = now
        except MessageNotSaved as exc:
            failure = self.ReplyFailed(exc.message, False, None, unsaved=exc.text)
        except ModelError as exc:
            failure = self.ReplyFailed(exc.message, exc.retryable, None)
        except SamanthaError as exc:
            failure = self.ReplyFailed(exc.message, False, None)
        except Exception as exc:  # never let the app die on a turn; say what happened
            failure = self.ReplyFailed(
                f"Something unexpected went wrong ({type(exc).__name__}: {exc}).", True, None
            )
        if buffer:
            self.post_message(self.ReplyChunk("".join(buffer)))
        result = turn.result if turn is not None else None
        if failure is not None:
            failure.result = result
            self.post_message(failure)
        else:
            assert result is not None
            self.post_message(self.ReplyDone(result, result.context))

    @on(ConversationStarted)
    def _started(self, event: ConversationStarted) -> None:
        self.conversation_id = event.conversation_id
        self.reload_sidebar()

    @on(ReplyChunk)
    def _chunk(self, event: ReplyChunk) -> None:
        if self.reply is not None:
            self.reply.append(event.text)
        self.call_after_refresh(self._drawn.set)

    @on(ReplyDone)
    async def _done(self, event: ReplyDone) -> None:
        result = event.result
        self._mark_user(result)
        if self.reply is not None:
            if result.reply is None:  # stopped before a word arrived
                self.reply.remove()
            else:
                self.reply.message_id = result.reply.id
                self.reply.citations = list(result.citations)
                await self.reply.finish(result.status, citations=bool(result.citations))
        self._turn_over(event.context)
        if event.context is not None and event.context.user_truncated:
            from samantha.context import USER_TRUNCATED

            self.notify(USER_TRUNCATED, severity="warning", timeout=10)
        if result.citations:
            keys = self._key("sources")
            self.notify(f"This answer cites {len(result.citations)} passage(s); {keys} shows them.")
        self.reload_sidebar()

    @on(ReplyFailed)
    async def _failed(self, event: ReplyFailed) -> None:
        result = event.result
        if event.unsaved is not None:
            await self._not_saved(event.message, event.unsaved)
            return
        if result is not None:
            self._mark_user(result)
        if self.reply is not None:
            if result is not None and result.reply is not None:
                self.reply.message_id = result.reply.id
                await self.reply.finish("interrupted")
            else:
                self.reply.remove()
                user = self.chat.last("user")
                if user is not None:
                    user.set_status("error")
        self._turn_over(result.context if result else None)
        retry = f" Press {self._key('regenerate')} to try again." if event.retryable else ""
        self.notify(
            f"{terminal_safe(event.message)} Your message is saved.{retry}",
            title="Samantha couldn't answer",
            severity="error",
            timeout=15,
        )

    async def _not_saved(self, message: str, text: str) -> None:
        """The message was not stored: it leaves the conversation and goes back in the box to try again."""
        if self.reply is not None:
            self.reply.remove()
        user = self.chat.last("user")
        if user is not None and user.message_id is None:
            user.remove()
        self._turn_over(None)
        if not self.prompt.value:
            self.prompt.value = text
        self.notify(
            f"{terminal_safe(message)} It is back in the message box; press Enter to send it again.",
            title="Your message was not saved",
            severity="error",
            timeout=15,
        )

    def _mark_user(self, result: TurnResult) -> None:
        user = self.chat.last("user")
        if user is not None:
            user.message_id = result.user_message.id
            user.set_status("complete")

    def _turn_over(self, plan: ContextPlan | None) -> None:
        self.streaming = False
        self.reply = None
        self.status.state = ""
        if plan is not None:
            self.last_context = plan
            self.status.used = plan.used
            self.status.budget = plan.budget

    # Actions (each is a binding with an id, a palette command, and some also a slash command)

    def action_stop(self) -> None:
        """Stop the reply; what arrived is kept and marked interrupted."""
        if self.streaming:
            self._stop.set()
            if self.reply is not None:
                self.reply.set_status("stopping")
        elif self.focused is not self.prompt:
            self.prompt.focus()

    def action_regenerate(self) -> None:
        """Answer the last message again (also: try again after an error)."""
        if self.streaming or self.companion is None:
            return
        bubbles = self.chat.bubbles()
        users = [i for i, b in enumerate(bubbles) if b.role == "user"]
        if not users:
            self.notify("There is nothing to answer again yet.")
            return
        index = users[-1]
        user = bubbles[index]
        after = bubbles[index + 1 :]
        replace = [b.message_id for b in [user, *after] if b.message_id]
        for bubble in after:
            bubble.remove()
        user.message_id = None
        user.set_status("complete")
        self.send(user.raw, replace=replace, shown=True)

    def action_copy(self) -> None:
        focused = self.focused
        bubble = focused if isinstance(focused, MessageBubble) else self.chat.last("assistant")
        if bubble is None or not bubble.raw:
            self.notify("There is no message to copy yet.")
            return
        self.app.copy_to_clipboard(bubble.raw)
        who = "your message" if bubble.role == "user" else "Samantha's reply"
        self.notify(f"Copied {who} ({len(bubble.raw):,} characters).")

    def action_sources(self, n: int | None = None, bubble: MessageBubble | None = None) -> None:
        bubble = bubble or next((b for b in reversed(self.chat.bubbles()) if b.citations), None)
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
        if self.store is None:
            self.notify("I'm still waking up.")
            return
        from samantha import locations
        from samantha.tui.screens.memory import MemoryScreen

        self.app.push_screen(MemoryScreen(self.store, locations.home_dir() / "exports"))

    def action_incognito(self) -> None:
        if self.streaming:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        self.post_message(self.IncognitoWanted(not self.incognito))

    def action_help(self) -> None:
        keys = "\n".join(
            f"{self._key(b.id or ''):<14}{b.description}" for b in self.BINDINGS if isinstance(b, Binding)
        )
        body = (
            f"Slash commands\n\n{SLASH_HELP}\n\nKeys\n\n{keys}\n{'ctrl+p':<14}Command palette (every action)"
        )
        self.app.push_screen(TextPanel("Help", body, "help-panel"))

    def action_model(self) -> None:
        if self.companion is None:
            self.notify("I'm still waking up.")
            return
        model = self.companion.model
        lines = [
            f"Model: {model.name}",
            f"Backend: {model.backend}",
            f"Context window: {model.context_window:,} tokens "
            f"({self.companion.settings.max_reply_tokens:,} kept for the reply)",
        ]
        if model.small_model_notice:
            lines += ["", model.small_model_notice]
        else:
            lines += [
                "",
                "Switch with SAMANTHA_BASE_URL / SAMANTHA_MODEL / SAMANTHA_MODEL_PATH (see the README).",
            ]
        self.app.push_screen(TextPanel("Model", terminal_safe("\n".join(lines)), "model-panel"))

    # Slash commands

    def slash(self, text: str) -> None:
        command, _, argument = text.strip().partition(" ")
        argument = argument.strip()
        simple = {
            "/new": self.action_new_conversation,
            "/incognito": self.action_incognito,
            "/sources": self.action_sources,
            "/context": self.action_context,
            "/model": self.action_model,
            "/help": self.action_help,
        }
        if command in simple:
            simple[command]()
        elif command == "/forget":
            if argument == "all":
                self.forget_all()
            else:
                self.action_memories()
        elif command == "/reset":
            if self.conversation_id is None:
                self.notify("This conversation has nothing saved yet.")
            else:
                self.action_delete_current()
        elif command == "/export":
            self.export()
        else:  # not reached from the message box, which keeps unknown commands as text
            self.notify(
                f"Unknown command {terminal_safe(command)}. Type /help for the list.", severity="warning"
            )

    def action_export(self) -> None:
        self.export()

    def action_forget_all(self) -> None:
        self.forget_all()

    def forget_all(self) -> None:
        store = self.store
        if store is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_forget_all(store)

        self.app.push_screen(
            ConfirmScreen("Forget everything I remember about you?", yes="Forget all"), answered
        )

    @work(thread=True, group="change", exit_on_error=False)
    def run_forget_all(self, store: Any) -> None:
        count = services.forget_all_memories(store)
        self.post_message(self.Changed(f"Forgot {count} memories." if count else "Nothing left to forget."))

    @work(thread=True, group="change", exit_on_error=False)
    def export(self) -> None:
        if self.store is None:
            return
        from samantha import locations

        try:
            path = services.export_all(self.store, locations.home_dir() / "exports")
            note = f"Exported to {path}"
        except Exception as exc:
            note = f"Could not export: {exc}"
        self.post_message(self.Changed(note))

    def _key(self, binding_id: str) -> str:
        """The key currently bound to `binding_id` (after the config keymap)."""
        keymap: dict[str, str] = dict(getattr(self.app, "_keymap", {}) or {})
        if binding_id in keymap:
            return keymap[binding_id]
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id == binding_id:
                return binding.key
        return binding_id
