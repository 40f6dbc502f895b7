"""Loading the persona and prompt templates from `prompts/` (text files a user can edit or replace)."""

from __future__ import annotations

import re
from pathlib import Path

from samantha import locations
from samantha.errors import ConfigError

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def strip_comments(text: str) -> str:
    """Remove HTML comments (notes for people, such as trait sources) and tidy the blank lines left."""
    text = _COMMENT.sub("", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def prompt_path(name: str) -> Path:
    """`name` is a file in `prompts/` (with or without `.md`) or a path to a file."""
    candidate = Path(name).expanduser()
    if candidate.suffix and candidate.is_file():
        return candidate
    return locations.prompts_dir() / (name if name.endswith(".md") else f"{name}.md")


def load_prompt(name: str) -> str:
    """The prompt text as the model will see it."""
    path = prompt_path(name)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"The prompt file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The prompt file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"The prompt file {path} cannot be read: {exc.strerror}.") from None
    text = strip_comments(raw)
    if not text:
        raise ConfigError(f"The prompt file {path} is empty.")
    return text
