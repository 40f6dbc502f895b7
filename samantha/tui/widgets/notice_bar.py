"""Notices on the chat screen: a line above the status bar, instead of toasts over the conversation.

A toast in the corner covers the message box and the last lines of a reply (the start-up notice about
the small model sat there for 12 s). This bar takes its own rows: the conversation moves up while a
notice shows, and nothing is covered. It shows the newest notice and clears itself after its timeout.
A notice too long for a fifth of the screen is cut at a whole word and says so, rather than pushing the
conversation away (the start-up notice is 330 characters; at 40x12 it would take the whole window).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from rich.console import Console
from rich.text import Text
from textual import events
from textual.timer import Timer
from textual.widgets import Static

#: Seconds a notice stays when its sender named no timeout.
DEFAULT_SECONDS = 6.0

#: The bar takes at most this share of the screen's rows (and at least one line).
SHARE_OF_SCREEN = 5


@dataclass(frozen=True)
class Notice:
    """One thing the app told the user, and where: in the notice bar (the chat screen) or a toast (a
    panel or dialog over it)."""

    message: str
    title: str = ""
    severity: str = "information"
    timeout: float = DEFAULT_SECONDS
    shown_in: Literal["bar", "toast"] = "bar"
    more: str = ""
    """Where the whole text can be read, said when the bar has to cut it (e.g. "/model")."""
    at: float = field(default_factory=time.monotonic)

    def seconds_left(self) -> float:
        return self.at + self.timeout - time.monotonic()


class NoticeBar(Static):
    """The newest notice, in words; hidden when there is none."""

    def __init__(self) -> None:
        super().__init__(id="notice")
        self.display = False
        self.shown: Notice | None = None
        self._timer: Timer | None = None

    def show(self, notice: Notice, *, seconds: float | None = None) -> None:
        self.shown = notice
        self.set_class(notice.severity == "warning", "-warning")
        self.set_class(notice.severity == "error", "-error")
        self._fit()
        self.display = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(seconds or notice.timeout or DEFAULT_SECONDS, self.clear)

    def clear(self) -> None:
        self.shown = None
        self.update("")
        self.display = False

    def on_resize(self, event: events.Resize) -> None:
        if self.shown is not None:
            self._fit()

    def _fit(self) -> None:
        """Show the notice in as many lines as the screen can spare, cut at a word if it must be."""
        assert self.shown is not None
        width = max(10, self.screen.size.width - 2)  # the bar spans the screen; 1 column of padding each side
        max_lines = max(1, self.screen.size.height // SHARE_OF_SCREEN)
        self.update(fitted(self.shown, width, max_lines))

    @property
    def text(self) -> str:
        return str(self.render())


def fitted(notice: Notice, width: int, max_lines: int) -> Text:
    """The notice as the bar shows it: whole if it fits in `max_lines` lines of `width`, else cut after
    the last whole word that leaves room for "… (cut; /model shows all of it)"."""
    line = _line(notice, notice.message)
    if _lines(line, width) <= max_lines:
        return line
    tail = f"… (cut; {notice.more} shows all of it)" if notice.more else "…"
    words = notice.message.split(" ")
    shorter = line
    for keep in range(len(words) - 1, 0, -1):
        shorter = _line(notice, " ".join(words[:keep]).rstrip(",;:.") + tail)
        if _lines(shorter, width) <= max_lines:
            break
    return shorter  # the fewest words when even one word and the tail overflow: the bar clips the rest


def _line(notice: Notice, message: str) -> Text:
    line = Text()
    if notice.title:
        line.append(f"{notice.title}: ", style="bold")
    line.append(message)
    return line


def _lines(text: Text, width: int) -> int:
    return len(text.wrap(Console(width=width), width))
