"""Translating a user's file into English with the configured model (`samantha corpus add --translate`).

Only a capable model is asked (the small built-in one would invent); its translation is stored with the
file and labelled with the model's name wherever it is shown. Sentences go in numbered batches, and a
batch whose reply does not come back line for line is asked again one sentence at a time.
"""

from __future__ import annotations

import re

from samantha.llm.base import ChatMessage, ChatModel

BATCH = 20
MAX_TOKENS = 2_000
INSTRUCTIONS = (
    "Translate each numbered line into English, faithfully and completely, one line for one line. "
    "Keep names as they are usually written in English (Theodore, Samantha, Spike Jonze, Scarlett "
    "Johansson). Reply with the numbered lines only, in the same order, nothing else."
)
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s*(.*\S)\s*$")


class ModelTranslator:
    """Sentences into English with a chat model; `name` labels the translation it makes."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model
        self.name = model.name

    def _ask(self, text: str) -> str:
        messages: list[ChatMessage] = [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": text},
        ]
        return "".join(self.model.stream(messages, max_tokens=MAX_TOKENS, temperature=0.0)).strip()

    def __call__(self, sentences: list[str]) -> list[str]:
        out: list[str] = []
        for start in range(0, len(sentences), BATCH):
            batch = sentences[start : start + BATCH]
            numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(batch, start=1))
            lines = {}
            for line in self._ask(numbered).splitlines():
                match = _NUMBERED.match(line)
                if match:
                    lines[int(match.group(1))] = match.group(2)
            if sorted(lines) == list(range(1, len(batch) + 1)):
                out += [lines[i] for i in range(1, len(batch) + 1)]
            else:
                out += [self._ask(f"1. {s}").removeprefix("1.").strip() for s in batch]
        return out
