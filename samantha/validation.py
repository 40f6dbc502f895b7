"""One check for the text a person hands Samantha: a chat message, a search query, a memory to keep.

Bad input is refused before anything is saved or loaded, with one sentence saying what is wrong.
"""

from __future__ import annotations

from typing import Literal

from samantha.errors import UsageError
from samantha.textsafe import has_undecodable_bytes

TextKind = Literal["message", "query", "memory"]

#: Longest text accepted, in characters, by kind: a pasted page is a message; a search or a fact is short.
MAX_CHARS: dict[TextKind, int] = {"message": 100_000, "query": 2_000, "memory": 1_000}
_EMPTY_HINT: dict[TextKind, str] = {"query": "; give a few words to search for"}


def check_text(text: str, kind: TextKind = "message") -> str:
    """`text` unchanged if it can be used as a `kind`: not blank, not too long, no NUL, valid Unicode.

    Raises:
        UsageError: one sentence naming the kind and what is wrong.
    """
    if not text or not text.strip():
        raise UsageError(f"The {kind} is empty{_EMPTY_HINT.get(kind, '')}.")
    limit = MAX_CHARS[kind]
    if len(text) > limit:
        raise UsageError(f"The {kind} is {len(text):,} characters long; the limit is {limit:,}.")
    if "\x00" in text:
        raise UsageError(f"The {kind} contains a NUL character.")
    if has_undecodable_bytes(text):  # bytes that were not UTF-8 (argv, stdin): neither storable nor printable
        raise UsageError(f"The {kind} is not valid text (it holds bytes that are not UTF-8).")
    return text
