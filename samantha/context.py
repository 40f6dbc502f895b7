"""Assembling what the model sees for one turn, within its token budget.

Priority when space runs out: persona and the user's message always; then the current conversation's
last turns; then film passages; then recalled memories; then the summary; then older history.
What did not fit is reported, so older turns can be summarised instead of silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from samantha.llm.base import MESSAGE_OVERHEAD_TOKENS, ChatMessage
from samantha.records import Message, Passage
from samantha.tokens import truncate_to_tokens

#: Said to the user when their message was cut to fit the model's context window (it is saved whole).
USER_TRUNCATED = (
    "Your message was longer than the model's context window allows; she read only its beginning "
    "(it is saved whole)."
)
#: The newest messages of the current conversation that outrank passages and memories.
RECENT_MESSAGES_FIRST = 4


@dataclass
class Section:
    """A labelled block of the system prompt: recalled memories, a summary, film passages."""

    kind: str
    """`memories`, `summary` or `passages`: also the order the blocks appear in."""
    heading: str
    items: list[str]


@dataclass
class ContextPart:
    """One part of the assembled context, as the context inspector shows it."""

    kind: str
    text: str
    tokens: int


@dataclass
class ContextPlan:
    messages: list[ChatMessage]
    parts: list[ContextPart]
    budget: int
    passages: list[Passage] = field(default_factory=list)
    """The passages actually given to the model, numbered from 1 in this order."""
    dropped_history: list[Message] = field(default_factory=list)
    """Older messages that did not fit (oldest first)."""
    user_truncated: bool = False
    leaves_machine: bool = False
    """The model is a remote endpoint: `messages` leave this machine (set by the Companion)."""
    kept_home: list[str] = field(default_factory=list)
    """Local memories that would have been recalled but stay home, because the model is remote."""

    @property
    def used(self) -> int:
        return sum(part.tokens for part in self.parts)


SECTION_ORDER = ("memories", "summary", "passages")


def number_passages(passages: list[Passage]) -> list[str]:
    """Passages as quoted, labelled data with their numbers, so the model cites them as [n].

    Everything that comes from a file, its title too (a user's own file can title itself anything), is
    inside the quoting fence; outside are only the number and the file name, on one line, unquotable.
    """
    lines = []
    for n, passage in enumerate(passages, start=1):
        source = " ".join(passage.source.split()).replace('"', "'")
        title = _fence_safe(" ".join(passage.title.split()))
        lines.append(f'[{n}] (review {source})\n"""\n{title}\n\n{_fence_safe(passage.text)}\n"""')
    return lines


def _fence_safe(text: str) -> str:
    """`text` that cannot close the fence it is quoted in."""
    return text.replace('"""', "'''")


def assemble(
    *,
    persona: str,
    user_text: str,
    history: list[Message],
    sections: list[Section],
    budget: int,
    count: Callable[[str], int],
    passages: list[Passage] | None = None,
) -> ContextPlan:
    """Choose what fits in `budget` tokens and lay it out as chat messages.

    Args:
        history: the current conversation before this turn, oldest first.
        sections: memories, summary and passage blocks, each with items in order of importance.
        count: the model's token counter.
    """
    remaining = budget
    persona_tokens = count(persona) + MESSAGE_OVERHEAD_TOKENS
    remaining -= persona_tokens

    # The user's message always goes in; a message larger than half the budget is cut, and says so.
    user_limit = max(remaining // 2, 16)
    fitted_user = truncate_to_tokens(user_text, user_limit, count)
    user_tokens = count(fitted_user) + MESSAGE_OVERHEAD_TOKENS
    remaining -= user_tokens

    usable = [m for m in history if m.content and m.role in ("user", "assistant")]
    recent, older = usable[-RECENT_MESSAGES_FIRST:], usable[:-RECENT_MESSAGES_FIRST]
    kept_history: list[Message] = []
    history_tokens = 0

    def take_history(messages: list[Message]) -> bool:
        nonlocal remaining, history_tokens
        for message in reversed(messages):  # newest first
            cost = count(message.content) + MESSAGE_OVERHEAD_TOKENS
            if cost > remaining:
                return False
            kept_history.insert(0, message)
            remaining -= cost
            history_tokens += cost
        return True

    take_history(recent)

    chosen: dict[str, list[str]] = {}
    section_tokens: dict[str, int] = {}
    headings: dict[str, str] = {}
    for section in sorted(sections, key=lambda s: SECTION_ORDER.index(s.kind)):
        headings[section.kind] = section.heading
        cost_so_far = count(section.heading) + 2
        if cost_so_far > remaining:
            continue
        items: list[str] = []
        for item in section.items:
            cost = count(item) + 1
            if cost_so_far + cost > remaining:
                break
            items.append(item)
            cost_so_far += cost
        if items:
            chosen[section.kind] = items
            section_tokens[section.kind] = cost_so_far
            remaining -= cost_so_far

    if len(kept_history) == len(recent):
        take_history(older)
    kept_ids = {m.id for m in kept_history}
    dropped = [m for m in usable if m.id not in kept_ids]

    system_blocks = [persona]
    parts = [ContextPart("persona", persona, persona_tokens)]
    for kind in SECTION_ORDER:
        if kind in chosen:
            block = headings[kind] + "\n" + "\n".join(chosen[kind])
            system_blocks.append(block)
            parts.append(ContextPart(kind, block, section_tokens[kind]))
    messages: list[ChatMessage] = [{"role": "system", "content": "\n\n".join(system_blocks)}]
    messages += [{"role": m.role, "content": m.content} for m in kept_history]
    messages.append({"role": "user", "content": fitted_user})
    if kept_history:
        text = "\n".join(f"{m.role}: {m.content}" for m in kept_history)
        parts.append(ContextPart("history", text, history_tokens))
    parts.append(ContextPart("user", fitted_user, user_tokens))

    # Passages are numbered in the order given; those that did not fit are not citable.
    given = (passages or [])[: len(chosen.get("passages", []))]
    return ContextPlan(
        messages=messages,
        parts=parts,
        budget=budget,
        passages=given,
        dropped_history=dropped,
        user_truncated=fitted_user != user_text,
    )
