"""Reply sources of the conversation routes that are not the film path (`samantha.reply_source`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from samantha.conversation.recollect import Recollection, check_memory_citations
from samantha.records import Memory
from samantha.reply_source import ReplySource
from samantha.retrieval.policy import stream_text

#: The `model` of an answer about the user composed from her memories (a small model's memory answers).
COMPOSED_FROM_MEMORIES = "composed from memories"
#: The `model` of a Korean reply composed because the small model cannot write Korean.
COMPOSED_IN_KOREAN = "composed in Korean (small model)"


def composed(text: str, author: str) -> ReplySource:
    """A reply composed from data, streamed in word-sized pieces; no model is called."""
    return ReplySource(kind="composed", pieces=lambda: stream_text(text), author=lambda: author, passages=[])


def memory_follow_up(recollection: Recollection, given: list[Memory]) -> Callable[[str], Iterator[str]]:
    """After a capable model's answer about the user: the composed answer, when the model cited none of
    the memories given (so the answer is always there, and cited)."""

    def follow(answer: str) -> Iterator[str]:
        if not recollection.known or not answer.strip():
            return
        cited, _ = check_memory_citations(answer, given)
        if not cited:
            yield from stream_text("\n\n" + recollection.text)

    return follow
