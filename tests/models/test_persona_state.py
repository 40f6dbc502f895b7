"""The persona's reading kept between runs: found again for the same persona and model, never for another,
and a restored reading changes no reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.llm import persona_state


class FakeLlama:
    n_batch = 512

    def __init__(self, n_ctx: int = 4096) -> None:
        self._n_ctx = n_ctx

    def n_ctx(self) -> int:
        return self._n_ctx


def test_the_state_file_is_named_by_persona_model_and_context(samantha_home: Path, tmp_path: Path) -> None:
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + b"\0" * 16)
    first = persona_state.path_for(weights, FakeLlama(), "You are Samantha.")
    assert first == persona_state.path_for(weights, FakeLlama(), "You are Samantha.")
    assert first.parent == samantha_home / "cache"
    others = {
        persona_state.path_for(weights, FakeLlama(), "You are Samantha!"),
        persona_state.path_for(weights, FakeLlama(n_ctx=2048), "You are Samantha."),
    }
    weights.write_bytes(b"GGUF" + b"\1" * 32)  # other weights in the same file
    others.add(persona_state.path_for(weights, FakeLlama(), "You are Samantha."))
    assert first not in others and len(others) == 3


@pytest.mark.slow
def test_a_restored_persona_gives_the_same_reply_and_a_broken_file_is_ignored(samantha_home: Path) -> None:
    from samantha.conversation.shape import compact_persona
    from samantha.llm.embedded import EmbeddedModel

    persona = compact_persona("samantha")
    messages = [
        {"role": "system", "content": persona},
        {"role": "user", "content": "Hi, how are you today?"},
    ]

    def reply(model: EmbeddedModel) -> str:
        return "".join(model.stream(messages, max_tokens=24, temperature=0.0))  # type: ignore[arg-type]

    cold = reply(EmbeddedModel())
    reader = EmbeddedModel()
    reader.warm_up(persona)  # reads the persona and saves what it made of it
    persona_tokens = reader.llama.n_tokens
    saved = list((samantha_home / "cache").glob("persona-*"))
    assert len(saved) == 1
    assert reply(reader) == cold

    restored = EmbeddedModel()
    assert persona_state.restore(restored.llama, saved[0])
    assert restored.llama.n_tokens == persona_tokens > 0
    assert reply(restored) == cold

    saved[0].write_bytes(b"not a llama.cpp state")
    broken = EmbeddedModel()
    assert not persona_state.restore(broken.llama, saved[0])
    broken.warm_up(persona)  # reads it again and saves a good file over the broken one
    assert reply(broken) == cold
    assert persona_state.restore(EmbeddedModel().llama, saved[0])
