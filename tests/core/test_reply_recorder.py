"""The reply recorder on its own: the row appears with the first piece, is saved every interval while the
reply streams, and is finished once (complete, interrupted, or removed when nothing arrived)."""

from __future__ import annotations

import pytest

from samantha import reply_recorder
from samantha.reply_recorder import ReplyRecorder


def rows(store, conversation):
    return [(m.role, m.content, m.status, m.model) for m in store.recent_messages(conversation)]


def test_no_row_before_the_first_piece_then_one_row_with_it(store):
    conversation = store.create_conversation().id
    recorder = ReplyRecorder(store, conversation, author=lambda: "the author")
    assert rows(store, conversation) == []
    recorder.add("Hello")
    assert rows(store, conversation) == [("assistant", "Hello", "pending", "the author")]


def test_pieces_are_saved_once_the_interval_has_passed(store, monkeypatch: pytest.MonkeyPatch):
    clock = [100.0]
    monkeypatch.setattr(reply_recorder.time, "monotonic", lambda: clock[0])
    conversation = store.create_conversation().id
    recorder = ReplyRecorder(store, conversation, author=lambda: "m")
    recorder.add("one ")
    recorder.add("two ")
    assert rows(store, conversation)[0][1] == "one "  # within the interval: not written yet
    clock[0] += reply_recorder.SAVE_INTERVAL_SECONDS + 0.01
    recorder.add("three")
    assert rows(store, conversation)[0][1] == "one two three"


def test_finish_writes_the_whole_reply_with_its_status(store):
    conversation = store.create_conversation().id
    recorder = ReplyRecorder(store, conversation, author=lambda: "m")
    for piece in ("Half ", "a reply"):
        recorder.add(piece)
    saved = recorder.finish("interrupted", tokens=3, meta={"supported": True})
    assert saved is not None and (saved.content, saved.status, saved.tokens) == (
        "Half a reply",
        "interrupted",
        3,
    )
    assert saved.meta == {"supported": True}
    assert rows(store, conversation) == [("assistant", "Half a reply", "interrupted", "m")]


def test_an_interrupted_reply_with_no_text_leaves_nothing(store):
    conversation = store.create_conversation().id
    recorder = ReplyRecorder(store, conversation, author=lambda: "m")
    assert recorder.finish("interrupted", tokens=0, meta={}) is None
    assert rows(store, conversation) == []
    recorder.add("")  # a first piece with no text still creates the row...
    assert recorder.finish("interrupted", tokens=0, meta={}) is None  # ...and an empty stop removes it
    assert rows(store, conversation) == []
