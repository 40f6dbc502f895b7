"""Memories that stay home: a `local` memory never appears in a request to a remote endpoint, and
`samantha ask --dry-run --json` shows exactly the context that is then sent.

The endpoint is the tests' own OpenAI-compatible server on loopback; `SAMANTHA_ENDPOINT_IS_REMOTE=true`
makes Samantha treat it as remote, so the test proves what a remote server would receive.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.fixtures import endpoint_env, run_samantha
from support.openai_server import OpenAITestServer

from samantha import memories
from samantha.config import load_settings
from samantha.llm.endpoints import is_remote
from samantha.runtime import build_companion
from samantha.store import Store

LOCAL_FACT = "I take insulin for my diabetes."
EVERYWHERE_FACT = "The user's name is Theo."
LOCAL_SAID = "I love orchids and I grow them on my balcony."
QUESTION = "Tell me something about orchids and my diabetes."


@pytest.fixture
def remembered(samantha_home: Path) -> dict[str, str]:
    """A local memory added by hand, one scoped everywhere, and a local memory from an earlier message."""
    store = Store.open(samantha_home / "samantha.db")
    local = memories.add_memory(store, LOCAL_FACT, local=True)
    everywhere = memories.add_memory(store, EVERYWHERE_FACT)
    earlier = store.create_conversation("plants")
    said = store.add_message(earlier.id, "user", LOCAL_SAID)
    (from_message,) = memories.remember_from_message(store, said)
    memories.set_scope(store, from_message.id, "local")
    store.close()
    return {"local": local.content, "everywhere": everywhere.content, "said": LOCAL_SAID}


def request_text(server: OpenAITestServer) -> str:
    return "\n".join(r.body.decode("utf-8") for r in server.requests)


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("http://127.0.0.1:8080/v1", False),
        ("http://localhost:11434/v1", False),
        ("http://[::1]:8000/v1", False),
        ("http://127.9.9.9/v1", False),
        ("https://api.openai.com/v1", True),
        ("http://192.168.1.20:11434/v1", True),
        ("http://10.0.0.5/v1", True),
        ("http://my-gpu-box:8000/v1", True),
        (None, True),
    ],
)
def test_only_loopback_is_local(url, remote):
    assert is_remote(url) is remote


def test_a_local_memory_never_reaches_a_remote_endpoint_and_the_dry_run_shows_what_is_sent(
    openai_server: OpenAITestServer, remembered
):
    env = endpoint_env(openai_server, SAMANTHA_ENDPOINT_IS_REMOTE="true", SAMANTHA_MODEL="test-model")
    dry = run_samantha("ask", "--dry-run", "--json", QUESTION, env=env)
    assert dry.code == 0, dry.stderr
    shown = json.loads(dry.stdout)
    assert shown["dry_run"] is True and shown["leaves_machine"] is True
    # Nothing of the conversation was sent (the server was only asked which models it has, and their
    # context, so the dry run fits the same budget as the turn)...
    assert openai_server.chat_requests == []
    assert json.loads(run_samantha("memory", "stats", "--json").stdout)["conversations"] == 1  # ...nor saved
    assert {kept["text"] for kept in shown["kept_home"]} == {LOCAL_FACT, "The user loves orchids."}

    sent = run_samantha("ask", "--json", QUESTION, env=env)
    assert sent.code == 0, sent.stderr
    request = openai_server.chat_requests[0]  # the turn (the next one, if any, is fact extraction)
    assert request.json["messages"] == shown["messages"]  # exactly what the dry run showed
    body = request_text(openai_server)
    assert EVERYWHERE_FACT in body
    for private in (LOCAL_FACT, "The user loves orchids.", LOCAL_SAID, "balcony"):
        assert private not in body


def test_on_loopback_local_memories_are_used(openai_server: OpenAITestServer, remembered):
    """The same setup with the endpoint taken for what it is (loopback): the local memories go to it."""
    env = endpoint_env(openai_server, SAMANTHA_MODEL="test-model")
    sent = run_samantha("ask", "--json", QUESTION, env=env)
    assert sent.code == 0, sent.stderr
    body = request_text(openai_server)
    assert LOCAL_FACT in body and "The user loves orchids." in body


@pytest.mark.parametrize(
    ("policy", "present", "absent"),
    [
        ("everywhere-only", [EVERYWHERE_FACT], [LOCAL_FACT, LOCAL_SAID]),
        ("none", [], [EVERYWHERE_FACT, LOCAL_FACT, LOCAL_SAID]),
        ("all", [EVERYWHERE_FACT, LOCAL_FACT], []),
    ],
)
def test_remote_memory_setting_for_the_whole_store(
    openai_server: OpenAITestServer, remembered, monkeypatch, samantha_home, policy, present, absent
):
    for name, value in endpoint_env(openai_server, SAMANTHA_MODEL="test-model").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SAMANTHA_ENDPOINT_IS_REMOTE", "true")
    monkeypatch.setenv("SAMANTHA_REMOTE_MEMORY", policy)
    companion = build_companion(load_settings())
    conversation = companion.new_conversation()
    companion.turn(conversation, QUESTION).run()
    body = request_text(openai_server)
    for text in present:
        assert text in body
    for text in absent:
        assert text not in body
    companion.store.close()


def test_dry_run_in_text_says_where_it_goes(openai_server: OpenAITestServer, remembered):
    env = endpoint_env(openai_server, SAMANTHA_ENDPOINT_IS_REMOTE="true", SAMANTHA_MODEL="test-model")
    shown = run_samantha("ask", "--dry-run", QUESTION, env=env)
    assert shown.code == 0, shown.stderr
    assert "remote endpoint" in shown.stdout and "kept home" in shown.stdout
    assert EVERYWHERE_FACT in shown.stdout
    assert openai_server.chat_requests == []  # asked only which models it has, nothing of the conversation


def test_the_plan_says_what_left_the_machine(settings, store, scripted_model):
    """What the app's context inspector shows: a remote model's plan names the local memories kept home."""
    from samantha.companion import Companion
    from samantha.recall import Recall

    memories.add_memory(store, LOCAL_FACT, local=True)
    memories.add_memory(store, EVERYWHERE_FACT)
    remote = Companion(settings, store, scripted_model, recall=Recall(store, remote=True))
    plan = remote.turn(remote.new_conversation(), QUESTION).run().context
    assert plan.leaves_machine and plan.kept_home == [LOCAL_FACT]
    assert LOCAL_FACT not in json.dumps(scripted_model.history)
    here = Companion(settings, store, scripted_model, recall=Recall(store))
    plan = here.turn(here.new_conversation(), QUESTION).run().context
    assert not plan.leaves_machine and plan.kept_home == []
    assert LOCAL_FACT in json.dumps(scripted_model.history[-1], ensure_ascii=False)
