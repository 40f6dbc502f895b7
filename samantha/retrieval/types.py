"""The shapes retrieval's steps hand each other: a query's analysis, a scored passage, a grounded answer.

They live apart from the code that makes them, so the search (`hybrid`), the gate (`gate`), the grounded
answer (`answer`) and the chat turn import them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from samantha.retrieval.glossary import Entry, Match


@dataclass
class QueryAnalysis:
    """What the retriever made of a query; the answer step reuses it."""

    text: str
    terms: list[str]
    expansion_terms: list[str]
    matches: list[Match]
    vector: np.ndarray
    expanded_vector: np.ndarray | None = None
    linked_entries: list[Entry] = field(default_factory=list)
    """Entries linked to the query's (a role's actor) when the query asks about casting."""
    english: bool = False
    """The query is written in English (no Hangul): the English side of the index counts too."""

    @property
    def uncovered(self) -> list[Match]:
        """Film topics the query asks about that no indexed text ever mentions (composer, budget...)."""
        return [m for m in self.matches if m.entry.kind == "topic" and not m.entry.in_corpus]


@dataclass
class Scored:
    index: int
    lexical: float = 0.0
    semantic: float = 0.0
    """Similarity to the passage as written (the Korean original), which the film gate is tuned on."""
    best_sentence: int = -1
    best_sentence_score: float = 0.0
    concepts: float = 0.0
    fused: float = 0.0
    final: float = 0.0
    why: dict[str, float] = field(default_factory=dict)


@dataclass
class Quote:
    n: int
    """The passage's number in the context (1-based)."""
    source: str
    sentence: str
    score: float
    values: list[str] = field(default_factory=list)
    english: str = ""
    """The sentence's aligned English translation ("" when the document has none)."""
    row: int = -1
    """The sentence's row in the loaded corpus (its neighbours are the rows beside it)."""
    follows: bool = False
    """The sentence right after the quote before it, quoted to finish its telling."""


@dataclass
class Grounding:
    """What the given passages say in answer to a question, and the answer composed from it."""

    supported: bool
    quotes: list[Quote]
    disagreement: bool = False
    reason: str = ""
    korean: bool = False
    key: str = ""
    """The answer in a few words (a name with its other spellings, a number), when one stands out."""
    key_en: str = ""
    """The short answer in English (a name as the glossary spells it), when the key is a name."""
    answer: str = ""
    """The reply to show, in the question's language (see `compose`)."""
    order: list[int] = field(default_factory=list)
    """The given passages (1-based) in the order `answer` numbers them: its [1] is `order[0]`."""
    addendum: str = ""
    """The same answer numbered as the passages were given, to follow a model's reply that cites them."""

    def text(self) -> str:
        return self.answer
