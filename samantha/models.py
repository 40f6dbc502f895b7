"""Data shapes shared by the core, the CLI and the app."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["system", "user", "assistant"]
MessageStatus = Literal["complete", "pending", "interrupted", "error"]


class Conversation(BaseModel):
    id: str
    title: str | None = None
    created_at: str
    updated_at: str


class Message(BaseModel):
    id: str
    conversation_id: str
    role: Role
    content: str
    created_at: str
    model: str | None = None
    tokens: int | None = None
    status: MessageStatus = "complete"
    meta: dict[str, Any] = Field(default_factory=dict)


class Passage(BaseModel):
    """A piece of a review, as retrieved for a question."""

    id: str
    source: str
    """Corpus file name, e.g. `000_7b0c1eb610d63dbc.txt`."""
    title: str = ""
    text: str
    score: float = 0.0
    position: int = 0


class Citation(BaseModel):
    n: int
    source: str
    text: str
