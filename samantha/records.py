"""The data shapes every layer shares: conversations, messages, memories, summaries, search hits, passages.

Pure pydantic, the lowest layer: it imports nothing from Samantha, so anything may import it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["system", "user", "assistant"]
MessageStatus = Literal["complete", "pending", "interrupted", "error", "cut"]
"""`cut`: a finished reply the model stopped at the reply-length limit (`max_reply_tokens`)."""
MemorySource = Literal["pattern", "model", "manual", "import"]
MemoryStatus = Literal["current", "superseded"]
#: `everywhere`: may go to any model; `local`: only to the built-in model or an endpoint on loopback.
MemoryScope = Literal["everywhere", "local"]


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
    text_en: str = ""
    """The passage in English: the review's aligned translation (or a model's, for a user's file), or ""."""
    label: str = ""
    """Which review it is, for a reader: "Review 3: An AI warmer than people (사람보다 따뜻한 AI)"."""


class Citation(BaseModel):
    n: int
    source: str
    text: str
    """The passage as written (the Korean original for the shipped reviews)."""
    title: str = ""
    """The review's number and short title, e.g. "Review 3: An AI warmer than people (사람보다 따뜻한 AI)"."""
    text_en: str = ""
    """The passage's English translation, shown beside the original ("" when there is none)."""


class Memory(BaseModel):
    """A fact about the user. `message_id` is the user message it came from (None when added by hand)."""

    id: str
    content: str
    kind: str = "fact"
    source: str = "manual"
    message_id: str | None = None
    conversation_id: str | None = None
    created_at: str
    slot: str | None = None
    """What the fact is about (`home`, `job`, `name`, `partner`...): one current fact per slot."""
    status: MemoryStatus = "current"
    superseded_by: str | None = None
    """The memory that replaced this one, when it is superseded."""
    valid_from: str | None = None
    valid_until: str | None = None
    """When it stopped being true (superseded), else None."""
    scope: MemoryScope = "everywhere"


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
    scope: str = "everywhere"
    """For memories: `everywhere` or `local`."""
