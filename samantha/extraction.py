"""A model that helps remember: after a turn, a capable model lists facts about the user as JSON.

The reply is validated by a pydantic schema (the server's JSON mode is asked for where it has one). The
patterns in `samantha.memories` always run too, so invalid output loses nothing: it is logged, and the
turn keeps the facts the patterns found. Only the user's own message is sent, to the model that has just
answered it. Off by default for the built-in model (too small to follow the format); `memory_extraction`
turns it on or off anywhere.
"""

from __future__ import annotations

import logging
import re
from typing import Literal, Protocol

from pydantic import BaseModel, Field, ValidationError

from samantha.config import Settings
from samantha.errors import ModelError
from samantha.llm.base import ChatMessage, ChatModel
from samantha.memories import MAX_FACT_CHARS, Fact
from samantha.textsafe import terminal_safe

log = logging.getLogger(__name__)

MAX_FACTS = 10
MAX_REPLY_TOKENS = 400
#: The kind each slot's facts are stored under (the patterns use the same).
_KINDS = {
    "name": "name",
    "home": "home",
    "origin": "home",
    "whereabouts": "home",
    "job": "work",
    "workplace": "work",
    "partner": "people",
    "other": "fact",
}

PROMPT = """You note facts about the user from their message, for a companion's long-term memory.
Only facts the user states about themselves or their life (name, home, job, workplace, partner,
family, pets, likes, plans, health). Never guesses, never questions, never what the assistant said.
Write each fact as one short sentence in the message's language, about "the user" ("The user lives in
Seoul.", "사용자는 서울에 산다."). Give "about" as one of: name, home, origin, job, workplace, partner,
whereabouts, other ("whereabouts" when they are only somewhere for now).
Reply with JSON only: {"facts": [{"text": "...", "about": "..."}]} ({"facts": []} when there are none)."""


class ExtractedFact(BaseModel):
    text: str = Field(min_length=3, max_length=MAX_FACT_CHARS)
    about: Literal["name", "home", "origin", "job", "workplace", "partner", "whereabouts", "other"] = "other"


class Extraction(BaseModel):
    facts: list[ExtractedFact] = Field(default_factory=list, max_length=MAX_FACTS)


class JSONCapable(Protocol):
    def complete_json(self, messages: list[ChatMessage], *, max_tokens: int) -> str: ...


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def parse(reply: str) -> list[Fact]:
    """The facts in a model's reply; raises ValueError (with the reason) when it is not valid."""
    body = _FENCE.sub(r"\1", reply)  # a fenced block is still the JSON asked for
    try:
        extraction = Extraction.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{first['msg']} at {'.'.join(map(str, first['loc'])) or 'the top'}") from None
    facts = []
    for item in extraction.facts:
        text = " ".join(item.text.split())
        if not text.endswith((".", "!", "。")):
            text += "."
        slot = None if item.about == "other" else item.about
        facts.append(Fact(_KINDS[item.about], text, slot))
    return facts


class ModelExtractor:
    """Asks `model` for the facts in one user message."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def ask(self, text: str) -> str:
        messages: list[ChatMessage] = [
            {"role": "system", "content": PROMPT},
            {"role": "user", "content": text},
        ]
        return self.model.complete_json(messages, max_tokens=MAX_REPLY_TOKENS)

    def facts(self, text: str) -> list[Fact] | None:
        """The facts the model found, or None when it failed or its output was invalid (logged)."""
        try:
            reply = self.ask(text)
        except ModelError as exc:
            log.warning("Memory extraction by the model failed (%s); the patterns' facts are kept.", exc)
            return None
        try:
            return parse(reply)
        except ValueError as exc:
            log.warning(
                "Memory extraction by the model gave invalid output (%s: %s); the patterns' facts are kept.",
                exc,
                # Model output is untrusted: shown as text, never as terminal escapes.
                terminal_safe(repr(reply[:200])),
            )
            return None


def extractor_for(model: ChatModel, settings: Settings) -> ModelExtractor | None:
    """The extractor the settings ask for: `auto` uses one with an endpoint, never the built-in model."""
    if settings.memory_extraction == "off":
        return None
    if settings.memory_extraction == "auto" and model.backend != "openai":
        return None
    return ModelExtractor(model)
