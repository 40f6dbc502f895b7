"""Bringing back what matters from earlier conversations. (The memory issue fills this in.)"""

from __future__ import annotations

from samantha.context import Section
from samantha.models import Message
from samantha.store import Store


class Recall:
    """Gathers memory sections for a turn and learns from what the user says."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sections_for_turn(self, conversation_id: str, text: str) -> list[Section]:
        return []

    def after_turn(self, user_message: Message, reply: Message | None) -> None:
        """Called once a turn is saved: extract memories, summarise what no longer fits."""
        return None

    def history_dropped(self, conversation_id: str, dropped: list[Message]) -> None:
        """Older turns no longer fit the context: summarise them so they are not lost."""
        return None
