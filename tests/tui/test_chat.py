"""Pilot tests of the chat flow, with the scripted fake model (no real model, no network)."""

from __future__ import annotations

from samantha.tui.widgets.chat_view import MessageBubble


async def test_send_and_stream_reply(make, scripted_model, ready, idle, store):
    scripted_model.enqueue("Hello there, **friend**.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press(*"hi")
        await pilot.press("enter")
        await idle(app, pilot)
        bubbles = app.chat_screen.chat.bubbles()
        texts = [(b.role, b.raw) for b in bubbles]
        assert texts == [("user", "hi"), ("assistant", "Hello there, **friend**.")]
        assert bubbles[-1].status == "complete"
        conversation = store.get_conversation(app.chat_screen.conversation_id)
        assert conversation is not None and conversation.title == "hi"
        saved = store.recent_messages(conversation.id)
        assert [m.content for m in saved] == ["hi", "Hello there, **friend**."]
