"""How long an endpoint may take to start answering: it must first read the prompt, and on a CPU server a
2,000-token film question takes it 40-60 s before the first token (llama.cpp's server, measured).

The first-token budget is `timeout` plus the prompt's tokens at the server's prompt speed (with a margin),
so a long prompt on a slow server is given the time it needs while a hung server is still found out. The
speed is, in order: `SAMANTHA_PROMPT_SPEED`; what the server reported for an earlier reply (llama.cpp's
`timings.prompt_per_second`); what an earlier slow reply showed (prompt tokens / seconds to the first
token, only when that wait was long enough to be mostly reading); else a cautious CPU-class guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Tokens per second assumed until the server shows its own speed: a small model on a laptop CPU.
ASSUMED_TOKENS_PER_SECOND = 20.0
#: Reading time is multiplied by this, as a server's speed varies with load and prompt.
MARGIN = 1.5
#: A wait to the first token shorter than this says more about latency than about reading speed.
MIN_WAIT_TO_LEARN = 1.0
#: Timings over fewer prompt tokens than this (a cached prefix) say little about reading speed.
MIN_TOKENS_TO_LEARN = 64


@dataclass
class PromptPace:
    tokens_per_second: float | None = None
    """The server's prompt speed, once learned."""
    reported: bool = False
    """Whether the speed came from the server's own timings (then waits do not override it)."""

    def speed(self, configured: float | None = None) -> float:
        return configured or self.tokens_per_second or ASSUMED_TOKENS_PER_SECOND

    def first_token_budget(
        self, timeout: float, prompt_tokens: int, configured: float | None = None
    ) -> float:
        """Seconds the server may take before its first token."""
        return timeout + MARGIN * prompt_tokens / self.speed(configured)

    def learn_from_timings(self, timings: Any) -> None:
        """llama.cpp's `timings` (sent with the last chunk): `prompt_n` tokens read at `prompt_per_second`."""
        if not isinstance(timings, dict):
            return
        speed, read = timings.get("prompt_per_second"), timings.get("prompt_n")
        if (
            isinstance(speed, int | float)
            and speed > 0
            and isinstance(read, int)
            and read >= MIN_TOKENS_TO_LEARN
        ):
            self.tokens_per_second = float(speed)
            self.reported = True

    def learn_from_wait(self, prompt_tokens: int, seconds: float) -> None:
        """A bound on the speed from one wait; the slowest seen is kept (a cached prompt reads fast)."""
        if self.reported or seconds < MIN_WAIT_TO_LEARN or prompt_tokens < MIN_TOKENS_TO_LEARN:
            return
        speed = prompt_tokens / seconds
        self.tokens_per_second = min(speed, self.tokens_per_second or speed)
