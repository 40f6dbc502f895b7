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

    @property
    def base_url(self) -> str | None:
        """The address of an OpenAI-compatible endpoint; None for a model in this process."""
        ...

    @property
    def parameters(self) -> float | None:
        """Billions of parameters when the backend knows them; None when it does not (the model's name
        may still tell: `samantha.llm.size`)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield the reply in pieces. Raise a `ModelError` subclass on failure, also mid-stream."""
        ...

    def complete_json(self, messages: list[ChatMessage], *, max_tokens: int) -> str:
        """One whole reply, deterministic, in the backend's JSON mode when it has one (memory extraction)."""
        ...

    def warm_up(self, system_prompt: str | None = None) -> None:
        """Load now what the first reply would wait for (weights, SDK), and read `system_prompt` ahead
        when the backend can keep it (`samantha.preload` calls this in a background thread)."""
        ...


class ModelDefaults:
    """What a backend without the optional members of `ChatModel` does: no endpoint, parameters unknown,
    JSON asked for in the prompt and the stream joined, nothing to warm up. Backends inherit it and
    override what they have."""

    base_url: str | None = None

    @property
    def parameters(self) -> float | None:
        return None

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        raise NotImplementedError  # every backend streams

    def complete_json(self, messages: list[ChatMessage], *, max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=0.0))

    def warm_up(self, system_prompt: str | None = None) -> None:
        return None


def count_message_tokens(model: ChatModel, messages: list[ChatMessage]) -> int:
    return sum(model.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)
