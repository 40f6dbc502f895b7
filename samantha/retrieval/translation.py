"""English translations of the reviews, aligned with the Korean sentence by sentence.

The five shipped reviews come with translations made for this project (`samantha/corpus/en/*.json`, one
per review, each marked as a translation, not the reviewer's words). Each Korean sentence is keyed by its
normalised text as the cleaner (`text.py`) cuts it, so passages can be re-cut without losing the
alignment: a passage's English is the translations of its sentences, in order. A file a user adds may get
a translation from a capable model (`samantha corpus add --translate`), stored with the model's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from samantha.retrieval.text import normalise

#: Who made the shipped translations, as shown beside them.
PROJECT_TRANSLATOR = "the Samantha project"
#: The line an English answer quoting the translations ends with.
TRANSLATED_NOTE = "(Quotes translated from the Korean reviews for this project.)"


def sentence_key(sentence: str) -> str:
    """The key a Korean sentence is aligned by: normalised, spaces collapsed."""
    return " ".join(normalise(sentence).split())


@dataclass
class Translation:
    """One document's English: per Korean sentence, its translation; and the document's titles."""

    source: str
    translator: str
    sentences: dict[str, str] = field(default_factory=dict)
    title: str = ""
    short_title: dict[str, str] = field(default_factory=dict)
    """A short human title per language ("ko", "en"), from the review's own heading."""

    def sentence(self, korean: str) -> str | None:
        return self.sentences.get(sentence_key(korean))

    def passage(self, sentences: list[str]) -> str:
        """A passage's English: its sentences' translations, joined as the Korean was ("a / b" boxes)."""
        return " ".join(self.sentence(s) or "" for s in sentences).strip()

    def missing(self, sentences: list[str]) -> list[str]:
        return [s for s in sentences if self.sentence(s) is None]


def translation_path(corpus_dir: Path, source: str) -> Path:
    return corpus_dir / "en" / f"{Path(source).stem}.json"


def load_translation(path: Path) -> Translation | None:
    """A shipped translation file, or None when there is none."""
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Translation(
        source=raw["source"],
        translator=raw.get("translator", PROJECT_TRANSLATOR),
        sentences={sentence_key(pair["ko"]): pair["en"] for pair in raw["sentences"]},
        title=raw.get("title", {}).get("en", ""),
        short_title=dict(raw.get("short_title", {})),
    )
