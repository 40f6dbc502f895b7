"""Small talk that fits a small model: a short prompt in, one to three clean sentences out.

A 135M model given a long persona rambles, lists, invents links and repeats itself. So for a model
marked small the prompt is the compact persona plus only what the turn needs (the user's name when
known, the last exchange), and the reply is shaped as it streams: it is passed on a sentence at a time,
and ends at the last complete sentence before a URL, a list, a paragraph break, a repeated or runaway
sentence, a role label, or the third sentence. What the user saw streaming is exactly what is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from samantha.prompt_files import load_prompt, prompt_path, strip_comments

MAX_SENTENCES = 3
#: A sentence longer than this is a runaway: a small model's sentences that long are not about anything.
MAX_SENTENCE_WORDS = 40
#: Tokens the small model may write for a small-talk reply: room for three sentences, no more. Measured
#: by token counts, which do not depend on the machine's load (30 replies to ten tuning messages): the
#: shaping closed the stream after 30 tokens (median), 54 (p95), 73 at most; 64 bounds the slowest reply
#: and changed 1 of the 30 (it lost its third sentence).
SMALL_REPLY_TOKENS = 64
#: Earlier messages of this conversation given to a small model (the last exchange).
SMALL_HISTORY_MESSAGES = 2

_SENTENCE_END = re.compile(r"""[.!?。…]+["')\]]*(?=\s|$)""")
_URL = re.compile(r"(?i)https?://|www\.|\b[\w.-]+\.(?:com|net|org|io|ly|co|kr)\b|@\w|\[[^\]]*\]\(")
_LIST_OR_MARKUP = re.compile(r"^\s*(?:[-*•#>|]|\d+[.)]\s)|```|\*\*")
_ROLE_LABEL = re.compile(r"(?i)(?:^|\s)(?:user|assistant|samantha|system|human|ai)\s*:")
_HANGUL_OR_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
_WORD = re.compile(r"[\w']+")


def compact_persona(name: str = "samantha") -> str:
    """The short persona for small models: `name-small.md` beside the persona, or its first paragraph."""
    short = prompt_path(name).with_name(f"{prompt_path(name).stem}-small.md")
    if short.is_file():
        return load_prompt(str(short))
    first = strip_comments(prompt_path(name).read_text(encoding="utf-8")).split("\n\n")[0]
    return (
        " ".join(first.split()) + " Reply in one to three short, kind sentences, like speech. "
        "Never write lists, links or code."
    )


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def repeats(sentence: str, earlier: list[str]) -> bool:
    """The sentence says again what an earlier one said (most of its words), or loops on itself."""
    words = _words(sentence)
    if not words:
        return True
    for other in earlier:
        theirs = set(_words(other))
        if theirs and len(set(words) & theirs) >= 0.7 * min(len(set(words)), len(theirs)):
            return True
    # "I'm here, I'm here, I'm here": a sentence made mostly of one repeated phrase.
    return len(words) >= 8 and len(set(words)) < len(words) / 2


def acceptable(sentence: str, earlier: list[str], *, english_only: bool) -> bool:
    """Whether a complete sentence may be shown: no link, list, markup, role label, runaway or repeat."""
    if _URL.search(sentence) or _LIST_OR_MARKUP.search(sentence) or _ROLE_LABEL.search(sentence):
        return False
    if english_only and _HANGUL_OR_CJK.search(sentence):
        return False
    if len(_words(sentence)) > MAX_SENTENCE_WORDS:
        return False
    return not repeats(sentence, earlier)


@dataclass
class Shaper:
    """Turns a small model's raw stream into at most `max_sentences` clean sentences.

    Iterate `shape(pieces)`; it closes the model's stream as soon as the reply is complete or goes
    wrong, so no time is spent generating what will not be shown.
    """

    max_sentences: int = MAX_SENTENCES
    english_only: bool = True
    fallback: str = "I'm here with you. Tell me a little more?"
    """Said when the model writes no acceptable sentence at all (it happens with a 135M model)."""
    stopped_because: str = ""

    def shape(self, pieces: Iterator[str]) -> Iterator[str]:
        kept: list[str] = []
        yield from self._sentences(pieces, kept)
        if not kept:
            self.stopped_because += " (fallback)"
            yield self.fallback

    def _sentences(self, pieces: Iterator[str], kept: list[str]) -> Iterator[str]:
        buffer = ""
        try:
            for piece in pieces:
                buffer += piece
                while True:
                    if "\n\n" in buffer.lstrip() or (kept and "\n" in buffer and not buffer.strip()):
                        # A paragraph break: small models start a list or a new topic after one.
                        head = buffer.lstrip().split("\n\n")[0]
                        if not _SENTENCE_END.search(head):
                            self.stopped_because = "paragraph break"
                            return
                    match = _SENTENCE_END.search(buffer)
                    if match is None:
                        break
                    sentence, buffer = buffer[: match.end()], buffer[match.end() :]
                    sentence = " ".join(sentence.split())
                    if not sentence:
                        continue
                    if not acceptable(sentence, kept, english_only=self.english_only):
                        self.stopped_because = "rejected sentence"
                        return
                    # Passed on word by word, as a model streams, once the whole sentence is known good.
                    words = (sentence if not kept else " " + sentence).split(" ")
                    for i, word in enumerate(words):
                        yield word if i == len(words) - 1 else word + " "
                    kept.append(sentence)
                    if len(kept) >= self.max_sentences:
                        self.stopped_because = "enough sentences"
                        return
                if "\n" in buffer.strip() and not _SENTENCE_END.search(buffer):
                    self.stopped_because = "line break mid-sentence"
                    return
                if len(_words(buffer)) > MAX_SENTENCE_WORDS or _URL.search(buffer):
                    self.stopped_because = "runaway or link"
                    return
            self.stopped_because = "model stopped"
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()


#: Sampling temperature for a small model's small talk (see docs/conversation.md on how it was chosen).
SMALL_TALK_TEMPERATURE = 0.5
