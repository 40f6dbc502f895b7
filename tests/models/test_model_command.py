"""`/model` in the plain chat (the app's: tests/tui/test_model_switch.py): with no name it lists the
models there are; with a name it switches the conversation's model without a restart; an unknown name is
one sentence."""

from __future__ import annotations

import pytest
from support.openai_server import OpenAITestServer, Reply

from samantha.cli.plain import PlainChat
from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm.embedded import EmbeddedModel
from samantha.llm.openai_backend import OpenAIModel
from samantha.llm.scripted import ScriptedModel
from samantha.tui.services import ChatService


def chat_with(settings, companion, *lines: str) -> tuple[PlainChat, str]:
    """The plain chat given `lines`, and all it printed."""
    out: list[str] = []
    pending = list(lines)
    chat = PlainChat(
        ChatService(settings, companion=companion),
        incognito=False,
        echo=lambda text="", nl=True: out.append(text + ("\n" if nl else "")),
    )
    reader = type("Lines", (), {"read": lambda self, typed_ahead="": pending.pop(0) if pending else None})
    chat.run(reader())
    return chat, "".join(out)


def test_model_lists_refuses_an_unknown_name_and_switches_to_the_built_in(settings, store) -> None:
    scripted = ScriptedModel("From the scripted model.")
    companion = Companion(settings, store, scripted)
    chat, shown = chat_with(settings, companion, "hello", "/model", "/model no-such-model", "/model built-in")
    assert "samantha> From the scripted model." in shown
    listing = shown.split("Backend: scripted", 1)[1]
    assert "Now: scripted" in listing and "(embedded, built-in)" in listing
    assert "/model NAME switches" in listing
    [refusal] = [line for line in shown.splitlines() if "no-such-model" in line]
    assert refusal.startswith("Error: There is no model called 'no-such-model' here; the models are: ")
    assert refusal.count(". ") == 0 and refusal.endswith(".")
    assert "Switched to" in shown.splitlines()[-1]
    # Switched, not loaded: the built-in model loads on its first reply.
    assert isinstance(chat.service.companion.model, EmbeddedModel)  # type: ignore[union-attr]
    assert chat.conversation_id is not None  # the same conversation goes on
    assert scripted.history and len(scripted.history) == 1


def test_model_switches_between_an_endpoints_models_for_the_next_reply(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OpenAITestServer(models=["alpha", "beta"], flavour="vllm", context=4096) as server:
        monkeypatch.setenv("SAMANTHA_BASE_URL", server.url)
        monkeypatch.setenv("SAMANTHA_MODEL", "alpha")
        settings = load_settings()
        companion = Companion(settings, store, OpenAIModel(settings))
        server.enqueue(Reply.text("Alpha here."), Reply.text("Beta here."))
        chat, shown = chat_with(settings, companion, "one", "/model", "/model beta", "two")
        assert "samantha> Alpha here." in shown and "samantha> Beta here." in shown
        listing = shown.split("Now: alpha", 1)[1]
        assert "* alpha  (vllm, configured)" in listing and "  beta  (vllm, configured)" in listing
        assert "Switched to beta (vllm)" in shown
        assert [r.json["model"] for r in server.chat_requests] == ["alpha", "beta"]
    assert chat.conversation_id is not None
    replies = [m for m in store.recent_messages(chat.conversation_id) if m.role == "assistant"]
    assert [(m.content, m.model) for m in replies] == [("Alpha here.", "alpha"), ("Beta here.", "beta")]


def test_a_cut_reply_says_so_and_continue_goes_on(settings, store) -> None:
    from samantha.llm.scripted import Cut

    scripted = ScriptedModel(Cut("Sometimes we need to give up. But"), "not everything.", "Fine.")
    companion = Companion(settings, store, scripted)
    chat, shown = chat_with(settings, companion, "Tell me", "/continue", "/continue")
    limit = settings.max_reply_tokens
    assert f"[cut at the {limit}-token reply limit; /continue goes on]" in shown
    assert "samantha> not everything." in shown
    assert shown.rstrip().endswith("The last reply was not cut, so there is nothing to continue.")
    assert scripted.history[-1][-1] == {"role": "user", "content": "continue"}
    assert scripted.history[-1][-2]["content"].startswith("Sometimes we need to give up")
    stored = [(m.role, m.status) for m in store.recent_messages(chat.conversation_id)]
    assert stored == [
        ("user", "complete"),
        ("assistant", "cut"),
        ("user", "complete"),
        ("assistant", "complete"),
    ]
