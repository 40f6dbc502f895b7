"""The size class replies are shaped by, and switching a Companion's model between turns."""

from __future__ import annotations

import pytest
from support.openai_server import OpenAITestServer

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm.catalog import available, model_for
from samantha.llm.embedded import EmbeddedModel
from samantha.llm.openai_backend import OpenAIModel
from samantha.llm.scripted import ScriptedModel
from samantha.llm.size import size_class


def test_the_built_in_model_is_small_and_a_1_5b_file_is_large(tmp_path) -> None:
    assert size_class(EmbeddedModel()) == "small"
    bigger = tmp_path / "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf"
    bigger.write_bytes(b"GGUF" + bytes(16))
    assert size_class(EmbeddedModel(bigger)) == "large"
    tiny = tmp_path / "qwen2.5-0.5b-instruct-q4_k_m.gguf"
    tiny.write_bytes(b"GGUF" + bytes(16))
    assert size_class(EmbeddedModel(tiny)) == "small"


def test_an_endpoint_is_sized_by_what_its_server_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    with OpenAITestServer(models=["family-model"], flavour="ollama", context=4096) as server:
        monkeypatch.setenv("SAMANTHA_BASE_URL", server.url)
        monkeypatch.setenv("SAMANTHA_MODEL", "family-model")
        assert size_class(OpenAIModel(load_settings())) == "large"  # Ollama says 3.1B
    assert size_class(ScriptedModel()) == "large"  # nobody says: taken to be large
    assert size_class(ScriptedModel(parameters=0.135)) == "small"


def test_a_companion_switches_model_between_turns(
    companion: Companion, scripted_model: ScriptedModel
) -> None:
    conversation = companion.new_conversation()
    scripted_model.enqueue("From the first.")
    first = companion.turn(conversation, "one").run()
    other = ScriptedModel("From the second.", name="other-model")
    companion.use_model(other)
    second = companion.turn(conversation, "two").run()
    assert (first.model, second.model) == ("scripted", "other-model")
    assert [m.model for m in companion.store.recent_messages(conversation) if m.role == "assistant"] == [
        "scripted",
        "other-model",
    ]


def test_every_listed_model_can_be_built_for_a_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    with OpenAITestServer(models=["alpha", "beta"], flavour="vllm", context=2048) as server:
        monkeypatch.setenv("SAMANTHA_BASE_URL", server.url)
        settings = load_settings()
        entries = available(settings)
        built = {e.model: model_for(e, settings) for e in entries}
        assert isinstance(built["alpha"], OpenAIModel) and built["beta"].name == "beta"
        assert built["beta"].context_window == 2048 and built["beta"].backend == "vllm"
    [bundled] = [m for m in built.values() if isinstance(m, EmbeddedModel)]
    assert bundled.small_model_notice  # the built-in model, not a copy of it
