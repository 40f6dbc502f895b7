"""Read-mostly panels opened over the chat: sources, context inspector, help, model."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from samantha import commands
from samantha.textsafe import terminal_safe

if TYPE_CHECKING:
    from collections.abc import Callable

    from samantha.context import ContextPlan
    from samantha.conversation.recollect import CitedMemory
    from samantha.records import Citation
    from samantha.tui.services import ModelFacts


class Panel(ModalScreen[None]):
    """A panel closes with Esc or q."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Close", id="panel.close")]

    def action_close(self) -> None:
        self.dismiss(None)


class SourcesScreen(Panel):
    """The passages a film answer cited and the memories an answer about the user cited ([mN]).
    Passages from different reviews sit side by side, so a reader sees where the reviews disagree; the
    memories take a column of their own beside them."""

    def __init__(
        self,
        citations: list[Citation],
        focus_n: int | None = None,
        *,
        memories: list[CitedMemory] | None = None,
        focus_m: int | None = None,
    ) -> None:
        super().__init__(classes="panel")
        self.citations = citations
        self.memories = memories or []
        self.focus_n = focus_n
        self.focus_m = focus_m

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel-box"):
            yield Static("Sources  (Esc to close)", classes="panel-title")
            if not self.citations and not self.memories:
                yield Static("The last reply cites no review passages and no memories.", id="no-sources")
                return
            by_review: OrderedDict[str, list[Citation]] = OrderedDict()
            for citation in self.citations:
                by_review.setdefault(citation.source, []).append(citation)
            with Horizontal(id="reviews"):
                for source, cited in by_review.items():
                    with VerticalScroll(classes="review"):
                        # The review's number and short title when the citation has one (older replies don't).
                        name = cited[0].title or f"review {source}"
                        yield Static(Text(terminal_safe(name), style="bold"), classes="review-name")
                        for citation in cited:
                            classes = "passage -focus" if citation.n == self.focus_n else "passage"
                            body = Text(f"[{citation.n}] ", style="bold")
                            body.append(terminal_safe(citation.text))
                            if citation.text_en:  # the translation beside the original
                                body.append("\nEnglish (translated): ", style="dim")
                                body.append(terminal_safe(citation.text_en), style="dim")
                            yield Static(body, classes=classes, id=f"passage-{citation.n}")
                if self.memories:
                    with VerticalScroll(classes="review", id="cited-memories"):
                        yield Static(Text("What you told me", style="bold"), classes="review-name")
                        for cited_memory in self.memories:
                            memory = cited_memory.memory
                            classes = "passage -focus" if cited_memory.n == self.focus_m else "passage"
                            body = Text(f"[m{cited_memory.n}] ", style="bold")
                            body.append(f"{memory.created_at[:10]}  ", style="dim")
                            body.append(terminal_safe(memory.content))
                            yield Static(body, classes=classes, id=f"memory-{cited_memory.n}")

    def on_mount(self) -> None:
        focused = f"#passage-{self.focus_n}" if self.focus_n is not None else f"#memory-{self.focus_m}"
        if self.focus_n is not None or self.focus_m is not None:
            for widget in self.query(focused):
                widget.scroll_visible(animate=False)


class ContextScreen(Panel):
    """Exactly what the last turn sent to the model, part by part, with token counts and the budget."""

    def __init__(self, plan: ContextPlan | None) -> None:
        super().__init__(classes="panel")
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel-box"):
            yield Static("Context of the last turn  (Esc to close)", classes="panel-title")
            if self.plan is None:
                yield Static("Nothing has been sent to the model yet in this session.", id="no-context")
                return
            plan = self.plan
            yield Static(f"{plan.used:,} of {plan.budget:,} tokens used", id="context-total")
            if plan.leaves_machine:  # what left the machine, and the local memories that did not
                kept = f"; {len(plan.kept_home)} local memories stayed home" if plan.kept_home else ""
                yield Static(f"Sent to a remote endpoint{kept}.", id="context-remote")
            table: DataTable[str] = DataTable(id="context-parts", cursor_type="row", zebra_stripes=True)
            table.add_columns("part", "tokens", "share")
            for part in plan.parts:
                share = f"{100 * part.tokens / plan.budget:.1f}%" if plan.budget else "-"
                table.add_row(part.kind, f"{part.tokens:,}", share)
            yield table
            with VerticalScroll(id="context-text"):
                yield Static(self._text(0), id="part-text")

    def _text(self, index: int) -> Text:
        assert self.plan is not None
        if not self.plan.parts:
            return Text("")
        part = self.plan.parts[index]
        return Text(terminal_safe(part.text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#part-text", Static).update(self._text(event.cursor_row))


class TextPanel(Panel):
    """A titled page of plain text (help, model details)."""

    def __init__(self, title: str, body: str, panel_id: str) -> None:
        super().__init__(classes="panel", id=panel_id)
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel-box"):
            yield Static(f"{self.title_text}  (Esc to close)", classes="panel-title")
            with VerticalScroll():
                yield Static(Text(self.body), classes="panel-body")


def help_panel(key: Callable[[str], str]) -> TextPanel:
    """/help: every slash command, then every key (as the user's keymap binds them now)."""
    keys = "\n".join(f"{key(c.id):<14}{c.title}" for c in commands.keyed())
    body = (
        f"Slash commands\n\n{commands.slash_help()}\n\nKeys\n\n{keys}\n"
        f"{'ctrl+p':<14}Command palette (every action)"
    )
    return TextPanel("Help", body, "help-panel")


def model_panel(facts: ModelFacts, listing: str = "") -> TextPanel:
    """/model: which model answers, its context window, and the models to switch to (`listing`)."""
    lines = [
        f"Model: {facts.name}",
        f"Backend: {facts.backend}",
        f"Context window: {facts.context_window:,} tokens ({facts.reply_tokens:,} kept for the reply)",
        "",
        facts.small_model_notice
        or "Switch with SAMANTHA_BASE_URL / SAMANTHA_MODEL / SAMANTHA_MODEL_PATH (see the README).",
    ]
    if listing:
        lines += ["", listing]
    return TextPanel("Model", terminal_safe("\n".join(lines)), "model-panel")
