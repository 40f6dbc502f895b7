"""Pilot tests of the chat flow: send, stream, stop, regenerate, copy, errors, safety of shown text.

Every test drives the app with the scripted fake model (`ScriptedModel`: queued replies, recorded
requests); nothing here loads a real model or touches the network.
"""

from __future__ import annotations

from support.app_driving import send
from textual import events
from textual.widgets._toast import Toast

from samantha.errors import ModelTimeout, ModelUnavailable
from samantha.llm.scripted import ScriptedModel
from samantha.tui.widgets.conversation import Conversation
from samantha.tui.widgets.prompt import PASTE_LIMIT


def shown(app) -> list[tuple[str, str]]:
    return [(b.role, b.raw) for b in app.chat_screen.chat.bubbles() if not b.has_class("greeting")]


async def test_send_and_stream_reply(make, scripted_model, ready, idle, store):
    scripted_model.enqueue("Hello there, **friend**.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press(*"hi")
        await pilot.press("enter")
        await idle(app, pilot)
        assert shown(app) == [("user", "hi"), ("assistant", "Hello there, **friend**.")]
        assert app.chat_screen.chat.bubbles()[-1].status == "complete"
        assert app.chat_screen.prompt.value == ""
        conversation = store.get_conversation(app.chat_screen.conversation_id)
        assert conversation is not None and conversation.title == "hi"
        saved = store.recent_messages(conversation.id)
        assert [m.content for m in saved] == ["hi", "Hello there, **friend**."]
        assert scripted_model.history[-1][-1] == {"role": "user", "content": "hi"}


async def test_fast_stream_is_batched_not_drawn_per_piece(make, scripted_model, ready, idle):
    pieces = [f"w{i} " for i in range(2000)]
    scripted_model.enqueue(pieces)
    chunks: list[Conversation.ReplyChunk] = []
    app = make()

    def hook(message):
        # A message is seen once per node it reaches; count each once.
        if isinstance(message, Conversation.ReplyChunk) and all(m is not message for m in chunks):
            chunks.append(message)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await ready(app, pilot)
        await send(pilot, "count")
        await idle(app, pilot)
        assert shown(app)[-1][1] == "".join(pieces)
    assert 1 <= len(chunks) < len(pieces) / 10
    assert "".join(c.text for c in chunks) == "".join(pieces)


async def test_escape_stops_and_keeps_the_partial_reply(make, store, ready, idle, settings):
    from samantha.companion import Companion

    slow = ScriptedModel(delay=0.02)
    slow.enqueue([f"word{i} " for i in range(300)])
    app = make(companion=Companion(settings, store, slow))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "tell me a long story")
        await pilot.pause(0.3)
        assert app.chat_screen.conversation.streaming
        await pilot.press("escape")
        await idle(app, pilot)
        reply = app.chat_screen.chat.bubbles()[-1]
        assert reply.status == "interrupted"
        assert reply.raw.startswith("word0 ") and len(reply.raw) < len(
            "".join(f"word{i} " for i in range(300))
        )
        saved = store.recent_messages(app.chat_screen.conversation_id)[-1]
        assert saved.status == "interrupted" and saved.content == reply.raw
        assert "interrupted" in str(reply.query_one(".who").render())


async def test_regenerate_replaces_the_last_reply(make, scripted_model, store, ready, idle):
    scripted_model.enqueue("First answer.", "Second answer.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "question")
        await idle(app, pilot)
        await pilot.press("ctrl+r")
        await idle(app, pilot)
        assert shown(app) == [("user", "question"), ("assistant", "Second answer.")]
        saved = store.recent_messages(app.chat_screen.conversation_id)
        assert [(m.role, m.content) for m in saved] == [("user", "question"), ("assistant", "Second answer.")]


async def test_copy_puts_the_reply_or_the_focused_message_on_the_clipboard(make, scripted_model, ready, idle):
    scripted_model.enqueue("Copy me.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "mine")
        await idle(app, pilot)
        await pilot.press("ctrl+y")
        assert app.clipboard == "Copy me."
        user = app.chat_screen.chat.last("user")
        assert user is not None
        user.focus()
        await pilot.press("ctrl+y")
        assert app.clipboard == "mine"


async def test_backend_error_is_told_in_words_and_retry_answers(make, scripted_model, store, ready, idle):
    scripted_model.enqueue(ModelUnavailable("I can't reach the model at http://localhost:9."), "Back again.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "are you there?")
        await idle(app, pilot)
        assert app.is_running
        notes = [n.message for n in app.notices]
        assert any("can't reach the model" in n and "ctrl+r" in n for n in notes)
        user = app.chat_screen.chat.last("user")
        assert user is not None and user.status == "error"
        saved = store.recent_messages(app.chat_screen.conversation_id)
        assert [m.content for m in saved] == ["are you there?"]  # the typed message is kept
        await pilot.press("ctrl+r")
        await idle(app, pilot)
        assert shown(app) == [("user", "are you there?"), ("assistant", "Back again.")]
        saved = store.recent_messages(app.chat_screen.conversation_id)
        assert [m.content for m in saved] == ["are you there?", "Back again."]


async def test_error_mid_stream_keeps_what_arrived(make, scripted_model, store, ready, idle):
    scripted_model.enqueue(["Half ", "an ", ModelTimeout("The model took too long.")])
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "go")
        await idle(app, pilot)
        reply = app.chat_screen.chat.bubbles()[-1]
        assert (reply.role, reply.raw, reply.status) == ("assistant", "Half an ", "interrupted")
        saved = store.recent_messages(app.chat_screen.conversation_id)[-1]
        assert (saved.content, saved.status) == ("Half an ", "interrupted")
        assert any("took too long" in n.message for n in app.notices)


async def test_message_sent_while_answering_stays_in_the_box(make, store, settings, ready, idle):
    from samantha.companion import Companion

    slow = ScriptedModel(delay=0.01)
    slow.enqueue([f"x{i} " for i in range(100)])
    app = make(companion=Companion(settings, store, slow))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "first")
        await pilot.pause(0.05)
        await send(pilot, "second")
        assert app.chat_screen.prompt.value == "second"
        await idle(app, pilot)
        assert len(slow.history) == 1


async def test_message_typed_before_the_core_is_ready_is_sent_when_it_is(
    make, scripted_model, companion, ready, idle
):
    from samantha.tui.messages import CompanionReady

    scripted_model.enqueue("Now I'm awake.")
    app = make(companion=None)
    app.start_core = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await send(pilot, "early words")
        assert shown(app) == [("user", "early words")]
        app.post_message(CompanionReady(companion, False))
        await ready(app, pilot)
        await idle(app, pilot)
        assert shown(app) == [("user", "early words"), ("assistant", "Now I'm awake.")]


async def test_a_message_may_begin_with_a_slash(make, scripted_model, ready, idle):
    scripted_model.enqueue("That's where programs live.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "//usr/bin is what?")
        await idle(app, pilot)
        assert shown(app)[0] == ("user", "/usr/bin is what?")


async def test_only_one_message_waits_for_the_core(make, ready):
    app = make(companion=None)
    app.start_core = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await send(pilot, "first")
        await send(pilot, "second")
        assert (
            app.chat_screen.conversation.queued is not None
            and app.chat_screen.conversation.queued.text == "first"
        )
        assert app.chat_screen.prompt.value == "second"


async def test_core_that_cannot_start_is_told_and_the_app_stays(make, monkeypatch):
    from samantha import runtime
    from samantha.errors import ModelFileError

    def broken(*args, **kwargs):
        raise ModelFileError("The model file /nowhere.gguf does not exist.")

    monkeypatch.setattr(runtime, "build_companion", broken)
    app = make(companion=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert any("/nowhere.gguf" in n.message for n in app.notices)
        await send(pilot, "hello?")
        assert app.chat_screen.conversation.queued is not None  # kept, not lost


async def test_empty_and_oversized_messages_are_refused_in_words(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "   ")
        assert shown(app) == []
        await send(pilot, "\x00")
        assert any("NUL" in n.message for n in app.notices)
        assert app.chat_screen.prompt.value == "\x00"


async def test_pasting_a_megabyte_is_cut_with_a_message(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        prompt = app.chat_screen.prompt
        prompt.post_message(events.Paste("가" * 1_000_000))
        await pilot.pause()
        assert len(prompt.value) == PASTE_LIMIT
        assert any("1,000,000 characters" in n.message for n in app.notices)


async def test_pasted_lines_are_kept_joined(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        prompt = app.chat_screen.prompt
        prompt.post_message(events.Paste("line one\nline two\n"))
        await pilot.pause()
        assert prompt.value == "line one line two"


async def test_escape_sequences_and_markup_in_replies_are_shown_as_text(make, scripted_model, ready, idle):
    scripted_model.enqueue(["\x1b[31mred\x1b[0m ", "[bold]not bold[/bold] ", "\x1b]52;c;aGk=\x07"])
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "\x1b[2Jhello [i]x[/i]")
        await idle(app, pilot)
        reply = app.chat_screen.chat.bubbles()[-1]
        assert "\x1b" not in reply.text and "\x07" not in reply.text
        assert "␛[31mred" in reply.text and "[bold]not bold[/bold]" in reply.text
        user = app.chat_screen.chat.last("user")
        assert user is not None and "\x1b" not in user.text
        assert "[i]x[/i]" in str(user.query_one(".body").render())
        screen_text = "".join(
            segment.text for strip in app.screen._compositor.render_strips() for segment in strip
        )
        assert "\x1b" not in screen_text and "␛[31mred" in screen_text


async def test_greeting_for_a_new_user(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        greeting = app.chat_screen.chat.bubbles()
        assert len(greeting) == 1 and greeting[0].raw.startswith("Hi, I'm Samantha")


async def test_greeting_for_a_returning_user(make, store, ready):
    conversation = store.create_conversation("our trip to Busan")
    store.add_message(conversation.id, "user", "I went to Busan")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        greeting = app.chat_screen.chat.bubbles()
        assert len(greeting) == 1 and greeting[0].raw.startswith("Welcome back")
        assert "our trip to Busan" in greeting[0].raw


async def test_a_returning_user_is_greeted_by_name(make, store, ready):
    from samantha.memories import remember_from_message

    conversation = store.create_conversation("introductions")
    remember_from_message(store, store.add_message(conversation.id, "user", "My name is Mina."))
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert app.chat_screen.chat.bubbles()[0].raw.startswith("Welcome back, Mina.")


async def test_status_bar_shows_model_tokens_and_the_small_model_notice_once(
    make, companion, scripted_model, ready, idle
):
    scripted_model.small_model_notice = "I'm a tiny model."
    scripted_model.enqueue("ok")
    app = make()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await ready(app, pilot)
        status = app.chat_screen.status
        assert status.model_label == "scripted · scripted"
        assert status.budget == scripted_model.context_window - companion.settings.max_reply_tokens
        assert "tiny" in status.notice
        await send(pilot, "hello")
        await idle(app, pilot)
        assert status.used > 0 and status.used == app.chat_screen.conversation.last_context.used
        rendered = str(status.render())
        assert "scripted" in rendered and f"{status.used:,}/{status.budget:,}" in rendered
        notices = [n for n in app.notices if "tiny model" in n.message]
        assert len(notices) == 1 and notices[0].shown_in == "bar"
        # Only in the notice bar: Textual was never asked to toast it over the conversation.
        assert not any("tiny model" in n.message for n in app._notifications)
        assert not app.screen.query(Toast)


async def test_quitting_mid_reply_saves_it_interrupted_and_exits_promptly(make, store, settings, ready):
    import time

    from samantha.companion import Companion

    slow = ScriptedModel(delay=0.02)
    slow.enqueue([f"word{i} " for i in range(1000)])  # 20 s if nobody stops it
    app = make(companion=Companion(settings, store, slow))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "talk for a long time")
        await pilot.pause(0.3)
        conversation_id = app.chat_screen.conversation_id
        started = time.monotonic()
        await pilot.press("ctrl+q")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and store.recent_messages(conversation_id)[-1].status == "pending":
        time.sleep(0.05)
    assert time.monotonic() - started < 5
    reply = store.recent_messages(conversation_id)[-1]
    assert reply.status == "interrupted" and reply.content.startswith("word0 ")
