"""Shapes of the memory tables: long-term memories and summaries of older turns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

MemorySource = Literal["pattern", "model", "manual", "import"]


class Memory(BaseModel):
    """A fact about the user. `message_id` is the user message it came from (None when added by hand)."""

    id: str
    content: str
    kind: str = "fact"
    source: str = "manual"
    message_id: str | None = None
    conversation_id: str | None = None
    created_at: str


class Summary(BaseModel):
    """A summary of older turns of a conversation, covering `first_message_id` .. `last_message_id`."""

    id: str
    conversation_id: str
    first_message_id: str
    last_message_id: str
    message_count: int
    content: str
    method: str = "extractive"
    created_at: str


class SearchHit(BaseModel):
    """A message or memory that matched a search."""

    kind: Literal["message", "memory"]
    id: str
    content: str
    created_at: str
    conversation_id: str | None = None
    role: str | None = None
    score: float = 0.0
