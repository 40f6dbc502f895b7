"""Film knowledge: finding the review passages that answer a question.

`hybrid.HybridRetriever` is the retriever (`runtime.create_retriever`); it also has
`ground(question, passages)`, which the chat turn uses when present (see `samantha.citations`).
Layout: `text` (cleaning, passages), `index` (the SQLite cache), `nlp` (Kiwi, the sentence encoder),
`glossary`, `hybrid` (search), `gate` (is this about the film?), `answer` (grounded answers),
`evaluate` (`samantha eval` over `questions.jsonl`).
"""

from __future__ import annotations

from typing import Protocol

from samantha.records import Passage


class Retriever(Protocol):
    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best passages for `query`, best first, with scores."""
        ...

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        """Passages worth giving the model for this message: empty when it is not about the film."""
        ...
