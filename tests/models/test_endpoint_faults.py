"""Fault tests for what a real server says back: an unknown model, a request too long for its context, a reply
cut at the length limit. Through `samantha ask` (one sentence, exit code, the message kept) and the
Companion, against the tests' own OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.fixtures import db_rows, endpoint_env, run_samantha
from support.openai_server import OpenAITestServer, Reply

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.errors import ModelContextExceeded, ModelError
from samantha.llm import create_model
from samantha.llm.openai_backend import OpenAIModel
from samantha.llm.scripted import Cut, ScriptedModel
from samantha.store import Store


def sentence(stderr: str) -> str:
    [line] = [line for line in stderr.strip().splitlines() if line.startswith("Error: ")]
    assert "Traceback" not in stderr
    assert len(re.findall(r"[.?!](?:\s|$)", line)) == 1, line
    return line


def saved(home: Path) -> list[tuple[object, ...]]:
    return db_rows(home / "samantha.db", "select role, content, status from messages order by rowid")


def test_an_unknown_model_is_refused_with_the_servers_list(
    openai_server: OpenAITestServer, samantha_home: Path
) -> None:
    ran = run_samantha(
        "ask", "Hello there", env=endpoint_env(openai_server, SAMANTHA_MODEL="nonexistent"), timeout=180
    )
    assert ran.code == 1
    line = sentence(ran.stderr)
    assert "has no model 'nonexistent' (it has test-model, second-model)" in line
    assert "SAMANTHA_MODEL" in line
    assert not openai_server.chat_requests  # nothing sent to a model that is not there
    assert saved(samantha_home) == [("user", "Hello there", "complete")]


def test_ollama_short_names_mean_latest(monkeypatch: pytest.MonkeyPatch) -> None:
    with OpenAITestServer(models=["qwen2.5:latest"], flavour="ollama", context=8192) as server:
        monkeypatch.setenv("SAMANTHA_BASE_URL", server.url)
        monkeypatch.setenv("SAMANTHA_MODEL", "qwen2.5")
        model = create_model(load_settings())
        assert isinstance(model, OpenAIModel)
        assert model.model_id() == "qwen2.5" and model.context_window == 8192


@pytest.mark.parametrize(
    "refusal",
    [Reply.context_exceeded(5000, 4096), Reply.openai_context_exceeded(5000, 4096)],
    ids=["llama.cpp-fields", "openai-message"],
)
def test_a_request_too_long_is_reported_with_the_numbers(
    openai_server: OpenAITestServer, samantha_home: Path, refusal: Reply
) -> None:
    openai_server.enqueue(refusal)
    env = endpoint_env(openai_server, SAMANTHA_MODEL="test-model")
    ran = run_samantha("ask", "Tell me everything", env=env, timeout=180)
    assert ran.code == 1
    line = sentence(ran.stderr)
    assert "refused the request as too long: the prompt was 5,000 tokens by its count" in line
    assert "its context holds 4,096" in line
    assert "broke off" not in line
    assert len(openai_server.chat_requests) == 1  # not retried: it would be refused again
    assert saved(samantha_home) == [("user", "Tell me everything", "complete")]


def test_after_a_refusal_as_too_long_the_next_turn_fits(
    openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    for name, value in endpoint_env(openai_server, SAMANTHA_MODEL="test-model").items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    model = create_model(settings)
    assert model.context_window == 16384  # the server announces nothing
    companion = Companion(settings, store, model)
    conversation = companion.new_conversation()
    openai_server.enqueue(Reply.context_exceeded(3000, 1024))
    with pytest.raises(ModelContextExceeded):
        companion.turn(conversation, "A long story " * 200).run()
    assert model.context_window == 1024
    openai_server.enqueue(Reply.text("Shorter now."))
    result = companion.turn(conversation, "And now?").run()
    assert result.answer == "Shorter now."
    assert result.context is not None and result.context.budget == 1024 - settings.max_reply_tokens
    # The server's tokenizer counted more than Samantha's: her counts grow to match it.
    assert model.count_tokens("안녕하세요 " * 50) > len("안녕하세요 " * 50) // 10


def test_a_reply_cut_at_the_length_limit_is_marked_cut(
    openai_server: OpenAITestServer, samantha_home: Path
) -> None:
    openai_server.enqueue(Reply.cut_at_length("Sometimes we need to give up. But"))
    ran = run_samantha("ask", "--json", "Tell me a story", env=endpoint_env(openai_server), timeout=180)
    assert ran.code == 0, ran.stderr
    payload = json.loads(ran.stdout)
    assert payload["status"] == "cut" and payload["answer"] == "Sometimes we need to give up. But"
    assert saved(samantha_home)[-1] == ("assistant", "Sometimes we need to give up. But", "cut")

    openai_server.enqueue(Reply.cut_at_length("Once upon"))
    ran = run_samantha("ask", "-c", "Another one", env=endpoint_env(openai_server), timeout=180)
    assert ran.code == 0 and ran.stdout.strip() == "Once upon"
    assert 'cut at the 400-token reply limit; samantha ask -c "continue" goes on' in ran.stderr
    openai_server.queue.clear()  # (after a turn, the model may be asked for facts to remember)
    openai_server.enqueue(Reply.text("a time, the end."))
    ran = run_samantha("ask", "-c", "continue", env=endpoint_env(openai_server), timeout=180)
    assert ran.stdout.strip() == "a time, the end."
    sent = [r for r in openai_server.chat_requests if r.json.get("stream")][-1].json["messages"]
    assert {"role": "assistant", "content": "Once upon"} in sent  # the model sees where it stopped


def test_a_finished_reply_is_complete(openai_server: OpenAITestServer) -> None:
    ran = run_samantha("ask", "--json", "Hi", env=endpoint_env(openai_server), timeout=180)
    assert json.loads(ran.stdout)["status"] == "complete"


def test_the_scripted_model_can_be_cut_for_app_tests(
    companion: Companion, scripted_model: ScriptedModel
) -> None:
    scripted_model.enqueue(Cut("Half a thought"), "Whole.")
    conversation = companion.new_conversation()
    assert companion.turn(conversation, "one").run().status == "cut"
    assert companion.turn(conversation, "two").run().status == "complete"


def test_an_error_before_any_reply_keeps_only_the_message(
    openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    monkeypatch.setenv("SAMANTHA_BASE_URL", openai_server.url)
    monkeypatch.setenv("SAMANTHA_MODEL", "nope")
    companion = Companion(load_settings(), store, create_model(load_settings()))
    conversation = companion.new_conversation()
    with pytest.raises(ModelError, match="has no model 'nope'"):
        companion.turn(conversation, "hello").run()
    assert [(m.role, m.status) for m in store.recent_messages(conversation)] == [("user", "complete")]
