"""Citations a user can check: every [n] in an answer is checked against the passages actually given.

- An [n] that points outside the given passages is invalid and never becomes a citation.
- An answer that cites nothing is attributed after the fact: a quoted review sentence, or a sentence that
  says the same thing (same numbers or names, or close in the multilingual sentence space), cites the
  passage it came from.
- An answer that nothing retrieved supports is flagged (`supported` false).

For a film question the turn also gets a grounded answer (`samantha.retrieval.answer`): with a small
model (which cannot read the Korean reviews and invents names) it *is* the reply; with a capable model
it is appended when the model's reply cites nothing, so the streamed and the saved text stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from samantha.records import Citation, Passage

if TYPE_CHECKING:
    from samantha.retrieval.answer import Grounding

_MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCES = re.compile(r"(?<=[.!?。])\s+|\n+")
_NUMBER = re.compile(r"\d[\d,]*")
_HANGUL_WORD = re.compile(r"[가-힣]{2,}")
#: An answer sentence at least this close to a passage (cosine, multilingual) is taken to come from it.
ATTRIBUTION_SIMILARITY = 0.55


@dataclass
class CheckedAnswer:
    answer: str
    citations: list[Citation]
    supported: bool
    """False when nothing that was retrieved supports the answer."""
    invalid: list[int]
    """Numbers the answer cited that were never given to the model."""
    attributed: list[int] = field(default_factory=list)
    """Numbers the answer did not write but whose passages it repeats (found after the fact)."""


def check_citations(answer: str, passages: list[Passage], *, attribute: bool = True) -> CheckedAnswer:
    """Check the [n] markers of `answer` against `passages` (numbered from 1).

    Args:
        attribute: when the answer cites nothing valid, look for passages it repeats anyway.
    """
    cited: list[int] = []
    invalid: list[int] = []
    for match in _MARKER.finditer(answer):
        n = int(match.group(1))
        if 1 <= n <= len(passages):
            if n not in cited:
                cited.append(n)
        elif n not in invalid:
            invalid.append(n)
    attributed: list[int] = []
    if not cited and attribute and passages and answer.strip():
        attributed = attribute_passages(answer, passages)
    numbers = cited + attributed
    citations = [Citation(n=n, source=passages[n - 1].source, text=passages[n - 1].text) for n in numbers]
    return CheckedAnswer(
        answer=answer, citations=citations, supported=bool(citations), invalid=invalid, attributed=attributed
    )


def attribute_passages(answer: str, passages: list[Passage]) -> list[int]:
    """Passages (numbers from 1) whose content the answer repeats without citing them."""
    found: list[int] = []
    sentences = [s.strip() for s in _SENTENCES.split(_MARKER.sub("", answer)) if len(s.strip()) >= 6]
    for n, passage in enumerate(passages, start=1):
        text = passage.text
        for sentence in sentences:
            if _shares_facts(sentence, text):
                found.append(n)
                break
    if found or not sentences:
        return found
    try:
        from samantha.retrieval import nlp

        vectors = nlp.encode(sentences + [p.text for p in passages])
    except Exception:  # the encoder is optional here: without it, only literal matches count
        return found
    answer_vectors, passage_vectors = vectors[: len(sentences)], vectors[len(sentences) :]
    similarity = passage_vectors @ answer_vectors.T
    return [
        n for n in range(1, len(passages) + 1) if float(similarity[n - 1].max()) >= ATTRIBUTION_SIMILARITY
    ]


def _shares_facts(sentence: str, passage: str) -> bool:
    """A quoted stretch, the same specific numbers, Korean words, or a person's name in any spelling."""
    if len(sentence) >= 12 and sentence.strip('"“” ') in passage:
        return True
    if any(any(f in passage for f in entry.korean) for entry in _people_in(sentence)):
        return True
    numbers = {n.replace(",", "") for n in _NUMBER.findall(sentence) if len(n.replace(",", "")) >= 3}
    passage_numbers = {n.replace(",", "") for n in _NUMBER.findall(passage)}
    words = set(_HANGUL_WORD.findall(sentence))
    return bool(numbers & passage_numbers) or len(words & set(_HANGUL_WORD.findall(passage))) >= 3


def _people_in(text: str) -> list[Any]:
    """Real people (director, actors) the text names, from the glossary's built-in list."""
    from samantha.retrieval.glossary import Glossary

    global _SEED_GLOSSARY
    if _SEED_GLOSSARY is None:
        _SEED_GLOSSARY = Glossary.build()
    return [m.entry for m in _SEED_GLOSSARY.matches(text) if m.entry.kind == "person"]


_SEED_GLOSSARY: Any = None


# ---- the grounded answer in a chat turn ----


def ground_turn(retriever: Any, question: str, passages: list[Passage]) -> Grounding | None:
    """The grounded answer for a turn that was given passages (None without passages or grounding)."""
    ground = getattr(retriever, "ground", None)
    if not passages or ground is None:
        return None
    result: Grounding | None = ground(question, passages)
    return result


def answer_with_model(grounding: Grounding | None, model: Any) -> bool:
    """Whether the model writes the reply. Not when the reviews don't cover the question (say so instead
    of letting it invent), nor when it is the small built-in model (it cannot read the Korean reviews)."""
    if grounding is None:
        return True
    return grounding.supported and not getattr(model, "small_model_notice", None)


def stream_text(text: str) -> Iterator[str]:
    """A prepared reply, in word-sized pieces like a model's."""
    words = text.split(" ")
    for i, word in enumerate(words):
        yield word if i == len(words) - 1 else word + " "


def verified_addendum(grounding: Grounding | None, answer: str, passages: list[Passage]) -> Iterator[str]:
    """After a model's reply: the verified quote, unless the reply already gives the reviews' answer (the
    name or number they give, every side where they disagree) or, when there is no short answer, cites
    them. "John Madden directed it [1]" when [1] says 스파이크 존즈 gets the quote; "Spike Jonze directed
    it." does not (and is attributed to the passages that say so)."""
    if grounding is None or not grounding.supported or not answer.strip():
        return
    cites = any(1 <= int(m.group(1)) <= len(passages) for m in _MARKER.finditer(answer))
    facts = answer_facts(grounding)
    if facts and all(_mentions(answer, fact) for fact in facts):
        return  # it gives the reviews' answer; uncited, it is attributed to them afterwards
    if cites and not facts:
        return
    yield from stream_text("\n\n" + grounding.text())


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
