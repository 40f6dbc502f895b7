"""Checking an answer's [n] citations against the passages that were actually given to the model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from samantha.models import Citation, Passage

_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class CheckedAnswer:
    answer: str
    citations: list[Citation]
    supported: bool
    """False when nothing that was retrieved supports the answer."""
    invalid: list[int]
    """Numbers the answer cited that were never given to the model."""


def check_citations(answer: str, passages: list[Passage]) -> CheckedAnswer:
    cited: list[int] = []
    invalid: list[int] = []
    for match in _MARKER.finditer(answer):
        n = int(match.group(1))
        if 1 <= n <= len(passages):
            if n not in cited:
                cited.append(n)
        elif n not in invalid:
            invalid.append(n)
    citations = [Citation(n=n, source=passages[n - 1].source, text=passages[n - 1].text) for n in cited]
    return CheckedAnswer(answer=answer, citations=citations, supported=bool(citations), invalid=invalid)
