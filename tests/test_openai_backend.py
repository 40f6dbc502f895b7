"""The `openai` SDK path for real: Samantha's OpenAIModel and `samantha ask` against an OpenAI-compatible
HTTP server on loopback (tests/support/openai_server.py), not a mocked SDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.fixtures import db_rows, endpoint_env, openai_server, run_samantha
from support.openai_server import OpenAITestServer, Reply

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm import create_model
from samantha.llm.openai_backend import OpenAIModel
from samantha.store import Store

__all__ = ["openai_server"]

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello?"}]


def model_for(server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch, **env: str) -> OpenAIModel:
    for name, value in endpoint_env(server, **env).items():
        monkeypatch.setenv(name, value)
    model = create_model(load_settings())
    assert isinstance(model, OpenAIModel)
    return model


def test_streams_pieces_in_order(openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.enqueue(Reply.text(["Hi ", "there, ", "Theodore."]))
    model = model_for(openai_server, monkeypatch, SAMANTHA_MODEL="second-model")
    pieces = list(model.stream(MESSAGES, max_tokens=50, temperature=0.3))  # type: ignore[arg-type]
    assert pieces == ["Hi ", "there, ", "Theodore."]
    [request] = openai_server.chat_requests
    body = request.json
    assert body["model"] == "second-model"
    assert body["stream"] is True
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == 50
    assert body["temperature"] == 0.3
    # The server is asked once what it has (the model's context, and whether it has that model at all).
    assert [r.path for r in openai_server.requests].count("/v1/models") == 1


def test_model_is_picked_from_the_server_when_unset(
    openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = model_for(openai_server, monkeypatch)
    assert model.name == "(first model at the endpoint)"
    assert "".join(model.stream(MESSAGES, max_tokens=20, temperature=0)) == "Hello from the test server."  # type: ignore[arg-type]
    paths = [r.path for r in openai_server.requests]
    # Asked what it has (its list, then the native routes of llama.cpp, Ollama, LM Studio), then the chat.
    assert paths == ["/v1/models", "/props", "/api/version", "/api/v0/models", "/v1/chat/completions"]
    assert openai_server.chat_requests[0].json["model"] == "test-model"
    assert model.name == "test-model"
    # Asked once, then remembered.
    list(model.stream(MESSAGES, max_tokens=20, temperature=0))  # type: ignore[arg-type]
    assert [r.path for r in openai_server.requests].count("/v1/models") == 1


def test_server_listing_no_models_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from samantha.errors import ModelError

    with OpenAITestServer(models=[]) as server:
        model = model_for(server, monkeypatch)
        with pytest.raises(ModelError, match="lists no models; set SAMANTHA_MODEL"):
            list(model.stream(MESSAGES, max_tokens=20, temperature=0))  # type: ignore[arg-type]


def test_api_key_is_sent_as_bearer_token(
    openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = model_for(
        openai_server, monkeypatch, SAMANTHA_API_KEY="sk-test-secret", SAMANTHA_MODEL="test-model"
    )
    list(model.stream(MESSAGES, max_tokens=20, temperature=0))  # type: ignore[arg-type]
    assert openai_server.chat_requests[0].headers["authorization"] == "Bearer sk-test-secret"


def test_openai_sdk_variables_are_honoured(
    openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-var")
    monkeypatch.setenv("SAMANTHA_MODEL", "test-model")
    model = create_model(load_settings())
    assert isinstance(model, OpenAIModel)
    assert "".join(model.stream(MESSAGES, max_tokens=20, temperature=0))  # type: ignore[arg-type]
    assert openai_server.chat_requests[0].headers["authorization"] == "Bearer sk-from-openai-var"


def test_companion_turn_sends_persona_and_saves_reply(
    openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    model = model_for(openai_server, monkeypatch, SAMANTHA_MODEL="test-model")
    companion = Companion(load_settings(), store, model)
    conversation = companion.new_conversation()
    openai_server.enqueue(Reply.text("I'm here, and I'm listening."))
    result = companion.turn(conversation, "Are you there?").run()
    assert result.status == "complete"
    assert result.answer == "I'm here, and I'm listening."
    sent = openai_server.chat_requests[0].json["messages"]
    assert sent[0]["role"] == "system" and "Samantha" in sent[0]["content"]
    assert sent[-1] == {"role": "user", "content": "Are you there?"}
    saved = store.recent_messages(conversation)
    assert [(m.role, m.content, m.status) for m in saved] == [
        ("user", "Are you there?", "complete"),
        ("assistant", "I'm here, and I'm listening.", "complete"),
    ]
    # The next turn carries the history.
    companion.turn(conversation, "What did I ask?").run()
    history = openai_server.chat_requests[1].json["messages"]
    assert {"role": "assistant", "content": "I'm here, and I'm listening."} in history


def test_samantha_ask_streams_through_the_sdk(openai_server: OpenAITestServer, samantha_home: Path) -> None:
    # Not a film question: film questions may be answered by quoting the reviews without the model.
    openai_server.enqueue(Reply.text(["Good ", "morning ", "to you."], piece_delay=0.05))
    ran = run_samantha("ask", "Good morning, how are you?", env=endpoint_env(openai_server))
    assert ran.code == 0, ran.stderr
    assert ran.stdout.strip() == "Good morning to you."
    assert "Traceback" not in ran.stderr
    rows = db_rows(samantha_home / "samantha.db", "select role, content, status from messages order by rowid")
    assert rows == [
        ("user", "Good morning, how are you?", "complete"),
        ("assistant", "Good morning to you.", "complete"),
    ]


def test_samantha_ask_json_names_the_picked_model(
    openai_server: OpenAITestServer, samantha_home: Path
) -> None:
    openai_server.enqueue(Reply.text("Hello, Theodore."))
    ran = run_samantha("ask", "--json", "Say hello", env=endpoint_env(openai_server))
    assert ran.code == 0, ran.stderr
    payload = json.loads(ran.stdout)
    assert payload["answer"] == "Hello, Theodore."
    assert payload["model"] == "test-model"
    rows = db_rows(samantha_home / "samantha.db", "select model from messages where role = 'assistant'")
    assert rows == [("test-model",)]
    assert payload["conversation_id"]
