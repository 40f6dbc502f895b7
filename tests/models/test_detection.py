"""Finding local servers with nothing configured, and asking each what it has (models, context size).

Real sockets and the real HTTP client against the tests' own OpenAI-compatible server on loopback, which
can speak like llama.cpp's server, Ollama, vLLM or LM Studio (`flavour`)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fixtures import run_samantha
from support.openai_server import OpenAITestServer, Reply, closed_port

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm import create_model, discovery
from samantha.llm.embedded import EmbeddedModel
from samantha.llm.openai_backend import OpenAIModel
from samantha.llm.servers import describe_server, parameters_from_name
from samantha.store import Store


@pytest.fixture
def detection_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMANTHA_DETECT", raising=False)


def free_known_port() -> tuple[str, int]:
    """The first of the usual ports nobody listens on here, to put a test server on it."""
    for kind, port in discovery.KNOWN_PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return kind, port
    pytest.skip("every usual server port is taken on this machine")


@pytest.fixture
def server_on_usual_port() -> Iterator[OpenAITestServer]:
    _, port = free_known_port()
    with OpenAITestServer(models=["detected-model"], flavour="llama.cpp", context=6144, port=port) as server:
        yield server


@pytest.mark.parametrize(
    ("flavour", "kind"),
    [("llama.cpp", "llama.cpp"), ("ollama", "ollama"), ("vllm", "vllm"), ("lm-studio", "lm-studio")],
)
def test_each_server_is_asked_its_context_in_its_own_words(flavour: str, kind: str) -> None:
    with OpenAITestServer(models=["m-1", "m-2"], flavour=flavour, context=5120) as server:
        info = describe_server(server.url)
    assert info.kind == kind
    assert info.names == ["m-1", "m-2"]
    assert [m.context_window for m in info.models] == [5120, 5120]


def test_a_plain_server_lists_models_without_a_context() -> None:
    with OpenAITestServer(models=["only"]) as server:
        info = describe_server(server.url)
    assert (info.kind, info.names, info.models[0].context_window) == ("openai-compatible", ["only"], None)


def test_ollama_without_num_ctx_runs_at_its_default_context() -> None:
    with OpenAITestServer(models=["qwen2.5:3b"], flavour="ollama", context=None) as server:
        info = describe_server(server.url)
    assert info.models[0].context_window == 4096  # not the 32,768 the model was trained for
    assert info.models[0].parameters == pytest.approx(3.1)


def test_nothing_listening_is_found_quickly_and_is_nothing() -> None:
    known = (("ollama", closed_port()), ("llama.cpp", closed_port()))
    assert discovery.detect(known) == []
    assert discovery.listening([p for _, p in known]) == set()


def test_something_else_on_the_port_is_not_taken_for_a_server() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert discovery.listening([port]) == {port}
        assert discovery.detect((("ollama", port),)) == []  # it accepts, but never answers HTTP


def test_a_server_with_no_models_is_not_used() -> None:
    with OpenAITestServer(models=[]) as server:
        assert discovery.detect((("ollama", server.port),)) == []


def test_detected_server_becomes_the_model_with_its_context(
    server_on_usual_port: OpenAITestServer, detection_on: None, store: Store
) -> None:
    model = create_model(load_settings())
    assert isinstance(model, OpenAIModel)
    assert model.source == "detected"
    assert model.backend == "llama.cpp"
    assert model.name == "detected-model"
    assert model.context_window == 6144
    assert model.base_url == f"http://127.0.0.1:{server_on_usual_port.port}/v1"
    # The turn's budget is the server's context less the room kept for the reply.
    settings = load_settings()
    companion = Companion(settings, store, model)
    server_on_usual_port.enqueue(Reply.text("Found you."))
    result = companion.turn(companion.new_conversation(), "Hello?").run()
    assert result.answer == "Found you." and result.model == "detected-model"
    assert result.context is not None and result.context.budget == 6144 - settings.max_reply_tokens


def test_a_configured_backend_is_never_second_guessed(
    server_on_usual_port: OpenAITestServer, detection_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMANTHA_BACKEND", "embedded")
    assert isinstance(create_model(load_settings()), EmbeddedModel)
    monkeypatch.setenv("SAMANTHA_BACKEND", "auto")
    monkeypatch.setenv("SAMANTHA_MODEL_PATH", str(Path(__file__)))  # a configured file: no probe at all
    assert not load_settings().looks_for_servers
    monkeypatch.delenv("SAMANTHA_MODEL_PATH")
    monkeypatch.setenv("SAMANTHA_DETECT", "false")
    assert isinstance(create_model(load_settings()), EmbeddedModel)
    assert not server_on_usual_port.requests


def test_ask_json_is_answered_by_the_detected_server_and_names_its_model(
    server_on_usual_port: OpenAITestServer, detection_on: None
) -> None:
    server_on_usual_port.enqueue(Reply.text("Hi, I was found on loopback."))
    ran = run_samantha("ask", "--json", "hi", env={"SAMANTHA_TIMEOUT": "10"}, timeout=180)
    assert ran.code == 0, ran.stderr
    payload = json.loads(ran.stdout)
    assert payload["answer"] == "Hi, I was found on loopback."
    assert payload["model"] == "detected-model"
    assert payload["backend"] == "llama.cpp"
    assert server_on_usual_port.chat_requests[0].json["model"] == "detected-model"


def test_models_json_lists_the_detected_server_with_its_announced_context(
    server_on_usual_port: OpenAITestServer, detection_on: None
) -> None:
    ran = run_samantha("models", "--json", timeout=180)
    assert ran.code == 0, ran.stderr
    listed = json.loads(ran.stdout)
    assert set(listed[0]) == {"backend", "base_url", "model", "context_window", "source", "active"}
    built_in = [e for e in listed if e["source"] == "built-in"]
    detected = [e for e in listed if e["source"] == "detected"]
    assert built_in and not built_in[0]["active"]
    assert detected == [
        {
            "backend": "llama.cpp",
            "base_url": server_on_usual_port.url,
            "model": "detected-model",
            "context_window": 6144,
            "source": "detected",
            "active": True,
        }
    ]


def test_models_json_with_nothing_configured_or_running_is_the_built_in_model() -> None:
    ran = run_samantha("models", "--json", timeout=180)
    assert ran.code == 0, ran.stderr
    [entry] = json.loads(ran.stdout)
    assert entry["source"] == "built-in" and entry["active"] and entry["backend"] == "embedded"
    assert entry["context_window"] == 4096 and entry["base_url"] is None


def test_models_json_lists_a_configured_endpoints_models_with_the_context_it_announces() -> None:
    with OpenAITestServer(models=["big", "small"], flavour="vllm", context=8192) as server:
        ran = run_samantha(
            "models", "--json", env={"SAMANTHA_BASE_URL": server.url, "SAMANTHA_MODEL": "small"}
        )
    assert ran.code == 0, ran.stderr
    configured = [e for e in json.loads(ran.stdout) if e["source"] == "configured"]
    assert [(e["model"], e["context_window"], e["active"], e["backend"]) for e in configured] == [
        ("big", 8192, False, "vllm"),
        ("small", 8192, True, "vllm"),
    ]


def test_context_window_setting_overrides_what_the_server_says(monkeypatch: pytest.MonkeyPatch) -> None:
    with OpenAITestServer(models=["m"], flavour="llama.cpp", context=4096) as server:
        monkeypatch.setenv("SAMANTHA_BASE_URL", server.url)
        assert create_model(load_settings()).context_window == 4096
        monkeypatch.setenv("SAMANTHA_CONTEXT_WINDOW", "2048")
        assert create_model(load_settings()).context_window == 2048


@pytest.mark.parametrize(
    ("name", "billions"),
    [
        ("qwen2.5:0.5b", 0.5),
        ("Qwen2.5-1.5B-Instruct-Q4_K_M.gguf", 1.5),
        ("SmolLM2-135M-Instruct.Q4_1", 0.135),
        ("llama3.2:3b", 3.0),
        ("EXAONE-3.5-2.4B-Instruct", 2.4),
        ("gpt-4o-mini", None),
    ],
)
def test_parameters_are_read_from_model_names(name: str, billions: float | None) -> None:
    assert parameters_from_name(name) == (pytest.approx(billions) if billions else None)
