"""The conversation: one bubble per message; Samantha's replies render as Markdown and stream in batches."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from samantha.textsafe import terminal_safe

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from samantha.conversation.recollect import CitedMemory
    from samantha.records import Citation

#: A passage cited as [n] or a memory cited as [mN] (not already a Markdown link).
_CITATION = re.compile(r"\[(m?\d{1,3})\](?!\()")

STATUS_MARKS = {
    "pending": "writing…",
    "stopping": "stopping…",
    "interrupted": "interrupted",
    "cut": "cut at the length limit; /continue goes on",
    "error": "not answered",
}


def linkify_citations(markdown: str) -> str:
    """Turn each [n] and [mN] into a link the screen opens as the cited passage or memory."""
    return _CITATION.sub(lambda m: f"[\\[{m.group(1)}\\]](cite:{m.group(1)})", markdown)


class MessageBubble(Vertical, can_focus=True):
    """One message. Focusable, so a message can be picked and copied with the keyboard."""

    def __init__(
        self, role: str, text: str = "", *, status: str = "complete", citations: bool = False
    ) -> None:
        super().__init__(classes=f"bubble {role}")
        self.role = role
        self.raw = text
        """The message as written (copied to the clipboard, sent again on regenerate)."""
        self.text = terminal_safe(text)
        self.message_id: str | None = None
        self.citations: list[Citation] = []
        self.memories: list[CitedMemory] = []
        """The memories the reply cites as [mN] (an answer about the user)."""
        self.status = status
        self._has_citations = citations
        self._header = Static(self._header_text(), classes="who")
        self._body: Markdown | Static
        if role == "assistant":
            # Imported here, not at the top: markdown-it is not needed for the first frame.
            from textual.widgets import Markdown

            shown = linkify_citations(self.text) if citations else self.text
            self._body = Markdown(shown, open_links=False, classes="body")
        else:
            self._body = Static(Text(self.text), classes="body")

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._body

    def _header_text(self) -> Text:
        who = {"assistant": "Samantha", "user": "You"}.get(self.role, self.role)
        header = Text(who, style="bold")
        mark = STATUS_MARKS.get(self.status)
        if mark:
            header.append(f" · {mark}", style="italic")
        return header

    def set_status(self, status: str) -> None:
        self.status = status
        self.set_class(status in ("interrupted", "error"), "-unfinished")
        self._header.update(self._header_text())

    def append(self, piece: str) -> None:
        """Add streamed text (already batched by the worker)."""
        self.raw += piece
        piece = terminal_safe(piece)
        self.text += piece
        if self.role == "assistant":
            self._markdown.append(piece)
        elif isinstance(self._body, Static):
            self._body.update(Text(self.text))

    async def finish(self, status: str, *, citations: bool = False) -> None:
        """The reply ended: show its status, and make its [n] and [mN] citations clickable."""
        self.set_status(status)
        if citations and self.role == "assistant":
            self._has_citations = True
            await self._markdown.update(linkify_citations(self.text))

    @property
    def _markdown(self) -> Markdown:
        assert self.role == "assistant"
        return self._body  # type: ignore[return-value]


class ChatView(VerticalScroll):
    """The message list, anchored to the bottom while a reply streams."""

    def on_mount(self) -> None:
        self.anchor()

    def add(
        self, role: str, text: str, *, status: str = "complete", citations: bool = False
    ) -> MessageBubble:
        bubble = MessageBubble(role, text, status=status, citations=citations)
        self.mount(bubble)
        self.anchor()
        return bubble

    def bubbles(self) -> list[MessageBubble]:
        return list(self.query(MessageBubble))

    def last(self, role: str | None = None) -> MessageBubble | None:
        for bubble in reversed(self.bubbles()):
            if role is None or bubble.role == role:
                return bubble
        return None
