"""Making untrusted text (model output, imported data) safe to print to a terminal."""

from __future__ import annotations

import json
import re

# C0 controls except tab and newline, DEL, and C1 controls (which include the 8-bit CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\x1b":
        return "␛"
    if char == "\r":
        return ""
    return f"\\x{ord(char):02x}"


def terminal_safe(text: str) -> str:
    """`text` with escape sequences and other control characters shown as text, never interpreted."""
    return _CONTROL.sub(_visible, text)


# Lone surrogates: how Python keeps bytes that were not UTF-8 in argv (and stdin in a C locale).
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_undecodable_bytes(text: str) -> bool:
    """Whether `text` holds lone surrogates (bytes that were not UTF-8), which SQLite cannot store."""
    return _SURROGATE.search(text) is not None


def from_terminal(text: str) -> str:
    """Text from the command line or stdin with bytes that were not UTF-8 shown as U+FFFD, so it can be
    stored and printed (a lone surrogate can be neither)."""
    return _SURROGATE.sub("\ufffd", text)


# JSON escapes C0 controls itself; DEL and the C1 controls (the 8-bit CSI U+009B) it leaves raw.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")


def json_dumps(value: object, **options: object) -> str:
    """`json.dumps(value, ensure_ascii=False)` with no raw control character left: the same data (any
    JSON reader gets it back exactly), safe to print to a terminal or to `cat`."""
    text = json.dumps(value, ensure_ascii=False, **options)  # type: ignore[arg-type]
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
