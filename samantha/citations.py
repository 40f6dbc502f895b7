"""Citations a user can check: every [n] in an answer is checked against the passages actually given.

- An [n] that points outside the given passages is invalid and never becomes a citation.
- An answer that cites nothing is attributed after the fact: a quoted review sentence, or a sentence that
  says the same thing (same numbers or names, or close in the multilingual sentence space), cites the
  passage it came from.
- An answer that nothing retrieved supports is flagged (`supported` false).

Only citations are checked here. Whether what an answer says is true is the claim checker's job
(`samantha.retrieval.claims`), and how a film turn uses the grounded answer is
`samantha.retrieval.policy`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from samantha.records import Citation, Passage

if TYPE_CHECKING:
    from samantha.retrieval.glossary import Entry, Glossary

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
    citations = [citation(n, passages[n - 1]) for n in numbers]
    return CheckedAnswer(
        answer=answer, citations=citations, supported=bool(citations), invalid=invalid, attributed=attributed
    )


def citation(n: int, passage: Passage) -> Citation:
    return Citation(
        n=n, source=passage.source, text=passage.text, title=passage.label, text_en=passage.text_en
    )


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:/") + "…"


#: How much of a cited passage the command line shows.
SOURCE_CHARS = 160


def source_lines(citation: Citation, limit: int = SOURCE_CHARS) -> str:
    """A citation for a reader: its number, the review's number and short title, the original and the
    translation beside it, each cut at a word boundary."""
    lines = [f"[{citation.n}] {citation.title or citation.source}: “{shorten(citation.text, limit)}”"]
    if citation.text_en:
        lines.append(f"    English (translated): “{shorten(citation.text_en, limit)}”")
    return "\n".join(lines)


def attribute_passages(answer: str, passages: list[Passage]) -> list[int]:
    """Passages (numbers from 1) whose content the answer repeats without citing them."""
    found: list[int] = []
    sentences = [s.strip() for s in _SENTENCES.split(_MARKER.sub("", answer)) if len(s.strip()) >= 6]
    for n, passage in enumerate(passages, start=1):
        text = f"{passage.text}\n{passage.text_en}"  # an English answer may repeat the translation
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


def _people_in(text: str) -> list[Entry]:
    """Real people (director, actors) the text names, from the glossary's built-in list."""
    from samantha.retrieval.glossary import Glossary  # the glossary only when an answer cites nothing

    global _SEED_GLOSSARY
    if _SEED_GLOSSARY is None:
        _SEED_GLOSSARY = Glossary.build()
    return [m.entry for m in _SEED_GLOSSARY.matches(text) if m.entry.kind == "person"]


_SEED_GLOSSARY: Glossary | None = None
