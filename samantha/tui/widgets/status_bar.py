"""The status bar: model and backend, context tokens used of the budget, incognito, the small-model notice.

On a narrow terminal it drops its least important parts first (the notice, then the token count, then
the backend's name) instead of cutting a part in the middle of a word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from samantha.textsafe import terminal_safe

if TYPE_CHECKING:
    from samantha.tui.services import ModelFacts

SEPARATOR = "  ·  "


class StatusBar(Static):
    """One line of state; every part is plain text (no markup from model names or settings)."""

    model_label: reactive[str] = reactive("starting…")
    used: reactive[int] = reactive(0)
    budget: reactive[int] = reactive(0)
    incognito: reactive[bool] = reactive(False)
    notice: reactive[str] = reactive("")
    state: reactive[str] = reactive("")

    def show_model(self, facts: ModelFacts, *, incognito: bool) -> None:
        """The core is ready: its model, its budget, incognito or not, and the small-model reminder."""
        self.model_label = f"{facts.backend} · {terminal_safe(facts.name)}"
        self.budget = facts.budget
        self.incognito = incognito
        self.state = ""
        if facts.small_model_notice:
            self.notice = "tiny built-in model (/model for how to switch)"

    def parts(self) -> list[tuple[str, int, Text]]:
        """(name, importance, text) in the order shown; the least important is dropped first."""
        backend, _, name = self.model_label.rpartition(" · ")
        shown = [("model", 7, Text(name))]
        if backend:
            shown.insert(0, ("backend", 3, Text(backend)))
        if self.incognito:
            shown.insert(0, ("incognito", 9, Text(" INCOGNITO ", style="bold reverse")))
        if self.budget:
            shown.append(("tokens", 5, Text(f"context {self.used:,}/{self.budget:,} tokens")))
        if self.state:
            shown.append(("state", 8, Text(self.state, style="italic")))
        if self.notice:
            shown.append(("notice", 1, Text(self.notice, style="dim")))
        return shown

    def render(self) -> Text:
        width = self.content_region.width or 10_000  # not laid out yet: everything
        parts = self.parts()
        while len(parts) > 1 and cell_len(_joined(parts).plain) > width:
            parts.remove(min(parts, key=lambda part: part[1]))
        return _joined(parts)


def _joined(parts: list[tuple[str, int, Text]]) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    for index, (_, _, text) in enumerate(parts):
        if index:
            before = parts[index - 1][0]
            line.append(" " if before == "incognito" else " · " if before == "backend" else SEPARATOR)
        line.append_text(text)
    return line
