"""The open conversation: its messages and the message box, and the flow of a turn (send, stream, stop,
regenerate), owned here rather than by the screen.

A turn runs in a thread worker that iterates the core's Turn and posts its pieces in batches, one batch
in flight at a time, every SCREEN_UPDATE_SECONDS at most: a fast model does not redraw the Markdown per
token, and a slow terminal gets fewer, larger updates instead of a backlog.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from samantha import commands
from samantha.textsafe import terminal_safe
from samantha.tui.widgets.chat_view import ChatView, MessageBubble
from samantha.tui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from samantha.companion import Turn, TurnResult
    from samantha.context import ContextPlan
    from samantha.conversation.recollect import CitedMemory
    from samantha.records import Citation
    from samantha.records import Message as StoredMessage
    from samantha.tui.services import ChatService

#: Seconds between two screen updates of a streaming reply.
SCREEN_UPDATE_SECONDS = 0.05

BUSY = "I'm still answering; press Esc to stop me first."
GREETING_NEW = (
    "Hi, I'm Samantha. I'm here to talk — about your day, about anything, or about the film *Her*; "
    "ask me about it and I'll show you what the reviews say. Type a message and press Enter."
)
GREETING_BACK = (
    "Welcome back{name}. It's good to hear from you again. Last time we talked about “{title}”; "
    "pick it on the left to carry on, or just start typing."
)
FRESH_PAGE = "A fresh page. What's on your mind?"


class Conversation(Vertical):
    """Messages above, the message box below. Tells its screen (by message) when a conversation starts,
    a turn ends (with its context) and a slash command was typed."""

    @dataclass
    class ReplyChunk(Message):
        text: str

    @dataclass
    class ReplyDone(Message):
        result: TurnResult

    @dataclass
    class ReplyFailed(Message):
        message: str
        retryable: bool
        result: TurnResult | None
        unsaved: str | None = None
        """The user's text when it could not be stored (busy database, full disk): it goes back in the box."""

    @dataclass
    class Started(Message):
        """The first message of a new conversation was saved under `conversation_id`."""

        conversation_id: str

    @dataclass
    class TurnOver(Message):
        """A turn ended; `context` is what it sent to the model (None if it never got that far)."""

        context: ContextPlan | None
        citations: int
        memories: int = 0

        def cited(self) -> str:
            """What the answer cites, in words ('' when nothing): '2 passage(s) and 1 memory'."""
            parts = [f"{self.citations} passage(s)"] if self.citations else []
            if self.memories:
                parts.append(f"{self.memories} {'memory' if self.memories == 1 else 'memories'}")
            return " and ".join(parts)

    @dataclass
    class StateChanged(Message):
        """What the conversation is doing, for the status bar ('' when idle)."""

        state: str

    @dataclass
    class SourcesWanted(Message):
        citations: list[Citation]
        focus_n: int | None
        memories: list[CitedMemory] = field(default_factory=list)
        focus_m: int | None = None

    @dataclass
    class CommandTyped(Message):
        command: commands.Command
        argument: str

    @dataclass
    class Pending:
        """A message the user sent before the core was ready."""

        text: str
        ids: list[str] = field(default_factory=list)

    def __init__(self, service: ChatService) -> None:
        super().__init__(id="main")
        self.service = service
        self.conversation_id: str | None = None
        self.streaming = False
        self.last_context: ContextPlan | None = None
        self.queued: Conversation.Pending | None = None
        self.reply: MessageBubble | None = None
        self._turn: Turn | None = None
        """The turn streaming now; Esc cancels it from here (the core's cancel is thread-safe)."""
        self.hide_ids = False
        """Incognito: what is said now is not saved under the conversation shown."""
        self._stop = threading.Event()
        self._drawn = threading.Event()
        """Set once the last batch of a streaming reply is on screen."""

    def compose(self) -> ComposeResult:
        yield ChatView(id="chat")
        yield PromptInput(placeholder="Message Samantha (/help for commands)", id="prompt")

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    def on_unmount(self) -> None:
        # Quitting mid-reply: the worker stops at the next piece and the partial reply is saved as
        # interrupted (the process would otherwise wait for the whole reply before exiting).
        self.stop()

    # What is shown

    @work(thread=True, exclusive=True, group="greeting", exit_on_error=False)
    def load_greeting(self) -> None:
        """A first-time user is introduced; a returning one is welcomed back (by name, if known)."""
        title = self.service.latest_title()
        if title is None:
            text = GREETING_NEW
        else:
            name = self.service.user_name()
            text = GREETING_BACK.format(name=f", {name}" if name else "", title=title or "our last chat")
        self.app.call_from_thread(self.greet, text)

    def greet(self, text: str) -> None:
        if self.conversation_id is None and not self.chat.bubbles():
            self.chat.add("assistant", text).add_class("greeting")

    def new(self) -> bool:
        """Start a fresh page; False (and a word to the user) while a reply streams."""
        if self.streaming:
            self.notify(BUSY, severity="warning")
            return False
        self.conversation_id = None
        self.last_context = None
        self.chat.remove_children()
        self.chat.add("assistant", FRESH_PAGE).add_class("greeting")
        self.prompt.focus()
        return True

    def open(self, conversation_id: str) -> bool:
        """Show a past conversation to carry on; False (and a word to the user) while a reply streams."""
        if self.streaming:
            self.notify(BUSY, severity="warning")
            return False
        self.load_history(conversation_id)
        return True

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self, conversation_id: str) -> None:
        messages = self.service.history(conversation_id)
        self.app.call_from_thread(self.show_history, conversation_id, messages)

    def show_history(self, conversation_id: str, messages: list[StoredMessage]) -> None:
        from samantha.conversation.recollect import CitedMemory
        from samantha.records import Citation

        self.conversation_id = conversation_id
        self.last_context = None
        self.chat.remove_children()
        for message in messages:
            if message.role not in ("user", "assistant"):
                continue
            citations = [Citation(**c) for c in message.meta.get("citations", []) if isinstance(c, dict)]
            memories = [
                CitedMemory.from_json(m) for m in message.meta.get("memories", []) if isinstance(m, dict)
            ]
            status = "complete" if message.status == "pending" else message.status
            cites = bool(citations or memories)
            bubble = self.chat.add(message.role, message.content, status=status, citations=cites)
            bubble.message_id = message.id
            bubble.citations = citations
            bubble.memories = memories
        self.prompt.focus()
        if self.hide_ids:
            # The incognito core writes elsewhere: what is said now starts a new, unsaved conversation.
            self.conversation_id = None
            for bubble in self.chat.bubbles():
                bubble.message_id = None
            self.notify("Incognito: this conversation is shown as it was; what you write now is not saved.")

    # Sending

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        if not text.strip():
            return
        if text.startswith("//"):
            text = text[1:]  # "//etc" sends "/etc"
        elif text.startswith("/"):
            command, argument = commands.parse_slash(text)
            if command is None:
                self.notify(
                    f"Unknown command {terminal_safe(argument)}. Type /help for the list; "
                    "start with // to send a message that begins with /.",
                    severity="warning",
                )
                return  # the text stays in the box
            self.prompt.value = ""
            self.post_message(self.CommandTyped(command, argument))
            return
        if self.streaming:
            self.notify(BUSY, severity="warning")
            return  # the text stays in the box
        from samantha.errors import UsageError
        from samantha.validation import check_text

        try:
            check_text(text)
        except UsageError as exc:
            self.notify(exc.message, severity="error")
            return
        if self.service.companion is None and self.queued is not None:
            self.notify("I'm still waking up; your first message goes out as soon as I'm ready.")
            return  # one message waits at a time; this one stays in the box
        self.prompt.value = ""
        if self.service.companion is None:
            self.queued = self.Pending(text)
            self.chat.add("user", text)
            self.post_message(self.StateChanged("waking up…"))
            self.notify("I'm still waking up; your message goes out as soon as I'm ready.")
            return
        self.send(text)

    def send_queued(self) -> None:
        """The core is ready: send the message that waited for it."""
        if self.queued is not None:
            pending, self.queued = self.queued, None
            self.send(pending.text, replace=pending.ids, shown=True)

    def send(self, text: str, *, replace: list[str] | None = None, shown: bool = False) -> None:
        """Start a turn.

        Args:
            replace: stored message ids this turn replaces (regenerate, retry).
            shown: the user's bubble is already on screen (queued, regenerated).
        """
        if not shown:
            self.chat.add("user", text)
        self.chat.query(".greeting").remove()
        self.reply = self.chat.add("assistant", "", status="pending")
        self.streaming = True
        self.post_message(self.StateChanged("writing…"))
        self._stop.clear()
        self._drawn.set()
        self.run_turn(self.conversation_id, text, replace or [])

    @work(thread=True, exclusive=True, group="turn", exit_on_error=False)
    def run_turn(self, conversation_id: str | None, text: str, replace: list[str]) -> None:
        """Iterate the core's Turn and post its pieces in batches, then how it ended."""
        from samantha.errors import MessageNotSaved, ModelError, SamanthaError

        turn = None
        buffer: list[str] = []
        failure: Conversation.ReplyFailed | None = None
        try:
            started, turn = self.service.start_turn(conversation_id, text, replace)
            self._turn = turn
            if started != conversation_id:
                self.post_message(self.Started(started))
            if self._stop.is_set():
                turn.cancel()
            last_post = time.monotonic()
            for piece in turn:
                buffer.append(piece)
                if self._stop.is_set():
                    turn.cancel()
                    break
                now = time.monotonic()
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
        finally:
            self._turn = None
        if buffer:
            self.post_message(self.ReplyChunk("".join(buffer)))
        result = turn.result if turn is not None else None
        if failure is not None:
            failure.result = result
            self.post_message(failure)
        else:
            assert result is not None
            self.post_message(self.ReplyDone(result))

    @on(Started)
    def _started(self, event: Started) -> None:
        self.conversation_id = event.conversation_id

    @on(ReplyChunk)
    def _chunk(self, event: ReplyChunk) -> None:
        event.stop()
        if self.reply is not None:
            self.reply.append(event.text)
        self.call_after_refresh(self._drawn.set)

    @on(ReplyDone)
    async def _done(self, event: ReplyDone) -> None:
        event.stop()
        result = event.result
        self._mark_user(result)
        if self.reply is not None:
            if result.reply is None:  # stopped before a word arrived
                self.reply.remove()
            else:
                self.reply.message_id = result.reply.id
                self.reply.citations = list(result.citations)
                self.reply.memories = list(result.memories)
                await self.reply.finish(result.status, citations=bool(result.citations or result.memories))
        self._turn_over(result.context, len(result.citations), len(result.memories))
        if result.context is not None and result.context.user_truncated:
            from samantha.context import USER_TRUNCATED

            self.notify(USER_TRUNCATED, severity="warning", timeout=10)

    @on(ReplyFailed)
    async def _failed(self, event: ReplyFailed) -> None:
        event.stop()
        if event.unsaved is not None:
            self._not_saved(event.message, event.unsaved)
            return
        result = event.result
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
        self._turn_over(result.context if result else None, 0)
        key = commands.key_of("regenerate", self.service.settings.ui.keymap)
        retry = f" Press {key} to try again." if event.retryable else ""
        self.notify(
            f"{terminal_safe(event.message)} Your message is saved.{retry}",
            title="Samantha couldn't answer",
            severity="error",
            timeout=15,
        )

    def _not_saved(self, message: str, text: str) -> None:
        """The message was not stored: it leaves the conversation and goes back in the box to try again."""
        if self.reply is not None:
            self.reply.remove()
        user = self.chat.last("user")
        if user is not None and user.message_id is None:
            user.remove()
        self._turn_over(None, 0)
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

    def _turn_over(self, plan: ContextPlan | None, citations: int, memories: int = 0) -> None:
        self.streaming = False
        self.reply = None
        self.post_message(self.StateChanged(""))
        if plan is not None:
            self.last_context = plan
        self.post_message(self.TurnOver(plan, citations, memories))

    # Stop, regenerate, copy

    def stop(self) -> bool:
        """Stop the reply; what arrived is kept and marked interrupted. False when nothing streams."""
        if not self.streaming:
            return False
        self._stop.set()
        if self._turn is not None:
            self._turn.cancel()  # the model stops within a moment, even mid-token
        if self.reply is not None:
            self.reply.set_status("stopping")
        return True

    def continue_reply(self) -> None:
        """Go on with a reply cut at the length limit: "continue" is sent in this conversation."""
        if self.streaming:
            self.notify(BUSY, severity="warning")
            return
        last = self.chat.last("assistant")
        if last is None or last.status != "cut":
            self.notify("The last reply was not cut, so there is nothing to continue.")
            return
        self.send(commands.CONTINUE)

    def regenerate(self) -> None:
        """Answer the last message again (also: try again after an error)."""
        if self.streaming or self.service.companion is None:
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

    def copy(self) -> None:
        focused = self.screen.focused
        bubble = focused if isinstance(focused, MessageBubble) else self.chat.last("assistant")
        if bubble is None or not bubble.raw:
            self.notify("There is no message to copy yet.")
            return
        self.app.copy_to_clipboard(bubble.raw)
        who = "your message" if bubble.role == "user" else "Samantha's reply"
        self.notify(f"Copied {who} ({len(bubble.raw):,} characters).")

    def show_sources(
        self, n: int | None = None, bubble: MessageBubble | None = None, *, m: int | None = None
    ) -> None:
        """Ask the screen for the passages and memories a reply cited (the last reply that cites
        something, unless `bubble`), focused on passage `n` or memory `m`."""
        bubble = bubble or next((b for b in reversed(self.chat.bubbles()) if b.citations or b.memories), None)
        if bubble is None:
            self.post_message(self.SourcesWanted([], None))
        else:
            self.post_message(self.SourcesWanted(bubble.citations, n, bubble.memories, m))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """An [n] or [mN] in a reply was clicked: open that passage or memory. (By name, so Markdown
        loads lazily.)"""
        if event.href.startswith("cite:"):
            event.stop()
            bubble = next((a for a in event.markdown.ancestors if isinstance(a, MessageBubble)), None)
            cited = event.href.removeprefix("cite:")
            if cited.startswith("m"):
                self.show_sources(bubble=bubble, m=int(cited[1:]))
            else:
                self.show_sources(int(cited), bubble)
