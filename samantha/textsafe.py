"""Making untrusted text (model output, imported data) safe to print to a terminal."""

from __future__ import annotations

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
