"""Film knowledge: finding the review passages that answer a question."""

from __future__ import annotations

from typing import Protocol

from samantha.models import Passage


class Retriever(Protocol):
    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best passages for `query`, best first, with scores."""
        ...

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        """Passages worth giving the model for this message: empty when it is not about the film."""
        ...
