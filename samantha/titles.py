"""A conversation's title, taken from its first message (the app, `ask` and the plain chat agree)."""

from __future__ import annotations

#: Longest title made from a first message, in characters.
TITLE_CHARS = 60


def title_from(text: str) -> str:
    """One line of at most TITLE_CHARS characters, cut with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"
