"""Film knowledge: finding the review passages that answer a question, and checking what answers say.

`hybrid.HybridRetriever` is the retriever (`runtime.create_retriever`). Layout: `text` (cleaning,
passages), `translation` (the reviews' aligned English), `facts` (what the reviews state, read at index
time), `index` (the SQLite cache, both languages), `corpus` (the index loaded), `nlp` (Kiwi, the
sentence encoder), `glossary`, `types` (the shapes the steps share), `hybrid` (search), `gate` (is this
about the film?), `answer` (the sentences that answer) and `compose` (the answer in the user's language),
`claims` (claim-level checking), `policy` (how a chat turn uses them), `evaluate` (`samantha eval`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from samantha.records import Passage

if TYPE_CHECKING:
    from samantha.retrieval.claims import Claim
    from samantha.retrieval.types import Grounding


class Retriever(Protocol):
    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best passages for `query`, best first, with scores."""
        ...

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        """Passages worth giving the model for this message: empty when it is not about the film."""
        ...

    def ground(self, question: str, passages: list[Passage]) -> Grounding | None:
        """The answer `passages` (numbered from 1) support, composed in the question's language; None
        from a retriever that does not ground answers."""
        ...

    def check_claims(self, text: str, passages: list[Passage]) -> list[Claim]:
        """The factual claims of an answer, each checked against what the indexed texts state."""
        ...
