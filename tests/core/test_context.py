"""Context assembly: what goes in, in which order, within the budget."""

from __future__ import annotations

from samantha.context import Section, assemble
from samantha.records import Message, Passage
from samantha.tokens import count_tokens


def message(i: int, role: str, content: str) -> Message:
    return Message(
        id=f"m{i:03d}", conversation_id="c", role=role, content=content, created_at=f"2026-01-01T00:{i:02d}"
    )


def history(n: int, words: int = 20) -> list[Message]:
    return [
        message(i, "user" if i % 2 == 0 else "assistant", f"turn {i} " + "word " * words) for i in range(n)
    ]


def test_everything_fits_in_a_large_budget():
    plan = assemble(
        persona="You are Samantha.",
        user_text="hello",
        history=history(6),
        sections=[Section("memories", "What you remember:", ["- The user's name is Theo."])],
        budget=4000,
        count=count_tokens,
    )
    assert plan.messages[0]["role"] == "system"
    assert "What you remember" in plan.messages[0]["content"]
    assert [m["content"] for m in plan.messages[1:-1]] == [m.content for m in history(6)]
    assert plan.messages[-1] == {"role": "user", "content": "hello"}
    assert plan.used <= plan.budget
    assert not plan.dropped_history


def test_recent_turns_outrank_passages_and_older_history_is_reported_dropped():
    passages = [Passage(id=f"p{i}", source="000.txt", text="passage " * 60) for i in range(5)]
    plan = assemble(
        persona="You are Samantha.",
        user_text="who directed it?",
        history=history(30),
        sections=[Section("passages", "Passages:", [f"[{i + 1}] {p.text}" for i, p in enumerate(passages)])],
        budget=350,
        count=count_tokens,
        passages=passages,
    )
    assert plan.used <= plan.budget
    sent = [m["content"] for m in plan.messages[1:-1]]
    assert sent[-4:] == [m.content for m in history(30)[-4:]]  # the last four turns always come first
    assert plan.dropped_history and plan.dropped_history[0].id == "m000"
    assert 1 <= len(plan.passages) < 5  # only what fitted is citable
    assert f"[{len(plan.passages)}]" in plan.messages[0]["content"]


def test_a_huge_user_message_is_cut_and_says_so():
    plan = assemble(
        persona="You are Samantha.",
        user_text="blah " * 5000,
        history=[],
        sections=[],
        budget=500,
        count=count_tokens,
    )
    assert plan.user_truncated
    assert plan.used <= plan.budget


def test_parts_name_each_piece_for_the_inspector():
    plan = assemble(
        persona="P",
        user_text="U",
        history=history(2),
        sections=[Section("summary", "Earlier:", ["we talked"]), Section("memories", "Facts:", ["- x"])],
        budget=2000,
        count=count_tokens,
    )
    assert [p.kind for p in plan.parts] == ["persona", "memories", "summary", "history", "user"]
    assert all(p.tokens > 0 for p in plan.parts)
