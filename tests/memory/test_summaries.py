"""Summaries: when history no longer fits, the dropped turns are summarised and stored with their range.

Uses the scripted fake model with a small context window so older turns are dropped.
"""

from __future__ import annotations

from samantha.companion import Companion
from samantha.llm.base import MESSAGE_OVERHEAD_TOKENS
from samantha.llm.scripted import ScriptedModel
from samantha.recall import SUMMARY_HEADING, extractive_summary

TOPICS = ["violin", "garden", "Tokyo", "marathon", "pottery", "chess", "sourdough", "kayak", "poetry", "jazz"]


def small_companion(settings, store):
    model = ScriptedModel()
    companion = Companion(settings, store, model)
    persona = model.count_tokens(companion.persona) + MESSAGE_OVERHEAD_TOKENS
    model.context_window = settings.max_reply_tokens + persona + 260
    return companion, model


def test_dropped_turns_are_summarised_with_their_range_and_never_lost(settings, store):
    companion, model = small_companion(settings, store)
    conversation = companion.new_conversation()
    results = []
    for topic in TOPICS:
        model.enqueue(f"That sounds lovely, tell me more about the {topic} and how it makes you feel today.")
        results.append(
            companion.turn(conversation, f"Today I spent the whole afternoon on my {topic} again.").run()
        )
    dropped = results[-1].context.dropped_history
    assert dropped, "the window should be small enough to drop history"
    summaries = store.list_summaries(conversation)
    latest = summaries[-1]
    first_message = store.recent_messages(conversation, 1000)[0]
    # The latest summary covers everything dropped so far, from the very first message.
    assert latest.first_message_id == first_message.id
    covered = store.messages_between(conversation, latest.first_message_id, latest.last_message_id)
    assert latest.message_count == len(covered)
    assert {m.id for m in dropped} <= {m.id for m in covered}
    assert "violin" in latest.content  # the oldest topic survives in the summary
    # A summary is only written when something new was dropped: at most one per turn.
    assert len(summaries) <= len(TOPICS)
    assert len({s.last_message_id for s in summaries}) == len(summaries)


def test_the_summary_joins_the_next_turn(settings, store):
    companion, model = small_companion(settings, store)
    conversation = companion.new_conversation()
    for topic in TOPICS:
        model.enqueue(f"Tell me more about the {topic}, I would love to hear every detail of it.")
        companion.turn(
            conversation, f"I keep thinking about my {topic} from last summer, it was wonderful."
        ).run()
        if store.count_summaries():
            break
    assert store.count_summaries() == 1
    model.enqueue("Of course.")
    companion.turn(conversation, "Can we keep talking?").run()
    prompt = model.history[-1][0]["content"]
    assert SUMMARY_HEADING in prompt
    assert "messages)" in prompt and ", today" in prompt


def test_nothing_new_dropped_writes_nothing(store):
    from samantha.recall import Recall

    conversation = store.create_conversation().id
    messages = [store.add_message(conversation, "user", f"note {n} about the lake house") for n in range(4)]
    recall = Recall(store)
    first = recall.history_dropped(conversation, messages[:2])
    assert first is not None and first.message_count == 2
    assert recall.history_dropped(conversation, messages[:2]) is None
    second = recall.history_dropped(conversation, messages[:3])
    assert second is not None
    assert (second.first_message_id, second.last_message_id, second.message_count) == (
        messages[0].id,
        messages[2].id,
        3,
    )
    assert store.count_summaries() == 2


def test_extractive_summary_is_deterministic_ordered_and_bounded():
    lines = [
        ("user", "My sister Amy is getting married. The wedding is in Busan."),
        ("Samantha", "How wonderful! Are you nervous about the wedding?"),
        ("user", "A bit. I have to give a speech at the wedding for Amy."),
        ("Samantha", "You will be great."),
    ]
    summary = extractive_summary(lines, limit=140)
    assert summary == extractive_summary(lines, limit=140)
    assert len(summary) <= 140
    chosen = summary.splitlines()
    order = [
        next(i for i, (_, text) in enumerate(lines) if line.split(": ", 1)[1] in text) for line in chosen
    ]
    assert order == sorted(order)
    assert any("wedding" in line for line in chosen)
    assert "You will be great." not in summary  # says least, weighs least
    assert extractive_summary([]) == ""


def test_messages_beyond_the_history_window_are_summarised_even_when_all_would_fit(
    settings, store, monkeypatch
):
    monkeypatch.setattr("samantha.recall.HISTORY_WINDOW", 6)
    model = ScriptedModel()
    companion = Companion(settings, store, model)
    conversation = companion.new_conversation()
    for topic in TOPICS[:6]:
        model.enqueue(f"Lovely, the {topic}.")
        result = companion.turn(conversation, f"I spent the day with my {topic}.").run()
        assert not result.context.dropped_history  # everything in the window fits
    messages = store.recent_messages(conversation, 1000)
    latest = store.latest_summary(conversation)
    # The next turn's window is the newest 6 messages: everything before them is summarised.
    assert latest is not None
    assert (latest.first_message_id, latest.last_message_id) == (messages[0].id, messages[-7].id)
    assert latest.message_count == len(messages) - 6
    assert "violin" in latest.content
    model.enqueue("Yes.")
    companion.turn(conversation, "Shall we go on?").run()
    assert SUMMARY_HEADING in model.history[-1][0]["content"]
