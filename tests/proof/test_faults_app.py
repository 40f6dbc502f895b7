"""Fault suite through the app: the Textual app with the real OpenAI backend against the loopback server.

The app tells what happened in words, keeps the user's message and any partial reply (interrupted), stays
up, and the next message gets an answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from support.app_driving import wait_idle
from support.fixtures import endpoint_env
from support.openai_server import OpenAITestServer, Reply

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm.openai_backend import OpenAIModel
from samantha.store import Store
from samantha.tui import make_app

CASES = [
    ("http-500", [Reply.error(500)] * 3, "HTTP 500", None),
    ("401", [Reply.unauthorized()], "refused the API key", None),
    ("no-answer", [Reply.hang(30)] * 3, "has not started answering after 2 s", None),
    ("stream-cut", [Reply.cut(["Half ", "a ", "thought "])], "broke off the reply", "Half a thought "),
    ("malformed-sse", [Reply.malformed(["Some "])], "could not read", "Some "),
]


async def send(app: Any, pilot: Any, text: str) -> None:
    app.chat_screen.prompt.value = text
    await pilot.press("enter")
    await wait_idle(app, pilot)


@pytest.mark.parametrize(("fault", "replies", "words", "partial"), CASES, ids=[c[0] for c in CASES])
async def test_fault_through_the_app(
    openai_server: OpenAITestServer,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    replies: list[Reply],
    words: str,
    partial: str | None,
) -> None:
    for name, value in endpoint_env(openai_server, SAMANTHA_MODEL="test-model").items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    companion = Companion(settings, store, OpenAIModel(settings))
    openai_server.enqueue(*replies)
    app = make_app(settings, companion=companion)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(app, pilot)
        await send(app, pilot, "are you there?")
        assert app.is_running
        notes = [n.message for n in app.notices]
        assert any(words in n for n in notes), notes
        assert not any("Traceback" in n for n in notes)
        conversation = app.chat_screen.conversation_id
        saved = [(m.role, m.content, m.status) for m in store.recent_messages(conversation)]
        if partial is None:
            assert saved == [("user", "are you there?", "complete")]
        else:
            assert saved == [("user", "are you there?", "complete"), ("assistant", partial, "interrupted")]

        openai_server.queue.clear()
        openai_server.enqueue(Reply.text("Yes, I'm here."))
        await send(app, pilot, "hello again")
        saved = [(m.role, m.content, m.status) for m in store.recent_messages(conversation)]
        assert saved[-2:] == [
            ("user", "hello again", "complete"),
            ("assistant", "Yes, I'm here.", "complete"),
        ]
