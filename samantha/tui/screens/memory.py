"""What Samantha remembers about the user, each memory with the message it came from; forget, export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from samantha.textsafe import terminal_safe
from samantha.tui.dialogs import ConfirmScreen
from samantha.tui.footer import FittingFooter

if TYPE_CHECKING:
    from textual.widget import Widget

    from samantha.memories import MemoryWithSource
    from samantha.tui.services import ChatService


@dataclass
class MemoryItem:
    """A memory as the panel shows it."""

    id: str
    text: str
    source: str
    """The message the memory came from, as the user wrote it (or '' when added by hand)."""
    created_at: str = ""
    scope: str = "everywhere"
    """`local`: never sent to a remote endpoint."""
    status: str = "current"
    """`superseded` when a newer fact replaced it."""

    @classmethod
    def of(cls, entry: MemoryWithSource) -> MemoryItem:
        memory = entry.memory
        source = entry.source.content if entry.source else ""
        return cls(
            id=memory.id,
            text=memory.content,
            source=source,
            created_at=memory.created_at,
            scope=memory.scope,
            status=memory.status,
        )


class MemoryScreen(ModalScreen[None]):
    """The memory panel. Reads and forgets in thread workers; handlers only update the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="memory.close"),
        Binding("d,delete", "forget", "Forget", id="memory.forget"),
        Binding("D", "forget_all", "Forget all", id="memory.forget_all"),
        Binding("e", "export", "Export", id="memory.export"),
        Binding("l", "toggle_local", "Local", id="memory.local"),
    ]

    @dataclass
    class Loaded(Message):
        items: list[MemoryItem]

    @dataclass
    class Done(Message):
        note: str

    def __init__(self, service: ChatService) -> None:
        super().__init__(classes="panel", id="memory-panel")
        self.service = service
        self.items: list[MemoryItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel-box"):
            yield Static("What I remember about you", classes="panel-title")
            yield OptionList(id="memories")
            with VerticalScroll(id="memory-source"):
                yield Static("", id="source-text")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="memory", exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.Loaded([MemoryItem.of(entry) for entry in self.service.memories()]))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.items = event.items
        options = self.query_one("#memories", OptionList)
        options.clear_options()
        if not event.items:
            options.add_option(Option(Text("Nothing remembered yet.", style="italic"), disabled=True))
            self.query_one("#source-text", Static).update("")
            return
        options.add_options([Option(self._label(item), id=item.id) for item in event.items])
        options.highlighted = 0
        options.focus()

    @staticmethod
    def _label(item: MemoryItem) -> Text:
        label = Text(terminal_safe(item.text), style="dim" if item.status == "superseded" else "")
        if item.status == "superseded":
            label.append("  (no longer true)", style="italic")
        if item.scope == "local":
            label.append("  [local]", style="bold")
        return label

    @on(OptionList.OptionHighlighted, "#memories")
    def _show_source(self, event: OptionList.OptionHighlighted) -> None:
        item = self._item(event.option.id)
        if item is None:
            return
        source = Text("From your message: ", style="bold")
        source.append(terminal_safe(item.source) if item.source else "(none: added by hand)")
        if item.created_at:
            source.append(f"\n{item.created_at[:16].replace('T', ' ')}", style="dim")
        if item.scope == "local":
            source.append("\nLocal: never sent to a remote endpoint (l to change).", style="dim")
        self.query_one("#source-text", Static).update(source)

    def _item(self, memory_id: str | None) -> MemoryItem | None:
        return next((item for item in self.items if item.id == memory_id), None)

    def _highlighted(self) -> MemoryItem | None:
        options = self.query_one("#memories", OptionList)
        if options.highlighted is None:
            return None
        return self._item(options.get_option_at_index(options.highlighted).id)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_forget(self) -> None:
        item = self._highlighted()
        if item is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.forget([item.id])

        self.app.push_screen(ConfirmScreen(f"Forget “{terminal_safe(item.text)}”?", yes="Forget"), answered)

    def action_forget_all(self) -> None:
        if not self.items:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.forget(None)

        question = f"Forget all {len(self.items)} things I remember about you?"
        self.app.push_screen(ConfirmScreen(question, yes="Forget all"), answered)

    @work(thread=True, exclusive=True, group="memory", exit_on_error=False)
    def forget(self, ids: list[str] | None) -> None:
        try:
            if ids is None:
                self.service.forget_all()
                note = "I forgot everything I remembered about you."
            else:
                for memory_id in ids:
                    self.service.forget(memory_id)
                note = "Forgotten."
        except Exception as exc:  # shown in words; the panel stays open
            note = f"Could not forget: {exc}"
        self.post_message(self.Done(note))
        self.post_message(self.Loaded([MemoryItem.of(entry) for entry in self.service.memories()]))

    def action_toggle_local(self) -> None:
        item = self._highlighted()
        if item is not None:
            self.toggle_local(item.id, "everywhere" if item.scope == "local" else "local")

    @work(thread=True, exclusive=True, group="memory", exit_on_error=False)
    def toggle_local(self, memory_id: str, scope: str) -> None:
        try:
            self.service.set_memory_scope(memory_id, scope)
            note = "Kept on this machine only." if scope == "local" else "May go to any model."
        except Exception as exc:  # shown in words; the panel stays open
            note = f"Could not change it: {exc}"
        self.post_message(self.Done(note))
        self.post_message(self.Loaded([MemoryItem.of(entry) for entry in self.service.memories()]))

    def action_export(self) -> None:
        export_everything(self, self.service)

    @on(Done)
    def _done(self, event: Done) -> None:
        self.notify(terminal_safe(event.note), title="Memory")


def export_everything(node: Widget, service: ChatService) -> None:
    """Export everything in a thread worker, then tell the user where it went (or why not)."""

    def export() -> None:
        try:
            note = f"Exported to {service.export(service.export_folder())}"
        except Exception as exc:  # said in words; the app stays
            note = f"Could not export: {exc}"
        node.app.call_from_thread(node.notify, terminal_safe(note))

    node.run_worker(export, thread=True, group="export", exit_on_error=False)


def forget_everything(node: Widget, service: ChatService) -> None:
    """Ask, then forget every memory in a thread worker and say how many there were."""

    def forget() -> None:
        count = service.forget_all()
        node.app.call_from_thread(
            node.notify, f"Forgot {count} memories." if count else "Nothing left to forget."
        )

    def answered(yes: bool | None) -> None:
        if yes:
            node.run_worker(forget, thread=True, group="forget", exit_on_error=False)

    node.app.push_screen(ConfirmScreen("Forget everything I remember about you?", yes="Forget all"), answered)
