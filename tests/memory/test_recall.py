"""Recall across sessions, shown with a fake model that answers from what it is sent.

`RememberingModel` is a scripted stand-in (no real model): it replies with the first remembered line of
its system prompt, so a change in what recall sends shows up in what "Samantha" says.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from samantha.companion import Companion
from samantha.llm.scripted import ScriptedModel
from samantha.recall import MEMORIES_HEADING, Recall, date_label

TODAY = date(2026, 11, 23)


class RememberingModel(ScriptedModel):
    def stream(self, messages, *, max_tokens, temperature):
        self.history.append(list(messages))
        remembered = [line for line in messages[0]["content"].splitlines() if line.startswith("- (")]
        reply = f"I remember: {remembered[0]}" if remembered else "Tell me about yourself."
        yield from (word + " " for word in reply.split(" ")[:-1])
        yield reply.split(" ")[-1]


def system_prompt(model: ScriptedModel) -> str:
    return model.history[-1][0]["content"]


def age(store, conversation_id: str, days: int) -> None:
    """Move a conversation and what came from it `days` into the past."""
    stamp = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    with store.transaction():
        store.db.execute(
            "update messages set created_at = ? where conversation_id = ?", [stamp, conversation_id]
        )
        store.db.execute(
            "update memories set created_at = ? where conversation_id = ?", [stamp, conversation_id]
        )


def test_a_fact_told_last_week_changes_what_samantha_says_today(settings, store):
    model = RememberingModel()
    companion = Companion(settings, store, model)
    first = companion.new_conversation()
    assert companion.turn(first, "My sister Amy is getting married in May.").run().answer == (
        "Tell me about yourself."
    )
    age(store, first, 7)

    later = companion.new_conversation()
    result = companion.turn(later, "I need to buy a dress for my sister's wedding").run()
    prompt = system_prompt(model)
    assert MEMORIES_HEADING in prompt
    assert "The user's sister Amy is getting married in May." in prompt
    assert "7 days ago" in prompt
    assert 'another conversation) the user said: "My sister Amy is getting married in May."' in prompt
    assert "Amy" in result.answer and "7 days ago" in result.answer


def test_without_the_earlier_session_she_does_not_know(settings, store):
    model = RememberingModel()
    companion = Companion(settings, store, model)
    result = companion.turn(companion.new_conversation(), "I need to buy a dress for the wedding").run()
    assert result.answer == "Tell me about yourself."
    assert MEMORIES_HEADING not in system_prompt(model)


def test_korean_recall_across_sessions(settings, store):
    model = RememberingModel()
    companion = Companion(settings, store, model)
    companion.turn(companion.new_conversation(), "우리 언니가 다음 달에 결혼해").run()
    companion.turn(companion.new_conversation(), "나는 부산에 살아").run()
    result = companion.turn(companion.new_conversation(), "언니 결혼 준비 때문에 바빠").run()
    prompt = system_prompt(model)
    assert "사용자의 언니가 다음 달에 결혼해." in prompt
    assert "사용자는 부산에 산다." in prompt
    # The memory that matches the message comes first.
    assert result.answer.startswith("I remember: - (") and "언니" in result.answer


def test_the_current_conversation_is_not_recalled_as_the_past(settings, store, scripted_model):
    companion = Companion(settings, store, scripted_model)
    conversation = companion.new_conversation()
    scripted_model.enqueue("ok", "ok")
    companion.turn(conversation, "the lighthouse keeper waved").run()
    companion.turn(conversation, "tell me about the lighthouse").run()
    assert "another conversation" not in system_prompt(scripted_model)


def test_recent_turns_outrank_memories_when_space_is_short(settings, store):
    for n in range(40):
        store.add_memory(f"The user collected stamp number {n} from a far away country with a long name.")
    model = ScriptedModel(context_window=settings.max_reply_tokens + 700)
    companion = Companion(settings, store, model)
    conversation = companion.new_conversation()
    for text in ("first stamp question", "second stamp question", "third stamp question"):
        model.enqueue("an answer about stamps")
        companion.turn(conversation, text).run()
    sent = model.history[-1]
    assert [m["content"] for m in sent if m["role"] == "user"][-2:] == [
        "second stamp question",
        "third stamp question",
    ]
    assert sum(prompt.count("stamp number") for prompt in [sent[0]["content"]]) < 40


def test_date_labels():
    assert date_label("2026-11-23T08:00:00+00:00", TODAY, UTC) == "2026-11-23, today"
    assert date_label("2026-11-22T23:00:00+00:00", TODAY, UTC) == "2026-11-22, yesterday"
    assert date_label("2026-11-16T10:00:00+00:00", TODAY, UTC) == "2026-11-16, 7 days ago"
    assert date_label("2026-10-19T10:00:00+00:00", TODAY, UTC) == "2026-10-19, 5 weeks ago"
    assert date_label("2026-01-01T10:00:00+00:00", TODAY, UTC) == "2026-01-01, 10 months ago"
    # A date is the user's calendar date: 23:00 UTC on the 22nd is the 23rd in Seoul.
    seoul = timezone(timedelta(hours=9))
    assert date_label("2026-11-22T23:00:00+00:00", TODAY, seoul) == "2026-11-23, today"


def test_sections_label_every_item_with_its_date(store):
    conversation = store.create_conversation().id
    message = store.add_message(conversation, "user", "I grow tomatoes on my balcony")
    store.add_memory("The user grows tomatoes.", message_id=message.id, conversation_id=conversation)
    sections = Recall(store, today=lambda: TODAY).sections_for_turn("elsewhere", "how are the tomatoes")
    assert [s.kind for s in sections] == ["memories"]
    assert all(re.match(r"- \(\d{4}-\d\d-\d\d, ", item) for item in sections[0].items)
    assert len(sections[0].items) == 2
