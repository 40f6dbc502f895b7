"""Where a sentence ends, the same for the memory patterns and the summaries of older turns."""

from __future__ import annotations

import re

# A sentence ends at . ! ? 。 (kept with it) or at a line break.
_SENTENCE = re.compile(r"[^.!?\n。]+[.!?。]*")


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, blank ones left out."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
