"""How a film turn uses the grounded answer and the claim checker.

With a small model (which cannot read the Korean reviews and invents names) the grounded answer *is* the
reply, in the user's language. With a capable model the model writes the reply; afterwards its claims
are checked against the reviews' facts, and each claim they do not support is marked in a note that
follows the reply, then the verified quote, unless the reply already gives the reviews' answer. The
streamed and the saved text stay the same: the notes are streamed after the reply, never spliced in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from samantha.llm.base import ChatModel
from samantha.records import Passage
from samantha.retrieval import Retriever
from samantha.retrieval.claims import Claim, claims_notice, flagged
from samantha.retrieval.types import Grounding

_MARKER = re.compile(r"\[(\d{1,3})\]")


def ground_turn(retriever: Retriever | None, question: str, passages: list[Passage]) -> Grounding | None:
    """The grounded answer for a turn that was given passages (None without passages or grounding)."""
    if retriever is None or not passages:
        return None
    return retriever.ground(question, passages)


def reply_passages(grounding: Grounding | None, passages: list[Passage], uses_model: bool) -> list[Passage]:
    """The passages as the reply numbers them: a quoted answer renumbers them from [1] in citing order
    (`Grounding.order`); a model's reply keeps the numbers its prompt gave them."""
    if uses_model or grounding is None or not grounding.order:
        return passages
    return [passages[n - 1] for n in grounding.order if 1 <= n <= len(passages)]


def answer_with_model(grounding: Grounding | None, model: ChatModel) -> bool:
    """Whether the model writes the reply. Not when the reviews don't cover the question (say so instead
    of letting it invent), nor when it is the small built-in model (it cannot read the Korean reviews)."""
    if grounding is None:
        return True
    return grounding.supported and not model.small_model_notice


def stream_text(text: str) -> Iterator[str]:
    """A prepared reply, in word-sized pieces like a model's."""
    words = text.split(" ")
    for i, word in enumerate(words):
        yield word if i == len(words) - 1 else word + " "


def verified_addendum(
    grounding: Grounding | None, answer: str, passages: list[Passage], claims: list[Claim] | None = None
) -> Iterator[str]:
    """After a model's reply: a marked note for each claim the reviews do not support, then the verified
    quote, unless the reply already gives the reviews' answer (the name or number they give, every side
    where they disagree) or, when there is no short answer, cites them, and claims nothing they contradict.
    "John Madden directed it [1]" when [1] says 스파이크 존즈 gets the note and the quote; "Spike Jonze
    directed it." gets neither (and is attributed to the passages that say so)."""
    if grounding is None or not answer.strip():
        return
    wrong = flagged(claims or [])
    if wrong:
        yield from stream_text("\n\n" + claims_notice(wrong, grounding.korean))
    if not grounding.supported:
        return
    if not wrong:
        cites = any(1 <= int(m.group(1)) <= len(passages) for m in _MARKER.finditer(answer))
        facts = answer_facts(grounding)
        if facts and all(_mentions(answer, fact) for fact in facts):
            return  # it gives the reviews' answer; uncited, it is attributed to them afterwards
        if cites and not facts:
            return
    yield from stream_text("\n\n" + (grounding.addendum or grounding.text()))


def answer_facts(grounding: Grounding) -> list[list[str]]:
    """What a correct reply must mention: the short answer (any of its spellings), or each disagreeing
    value ("123분", "125분")."""
    if grounding.disagreement:
        facts = [q.values or [] for q in grounding.quotes]
        return [f for f in facts if f]
    if grounding.key:
        spellings = [part.strip(" ()") for part in re.split(r"\s*\(", grounding.key) if part.strip(" ()")]
        return [spellings]
    return []


def _mentions(answer: str, spellings: list[str]) -> bool:
    """Whether `answer` gives one of `spellings` (numbers compared by their digits)."""
    lowered = answer.lower().replace(",", "")
    for spelling in spellings:
        digits = re.sub(r"\D", "", spelling)
        if digits and len(digits) >= 2 and digits in re.sub(r"[^\d\s]", " ", lowered).split():
            return True
        if spelling.lower().replace(",", "") in lowered:
            return True
    return False
