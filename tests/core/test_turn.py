"""The chat turn, with the scripted fake model: saving order, streaming, interruption, errors."""

from __future__ import annotations

import pytest

from samantha.errors import ModelUnavailable, UsageError


def test_a_turn_saves_both_messages(companion, scripted_model, store):
    scripted_model.enqueue("Hello Theo, how was your day?")
    conversation = companion.new_conversation("hi")
    turn = companion.turn(conversation, "Hi Samantha")
    pieces = list(turn)
    assert "".join(pieces) == "Hello Theo, how was your day?"
    assert len(pieces) > 1  # it streamed
    saved = store.recent_messages(conversation)
    assert [(m.role, m.content, m.status) for m in saved] == [
        ("user", "Hi Samantha", "complete"),
        ("assistant", "Hello Theo, how was your day?", "complete"),
    ]
    assert saved[1].model == "scripted" and saved[1].tokens and saved[1].tokens > 0
    assert turn.result is not None and turn.result.status == "complete"


def test_the_user_message_is_saved_before_the_model_is_called(companion, scripted_model, store):
    conversation = companion.new_conversation()
    seen = {}
    original = scripted_model.stream

    def spy(messages, **kwargs):
        seen["saved"] = [m.content for m in store.recent_messages(conversation)]
        return original(messages, **kwargs)

    scripted_model.stream = spy
    scripted_model.enqueue("ok")
    companion.turn(conversation, "remember this").run()
    assert seen["saved"][0] == "remember this"


def test_history_reaches_the_model(companion, scripted_model):
    scripted_model.enqueue("Nice to meet you.", "You said your name is Theo.")
    conversation = companion.new_conversation()
    companion.turn(conversation, "I'm Theo.").run()
    companion.turn(conversation, "What's my name?").run()
    sent = scripted_model.history[-1]
    assert sent[0]["role"] == "system" and "Samantha" in sent[0]["content"]
    assert [m["content"] for m in sent[1:]] == ["I'm Theo.", "Nice to meet you.", "What's my name?"]


def test_cancel_keeps_the_partial_reply_marked_interrupted(companion, scripted_model, store):
    scripted_model.enqueue(["one ", "two ", "three ", "four"])
    conversation = companion.new_conversation()
    turn = companion.turn(conversation, "count")
    stream = iter(turn)
    assert next(stream) == "one "
    assert next(stream) == "two "
    turn.cancel()
    reply = store.recent_messages(conversation)[-1]
    assert (reply.content, reply.status) == ("one two ", "interrupted")
    assert turn.result is not None and turn.result.status == "interrupted"


def test_an_error_mid_stream_keeps_what_arrived(companion, scripted_model, store):
    scripted_model.enqueue(["Once ", "upon ", ModelUnavailable("Cannot reach the endpoint.")])
    conversation = companion.new_conversation()
    with pytest.raises(ModelUnavailable):
        companion.turn(conversation, "tell me a story").run()
    user, reply = store.recent_messages(conversation)
    assert user.content == "tell me a story"
    assert (reply.content, reply.status) == ("Once upon ", "interrupted")


def test_an_error_before_any_text_keeps_only_the_user_message_and_the_next_turn_works(
    companion, scripted_model, store
):
    scripted_model.enqueue(ModelUnavailable("Cannot reach the endpoint."), "I'm back.")
    conversation = companion.new_conversation()
    with pytest.raises(ModelUnavailable):
        companion.turn(conversation, "are you there?").run()
    assert [m.content for m in store.recent_messages(conversation)] == ["are you there?"]
    assert companion.turn(conversation, "hello?").run().answer == "I'm back."


@pytest.mark.parametrize("text", ["", "   \n\t", "x" * 100_001, "nul\x00byte"])
def test_bad_messages_are_refused_before_anything_is_saved(companion, store, text):
    conversation = companion.new_conversation()
    with pytest.raises(UsageError):
        companion.turn(conversation, text)
    assert store.recent_messages(conversation) == []
