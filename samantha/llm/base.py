"""The one interface every model backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypedDict


class ChatMessage(TypedDict):
    role: str
    content: str


#: Tokens a chat template adds around each message (role markers, separators); a safe over-estimate.
MESSAGE_OVERHEAD_TOKENS = 6


class ChatModel(Protocol):
    """A chat model that streams its reply as text pieces."""

    @property
    def name(self) -> str:
        """What the user sees as the model, e.g. `SmolLM2-135M-Instruct (embedded)` or `gpt-4o-mini`."""
        ...

    @property
    def backend(self) -> str:
        """`embedded`, `openai` or `scripted`."""
        ...

    @property
    def context_window(self) -> int:
        """Tokens the model can take, prompt and reply together."""
        ...

    @property
    def finish_reason(self) -> str | None:
        """Why the last reply ended: `stop`, `length` (cut at `max_tokens`), or None while unknown."""
        ...

    @property
    def small_model_notice(self) -> str | None:
        """A plain-words notice to show once when the model is too small for good conversation, else None."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield the reply in pieces. Raise a `ModelError` subclass on failure, also mid-stream."""
        ...


def count_message_tokens(model: ChatModel, messages: list[ChatMessage]) -> int:
    return sum(model.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)
