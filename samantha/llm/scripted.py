"""A scripted model for unit and app tests and benchmarks: replies are queued, requests are recorded."""

from __future__ import annotations

import time
from collections.abc import Iterator

from samantha import tokens
from samantha.llm.base import ChatMessage, ModelDefaults


class Cut(str):
    """A scripted reply that ends at the length limit (`finish_reason` "length"): `Cut("Once upon")`."""


Script = str | list[str] | Exception


class ScriptedModel(ModelDefaults):
    backend = "scripted"
    small_model_notice: str | None = None
    parameters: float | None = None  # settable here: tests pretend sizes

    def __init__(
        self,
        *replies: Script,
        name: str = "scripted",
        context_window: int = 8192,
        delay: float = 0.0,
        parameters: float | None = None,
    ) -> None:
        self.name = name
        self.parameters = parameters
        """Billions of parameters it pretends to have (`samantha.llm.size`); None: unknown."""
        self.context_window = context_window
        self.delay = delay
        """Seconds to wait before each piece, to imitate a model's speed."""
        self.queue: list[Script] = list(replies)
        self.finish_reason: str | None = None
        self.history: list[list[ChatMessage]] = []
        """Every message list the model was asked to answer, in order."""

    def enqueue(self, *replies: Script) -> None:
        """Queue replies: a string (streamed word by word), a list of pieces, or an exception to raise."""
        self.queue.extend(replies)

    def count_tokens(self, text: str) -> int:
        return tokens.count_tokens(text)

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        self.history.append(list(messages))
        script = self.queue.pop(0) if self.queue else "(no scripted reply)"
        self.finish_reason = None
        if isinstance(script, Exception):
            raise script
        pieces = script if isinstance(script, list) else _words(script)
        for piece in pieces:
            if isinstance(piece, Exception):
                raise piece
            if self.delay:
                time.sleep(self.delay)
            yield piece
        self.finish_reason = "length" if isinstance(script, Cut) else "stop"


def _words(text: str) -> list[str]:
    parts = text.split(" ")
    return [part if i == len(parts) - 1 else part + " " for i, part in enumerate(parts)]
