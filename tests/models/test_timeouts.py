"""Budgets that fit slow servers: connecting, the first token (which grows with the prompt), silence
mid-reply; each with its own sentence, and a request given up on is closed so the server stops on it.
Against the tests' own OpenAI-compatible server on loopback, which can read prompts slowly."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fixtures import db_rows, endpoint_env, run_samantha
from support.openai_server import OpenAITestServer, Reply

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.errors import ModelError
from samantha.llm.openai_backend import OpenAIModel
from samantha.store import Store

TIMEOUT = 2.0


def env(server: OpenAITestServer, **extra: str) -> dict[str, str]:
    return endpoint_env(server, SAMANTHA_TIMEOUT=f"{TIMEOUT:g}", SAMANTHA_MODEL="test-model", **extra)


def one_sentence(stderr: str) -> str:
    [line] = [line for line in stderr.strip().splitlines() if line.startswith("Error: ")]
    assert "Traceback" not in stderr
    assert len(re.findall(r"[.?!](?:\s|$)", line)) == 1, line
    return line


def companion_for(server: OpenAITestServer, store: Store, monkeypatch: pytest.MonkeyPatch, **extra: str):
    for name, value in env(server, **extra).items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    model = OpenAIModel(settings)
    model.client  # noqa: B018  (imports before any clock)
    model.context_window  # noqa: B018
    return Companion(settings, store, model), model


@pytest.mark.parametrize("headers_first", [True, False], ids=["keep-alives-meanwhile", "nothing-meanwhile"])
def test_a_long_prompt_on_a_slow_server_is_waited_for(
    openai_server: OpenAITestServer, samantha_home: Path, headers_first: bool
) -> None:
    # 3 s of reading, twice the 2 s timeout: the old single budget said "stopped sending the reply".
    openai_server.enqueue(Reply.slow_prompt(3.0, "Finally, an answer.", headers_first=headers_first))
    ran = run_samantha(
        "ask", "Tell me a long story", env=env(openai_server, SAMANTHA_PROMPT_SPEED="100"), timeout=180
    )
    assert ran.code == 0, ran.stderr
    assert ran.stdout.strip() == "Finally, an answer."
    assert len([r for r in openai_server.chat_requests if r.json.get("stream")]) == 1


def test_a_server_that_never_starts_is_given_up_in_its_own_words_and_closed(
    openai_server: OpenAITestServer, samantha_home: Path
) -> None:
    openai_server.enqueue(Reply.slow_prompt(60.0))
    ran = run_samantha("ask", "Hello?", env=env(openai_server), timeout=180)
    assert ran.code == 1
    line = one_sentence(ran.stderr)
    assert re.search(
        r"has not started answering after 2 s; it may still be reading a long prompt \([\d,]+ tokens\)", line
    )
    assert "stopped sending" not in line
    assert len(openai_server.chat_requests) == 1  # not sent again: it would be read again from the start
    # The request was closed, so the server can stop reading it (llama.cpp's does). Waited for: the
    # server's thread notices on its next look at the socket, which on a loaded machine can come after
    # the test saw the process end (CI caught it). `test_silence_mid_reply...` proves the closing is the
    # watchdog's, in a process that goes on.
    deadline = time.monotonic() + 10
    while not openai_server.disconnects and time.monotonic() < deadline:
        time.sleep(0.05)
    assert openai_server.disconnects
    rows = db_rows(samantha_home / "samantha.db", "select role, status from messages")
    assert rows == [("user", "complete")]


def test_the_first_token_budget_grows_with_the_prompt(
    openai_server: OpenAITestServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    companion, _ = companion_for(openai_server, store, monkeypatch, SAMANTHA_PROMPT_SPEED="400")
    openai_server.enqueue(Reply.slow_prompt(60.0), Reply.slow_prompt(60.0))
    said = []
    for text in ("Hi.", "Tell me everything. " * 300):
        started = time.monotonic()
        with pytest.raises(ModelError, match="has not started answering") as raised:
            companion.turn(companion.new_conversation(), text).run()
        waited = time.monotonic() - started
        found = re.search(r"after (\d+) s; .* \(([\d,]+) tokens\)", raised.value.message)
        assert found is not None, raised.value.message
        budget, tokens = int(found.group(1)), int(found.group(2).replace(",", ""))
        assert waited >= budget - 1
        said.append((budget, tokens))
    (short, short_tokens), (long, long_tokens) = said
    assert long_tokens > short_tokens + 1000
    # 2 s, plus the prompt read at 400 tokens/s with a margin of 1.5.
    assert long == round(TIMEOUT + 1.5 * long_tokens / 400) and short == round(
        TIMEOUT + 1.5 * short_tokens / 400
    )


def test_silence_mid_reply_is_its_own_budget_and_keeps_what_came(
    openai_server: OpenAITestServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    companion, _ = companion_for(openai_server, store, monkeypatch)
    conversation = companion.new_conversation()
    openai_server.enqueue(Reply.stall(["She ", "paused ", "and "], after=2, seconds=30))
    started = time.monotonic()
    with pytest.raises(ModelError) as raised:
        companion.turn(conversation, "Go on").run()
    assert raised.value.message.endswith("stopped sending the reply for 2 seconds.")
    # Not a byte came for 30 s: the watchdog cut it (slack for a loaded machine).
    assert time.monotonic() - started < TIMEOUT + 6
    [reply] = [m for m in store.recent_messages(conversation) if m.role == "assistant"]
    assert (reply.content, reply.status) == ("She paused ", "interrupted")
    deadline = time.monotonic() + 10
    while not openai_server.disconnects and time.monotonic() < deadline:
        time.sleep(0.05)
    assert openai_server.disconnects  # closed: the server stops generating


def test_prompt_speed_is_learned_from_the_servers_timings(
    openai_server: OpenAITestServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    companion, model = companion_for(openai_server, store, monkeypatch)
    monkeypatch.delenv("SAMANTHA_PROMPT_SPEED")
    model.settings = load_settings()
    reply = Reply.text("Read it.")
    reply.timings = {"prompt_n": 1800, "prompt_ms": 45000.0, "prompt_per_second": 40.0}
    openai_server.enqueue(reply)
    companion.turn(companion.new_conversation(), "Hello").run()
    assert model.pace.speed() == 40.0
    assert model.pace.first_token_budget(30, 2000) == pytest.approx(30 + 1.5 * 2000 / 40)


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A loopback port whose accept queue is full: a new connection waits and never completes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    yield port
    for sock in [*fillers, server]:
        sock.close()


def test_connecting_has_its_own_budget_and_sentence(full_backlog: int, samantha_home: Path) -> None:
    url = f"http://127.0.0.1:{full_backlog}/v1"
    ran = run_samantha(
        "ask",
        "Hello?",
        env={
            "SAMANTHA_BASE_URL": url,
            "SAMANTHA_MODEL": "m",
            "SAMANTHA_CONNECT_TIMEOUT": "1",
            "SAMANTHA_TIMEOUT": "20",
            "SAMANTHA_MAX_RETRIES": "0",
        },
        timeout=180,
    )
    assert ran.code == 1
    assert one_sentence(ran.stderr) == (
        f"Error: The model endpoint {url} could not be connected to within 1 s; is the server running?"
    )
