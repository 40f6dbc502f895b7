"""Choosing where a turn's reply comes from, before anything streams.

A reply is either written by the model from the assembled context, or composed from data without calling
it (a film answer quoted from the reviews, when the model is too small to read them or the reviews do not
cover the question). `choose_reply_source` makes that choice in one place; a router that tells film
questions from memories, talk and small talk returns a `ReplySource` too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from samantha.config import Settings
from samantha.context import ContextPlan
from samantha.llm.base import ChatModel
from samantha.records import Passage
from samantha.retrieval import Retriever
from samantha.retrieval.claims import Claim
from samantha.retrieval.policy import (
    answer_with_model,
    ground_turn,
    reply_passages,
    stream_text,
    verified_addendum,
)
from samantha.retrieval.types import Grounding

#: The `model` of a reply quoted from the reviews without calling the model (a small model's film answers).
QUOTED_FROM_REVIEWS = "quoted from the reviews"


@dataclass
class ReplySource:
    """Who writes a turn's reply and how its text arrives.

    Iterating `pieces()` starts the reply (for a model, the request), so the caller does it where a
    failure is recorded. `author` is read late: an endpoint's model is known only once its reply has
    started (picked from the endpoint's list).
    """

    kind: Literal["model", "composed"]
    pieces: Callable[[], Iterator[str]]
    author: Callable[[], str]
    passages: list[Passage]
    """The passages as the reply numbers them (a quoted answer renumbers them in citing order)."""
    grounding: Grounding | None = None
    """The film answer checked against the reviews, when the turn was given passages."""
    follow_up: Callable[[str], Iterator[str]] | None = None
    """What else follows the reply (a memory answer the model did not cite: `samantha.conversation`)."""
    ends_whole: bool = False
    """The reply always ends at a whole sentence (a small model's shaped small talk drops the unfinished
    rest), so the model reaching its length limit does not leave it cut."""

    @property
    def attribute_citations(self) -> bool:
        """Whether an answer that cites nothing is matched to the passages it repeats: not when the
        reviews do not cover the question (the reply says so, and must not look supported)."""
        return self.grounding is None or self.grounding.supported

    def addendum(self, answer: str, claims: list[Claim] | None) -> Iterator[str]:
        """What follows the reply once it has streamed: a note on each claim the reviews do not support
        and the reviews' verified answer, when the reply does not give it (`retrieval.policy`)."""
        yield from verified_addendum(self.grounding, answer, self.passages, claims)
        if self.follow_up is not None:
            yield from self.follow_up(answer)


def choose_reply_source(
    text: str, plan: ContextPlan, model: ChatModel, retriever: Retriever | None, settings: Settings
) -> ReplySource:
    """The model, streaming from `plan`, unless a film question is better answered from the reviews."""
    grounding = ground_turn(retriever, text, plan.passages)
    if answer_with_model(grounding, model):
        return ReplySource(
            kind="model",
            pieces=lambda: model.stream(
                plan.messages, max_tokens=settings.max_reply_tokens, temperature=settings.temperature
            ),
            author=lambda: model.name,
            passages=reply_passages(grounding, plan.passages, uses_model=True),
            grounding=grounding,
        )
    assert grounding is not None  # answer_with_model is true without a grounded answer
    composed = grounding
    return ReplySource(
        kind="composed",
        pieces=lambda: stream_text(composed.text()),
        author=lambda: QUOTED_FROM_REVIEWS,
        passages=reply_passages(grounding, plan.passages, uses_model=False),
        grounding=grounding,
    )
