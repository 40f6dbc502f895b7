"""The status bar: model and backend, context tokens used of the budget, incognito, the small-model notice."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    """One line of state; every part is plain text (no markup from model names or settings)."""

    model_label: reactive[str] = reactive("starting…")
    used: reactive[int] = reactive(0)
    budget: reactive[int] = reactive(0)
    incognito: reactive[bool] = reactive(False)
    notice: reactive[str] = reactive("")
    state: reactive[str] = reactive("")

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.incognito:
            line.append(" INCOGNITO ", style="bold reverse")
            line.append(" ")
        line.append(self.model_label)
        if self.budget:
            line.append(f"  ·  context {self.used:,}/{self.budget:,} tokens")
        if self.state:
            line.append(f"  ·  {self.state}", style="italic")
        if self.notice:
            line.append(f"  ·  {self.notice}", style="dim")
        return line
