"""A stand-in for film retrieval, for tests about what the turn does with passages rather than which
passages the real index finds (that is tested in tests/retrieval with the real corpus)."""

from __future__ import annotations

from collections.abc import Iterable

from samantha.records import Passage


class FixedRetriever:
    """Finds the given passages for every message and records what it was asked (so a leak shows);
    grounds nothing (the model's reply stands) and finds no claims to mark."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self.passages = list(passages)
        self.asked: list[str] = []

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        self.asked.append(text)
        return self.passages[:k]

    def search(self, query: str, k: int = 5) -> list[Passage]:
        return self.passages_for_turn(query, k)

    def ground(self, question: str, passages: list[Passage]) -> None:
        return None

    def check_claims(self, text: str, passages: list[Passage]) -> list[object]:
        return []
