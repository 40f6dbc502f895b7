"""The grounded answer put into words, in the question's language.

An English question gets the reviews' sentences in their aligned English translation (marked as the
project's translation), a Korean one the original sentences; both name the review each quote comes from by
its number and short title ("review 4, “Her: info, plot, afterthoughts”"). Where reviews disagree each
side is shown with its source. Citation numbers are renumbered to run from [1] in the order the answer
cites them (`Grounding.order` says which given passage each number is).
"""

from __future__ import annotations

import re

from samantha.retrieval.corpus import Corpus
from samantha.retrieval.translation import TRANSLATED_NOTE
from samantha.retrieval.types import Grounding, Quote

#: What the key of an answer looks like in the English translation, per kind of answer.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ENGLISH_VALUES = {
    "minutes": re.compile(r"\d+\s*minutes"),
    "count": re.compile(r"(?:about\s+)?\d[\d,]*\s+(?:other\s+)?people"),
    "date": re.compile(rf"(?:{_MONTHS})\s+\d{{1,2}},\s+\d{{4}}|\d{{4}}\.\d{{2}}\.\d{{2}}|\b\d{{4}}\b"),
    "age": re.compile(r"\d+\s*years?\s*old"),
    "years": re.compile(
        r"(?i)\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+years\b(?!\s+old)"
    ),
    "money": re.compile(r"[$€£₩]\s*\d[\d,.]*\s*(?:million|billion)?|\d[\d,.]*\s*(?:won|dollars)"),
}
NOT_COVERED = {
    True: "제가 가진 리뷰에는 그 내용이 나오지 않아요. 지어내지 않을게요.",
    False: "The reviews I have don't cover that, so I won't guess.",
}


def renumbering(grounding: Grounding, given: int) -> dict[int, int]:
    """Given passage number -> the number the answer shows: from 1, in the order the answer cites them."""
    mapping: dict[int, int] = {}
    for quote in grounding.quotes:
        mapping.setdefault(quote.n, len(mapping) + 1)
    for n in range(1, given + 1):
        mapping.setdefault(n, len(mapping) + 1)
    return mapping


def english_key(grounding: Grounding, kind: str | None) -> str:
    """The short answer as the English translation of the best quote gives it."""
    if grounding.key_en:
        return grounding.key_en
    if kind in ENGLISH_VALUES and grounding.quotes and grounding.quotes[0].english:
        match = ENGLISH_VALUES[kind].search(grounding.quotes[0].english)
        return match.group(0) if match else ""
    return ""


def _said(quote: Quote, korean: bool) -> str:
    """A quote in the reader's language: the original for Korean, else the aligned translation."""
    if korean or not quote.english:
        return quote.sentence
    return quote.english


def _tellings(quotes: list[Quote]) -> list[list[Quote]]:
    """The quotes grouped into tellings: a quote and the sentences that follow it in its review."""
    groups: list[list[Quote]] = []
    for quote in quotes:
        if quote.follows and groups:
            groups[-1].append(quote)
        else:
            groups.append([quote])
    return groups


def compose(corpus: Corpus, grounding: Grounding, given: int, kind: str | None = None) -> Grounding:
    """Set `grounding.answer` (the reply to show, numbered from [1] in citing order; `order` says which
    given passage each number is) and `grounding.addendum` (the same, numbered as the passages were
    given, to follow a model's reply)."""
    if not grounding.supported or not grounding.quotes:
        grounding.answer = grounding.addendum = NOT_COVERED[grounding.korean]
        grounding.order = list(range(1, given + 1))
        return grounding
    mapping = renumbering(grounding, given)
    grounding.order = sorted(mapping, key=lambda n: mapping[n])
    grounding.answer = _text(corpus, grounding, kind, mapping)
    grounding.addendum = _text(corpus, grounding, kind, {n: n for n in mapping})
    return grounding


def _text(corpus: Corpus, grounding: Grounding, kind: str | None, number: dict[int, int]) -> str:
    korean = grounding.korean

    def source(quote: Quote) -> str:
        return corpus.label(quote.source).name(korean)

    translated = not korean and any(q.english for q in grounding.quotes)
    if grounding.disagreement:
        lines = ["리뷰마다 다르게 적혀 있어요:" if korean else "The reviews disagree:"]
        lines += [f"- {source(q)}: “{_said(q, korean)}” [{number[q.n]}]" for q in grounding.quotes]
    else:
        best = grounding.quotes[0]
        key = grounding.key if korean else english_key(grounding, kind)
        if korean:
            lead = f"리뷰에 따르면 {key} [{number[best.n]}]." if key else "리뷰에 이렇게 나와요."
        else:
            lead = f"According to the reviews: {key} [{number[best.n]}]." if key else "From the reviews:"
        lines = [lead]
        for group in _tellings(grounding.quotes)[:2]:
            said = " ".join(_said(q, korean) for q in group)
            cited = "".join(f"[{number[n]}]" for n in dict.fromkeys(q.n for q in group))
            lines.append(f"“{said}” ({source(group[0])}) {cited}")
    if translated:
        lines.append(TRANSLATED_NOTE)
    return "\n".join(lines)
