"""Notices on the chat screen: a line above the status bar, instead of toasts over the conversation.

A toast in the corner covers the message box and the last lines of a reply (the start-up notice about
the small model sat there for 12 s). This bar takes its own rows: the conversation moves up while a
notice shows, and nothing is covered. It shows the newest notice and clears itself after its timeout.
"""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

#: Seconds a notice stays when its sender named no timeout.
DEFAULT_SECONDS = 6.0


class NoticeBar(Static):
    """The newest notice, in words; hidden when there is none."""

    def __init__(self) -> None:
        super().__init__(id="notice")
        self.display = False
        self._timer: Timer | None = None

    def show(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float = 0
    ) -> None:
        line = Text()
        if title:
            line.append(f"{title}: ", style="bold")
        line.append(message)
        self.set_class(severity == "warning", "-warning")
        self.set_class(severity == "error", "-error")
        self.update(line)
        self.display = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(timeout or DEFAULT_SECONDS, self.clear)

    def clear(self) -> None:
        self.update("")
        self.display = False

    @property
    def text(self) -> str:
        return str(self.render())
