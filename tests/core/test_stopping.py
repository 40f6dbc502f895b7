"""Stopping a reply from another thread (the app's Esc) while the backend is busy: the turn ends without
waiting for the backend's next piece, and what arrived is saved as interrupted."""

from __future__ import annotations

import threading

from samantha.companion import Companion
from samantha.llm.scripted import ScriptedModel
from samantha.llm.stopping import stoppable


class HeldModel(ScriptedModel):
    """Sends two pieces, then holds (as llama.cpp does while it reads a long prompt) until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.sent = threading.Event()
        self.closed = threading.Event()

    def stream(self, messages, *, max_tokens, temperature):
        self.history.append(list(messages))
        try:
            yield "Half "
            yield "an "
            self.sent.set()
            self.release.wait(30)
            yield "answer."
        finally:
            self.closed.set()


def test_a_turn_stopped_from_another_thread_ends_while_the_model_is_still_busy(settings, store):
    model = HeldModel()
    companion = Companion(settings, store, model)
    conversation = companion.new_conversation("stop")
    turn = companion.turn(conversation, "tell me everything")
    ended = threading.Event()
    shown = threading.Event()

    def read() -> None:  # as the app's worker does: iterate, pass the pieces on
        for piece in turn:
            if piece == "an ":
                shown.set()
        ended.set()

    worker = threading.Thread(target=read)
    worker.start()
    assert shown.wait(10) and model.sent.wait(10)
    turn.cancel()
    assert ended.wait(10)
    assert not model.release.is_set()  # it ended without the model's next piece
    assert turn.result is not None and turn.result.status == "interrupted"
    saved = store.recent_messages(conversation)[-1]
    assert (saved.content, saved.status) == ("Half an ", "interrupted")
    model.release.set()
    assert model.closed.wait(10)  # and the model was closed at its next piece, not left running
    worker.join(10)


def test_stoppable_passes_every_piece_and_the_backend_error():
    stop = threading.Event()
    assert list(stoppable(iter(["a", "b", "c"]), stop)) == ["a", "b", "c"]

    def failing():
        yield "a"
        raise ValueError("broken")

    pieces = []
    try:
        for piece in stoppable(failing(), threading.Event()):
            pieces.append(piece)
    except ValueError as exc:
        assert str(exc) == "broken"
    else:
        raise AssertionError("the backend's error was not raised")
    assert pieces == ["a"]


def test_cancel_in_the_reading_thread_ends_the_turn_at_once(companion, scripted_model, store):
    scripted_model.enqueue(["one ", "two ", "three"])
    conversation = companion.new_conversation()
    turn = companion.turn(conversation, "count")
    for piece in turn:
        assert piece == "one "
        turn.cancel()
        break
    assert turn.result is not None and turn.result.status == "interrupted"
    assert store.recent_messages(conversation)[-1].content == "one "
