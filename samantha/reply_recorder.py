"""Saving a reply while it streams, so a crash keeps what arrived and an interruption is recorded as such.

The row is created with the reply's first piece (a crash before any text leaves no empty reply), rewritten
every `SAVE_INTERVAL_SECONDS`, and finished once: complete, or interrupted with what arrived. An
interrupted reply with no text is removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from samantha.records import Message, MessageStatus
from samantha.store import Store

#: How often a streaming reply is written to the database, so a crash keeps most of it.
SAVE_INTERVAL_SECONDS = 1.0


class ReplyRecorder:
    """Records one assistant reply of `conversation_id`, piece by piece.

    Args:
        author: who wrote the reply (the reply row's `model`), read when the row is created.
    """

    def __init__(self, store: Store, conversation_id: str, author: Callable[[], str]) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.author = author
        self.pieces: list[str] = []
        self.row: Message | None = None
        self._saved_at = time.monotonic()

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def add(self, piece: str) -> None:
        """Take the next piece: the first creates the row, later ones are saved every interval."""
        self.pieces.append(piece)
        if self.row is None:
            self.row = self._create(piece)
        elif time.monotonic() - self._saved_at > SAVE_INTERVAL_SECONDS:
            self.store.update_message(self.row.id, content=self.text)
            self._saved_at = time.monotonic()

    def finish(self, status: MessageStatus, *, tokens: int, meta: dict[str, Any]) -> Message | None:
        """Write the whole reply with its final status; None when it was interrupted before any text."""
        answer = self.text
        if not answer and status != "complete":
            if self.row is not None:
                self.store.delete_message(self.row.id)  # nothing arrived: nothing to keep
            return None
        if self.row is None:
            self.row = self._create(answer)
        self.store.update_message(self.row.id, content=answer, status=status, tokens=tokens, meta=meta)
        return self.store.get_message(self.row.id)

    def _create(self, content: str) -> Message:
        row = self.store.add_message(
            self.conversation_id, "assistant", content, status="pending", model=self.author()
        )
        self._saved_at = time.monotonic()
        return row
