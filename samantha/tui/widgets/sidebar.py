"""Past conversations, newest first, loaded a page at a time, with a filter box (titles and words said)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from samantha.records import Conversation
from samantha.textsafe import terminal_safe

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
    """Shows conversations; asks its screen (by message) to open one, filter, or load the next page."""

    @dataclass
    class Opened(Message):
        conversation_id: str

    @dataclass
    class FilterChanged(Message):
        query: str

    @dataclass
    class MoreWanted(Message):
        offset: int
        query: str

    def __init__(self) -> None:
        super().__init__(id="sidebar")
        self.next_offset: int | None = None
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Find a conversation", id="filter")
        yield OptionList(id="conversations")

    @property
    def options(self) -> OptionList:
        return self.query_one("#conversations", OptionList)

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

    @on(OptionList.OptionSelected, "#conversations")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == MORE and self.next_offset is not None:
            self.post_message(self.MoreWanted(self.next_offset, self.query_text))
        elif event.option.id:
            self.post_message(self.Opened(event.option.id))

    @on(OptionList.OptionHighlighted, "#conversations")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id == MORE and self.next_offset is not None:  # reaching the last row loads more
            self.post_message(self.MoreWanted(self.next_offset, self.query_text))

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.post_message(self.FilterChanged(self.query_text))

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.options.focus()
