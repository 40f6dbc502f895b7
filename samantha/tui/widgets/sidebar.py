"""Past conversations, newest first, loaded a page at a time, with a filter box (titles and words said);
renaming and deleting a conversation live here too, beside the list they change."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from samantha.records import Conversation
from samantha.textsafe import terminal_safe
from samantha.tui.dialogs import ConfirmScreen, RenameScreen

if TYPE_CHECKING:
    from samantha.tui.services import ChatService, Page

MORE = "__more__"


#: Cells a title may take in the sidebar (wide characters count two).
TITLE_CELLS = 27


def conversation_label(conversation: Conversation) -> Text:
    """Title on one line (cut by cell width, so Korean lines up), then the date, dimmed."""
    label = Text(terminal_safe(conversation.title or "Untitled"))
    label.truncate(TITLE_CELLS, overflow="ellipsis")
    label.append("\n" + conversation.updated_at[:16].replace("T", " "), style="dim")
    return label


class Sidebar(Vertical):
    """Shows conversations and changes them (rename, delete) through the service; tells its screen (by
    message) when one is opened or deleted."""

    @dataclass
    class Opened(Message):
        conversation_id: str

    @dataclass
    class Deleted(Message):
        conversation_id: str

    @dataclass
    class Loaded(Message):
        page: Page
        append: bool

    @dataclass
    class Changed(Message):
        """A conversation was renamed or deleted; `note` is told to the user."""

        note: str
        deleted: str | None = None

    def __init__(self, service: ChatService) -> None:
        super().__init__(id="sidebar")
        self.service = service
        self.next_offset: int | None = None
        self.query_text = ""
        self.open_id: str | None = None
        """The conversation open beside the list (highlighted when the list is redrawn)."""
        self.drawn = threading.Event()
        """Set once the first page is on screen (the app loads the model only after that)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Find a conversation", id="filter")
        yield OptionList(id="conversations")

    @property
    def options(self) -> OptionList:
        return self.query_one("#conversations", OptionList)

    # Loading

    def reload(self) -> None:
        self.load(0, self.query_text, False)

    @work(thread=True, exclusive=True, group="sidebar", exit_on_error=False)
    def load(self, offset: int, query: str, append: bool) -> None:
        self.post_message(self.Loaded(self.service.conversations(offset, query), append))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        event.stop()
        self.show(event.page.conversations, append=event.append, next_offset=event.page.next_offset)
        if self.open_id:
            self.highlight(self.open_id)
        if not self.drawn.is_set():
            self.call_after_refresh(self.drawn.set)

    def show(self, conversations: list[Conversation], *, append: bool, next_offset: int | None) -> None:
        """Show a page of conversations; with `next_offset`, a 'load more' row asks for the page there."""
        options = self.options
        if not append:
            options.clear_options()
        elif options.option_count and options.get_option_at_index(options.option_count - 1).id == MORE:
            options.remove_option(MORE)
        shown = set(self.conversation_ids())
        options.add_options(
            [Option(conversation_label(c), id=c.id) for c in conversations if c.id not in shown]
        )
        self.next_offset = next_offset
        if next_offset is not None:
            options.add_option(Option(Text("Load more…", style="italic"), id=MORE))

    def conversation_ids(self) -> list[str]:
        options = self.options
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        return [i for i in ids if i and i != MORE]

    def highlighted_id(self) -> str | None:
        options = self.options
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return None if option_id == MORE else option_id

    def highlight(self, conversation_id: str) -> None:
        # Not loaded (older than the pages shown): nothing to highlight.
        with contextlib.suppress(Exception):
            self.options.highlighted = self.options.get_option_index(conversation_id)

    def target(self, open_id: str | None) -> str | None:
        """The conversation a rename/delete applies to: the highlighted one when the list has focus,
        else the open one (`open_id`)."""
        if self.has_focus_within:
            return self.highlighted_id() or open_id
        return open_id

    @on(OptionList.OptionSelected, "#conversations")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == MORE and self.next_offset is not None:
            self.load(self.next_offset, self.query_text, True)
        elif event.option.id:
            self.post_message(self.Opened(event.option.id))

    @on(OptionList.OptionHighlighted, "#conversations")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id == MORE and self.next_offset is not None:  # reaching the last row loads more
            self.load(self.next_offset, self.query_text, True)

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.load(0, self.query_text, False)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.options.focus()

    def on_key(self, event: events.Key) -> None:
        """Down from the filter goes into the list below it; up from the list's first row, back up."""
        filter_box = self.query_one("#filter", Input)
        if event.key == "down" and filter_box.has_focus and self.options.option_count:
            event.stop()
            self.options.focus()
            if self.options.highlighted is None:
                self.options.highlighted = 0
        elif event.key == "up" and self.options.has_focus and self.options.highlighted in (None, 0):
            event.stop()
            filter_box.focus()

    # Rename and delete

    def rename(self, target: str | None) -> None:
        if target is None:
            self.notify("Pick a conversation first.")
            return

        def renamed(new_title: str | None) -> None:
            if new_title:
                self.change(target, new_title)

        self.app.push_screen(RenameScreen(self.service.title(target) or ""), renamed)

    def delete(self, target: str | None) -> None:
        if target is None:
            self.notify("Pick a conversation first.")
            return
        title = self.service.title(target) or "this conversation"

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(target, None)

        question = f"Delete “{terminal_safe(title)}” and all its messages? This cannot be undone."
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, group="change", exit_on_error=False)
    def change(self, conversation_id: str, title: str | None) -> None:
        """Rename (title given) or delete (title None) a conversation."""
        if title is None:
            self.service.delete(conversation_id)
            self.post_message(self.Changed("Conversation deleted.", deleted=conversation_id))
        else:
            self.service.rename(conversation_id, title)
            self.post_message(self.Changed("Conversation renamed."))

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        event.stop()
        if event.deleted:
            self.post_message(self.Deleted(event.deleted))
        self.notify(event.note)
        self.reload()
