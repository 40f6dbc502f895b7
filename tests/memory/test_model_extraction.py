"""A model that helps remember: the tests' OpenAI-compatible server plays a capable model that returns the
facts as JSON (and, in another run, invalid output). Facts are stored with their source message and merged
by the superseding rule; invalid output loses nothing (the patterns' facts stay) and is logged."""

from __future__ import annotations

import json
import logging

import pytest
from support.fixtures import endpoint_env
from support.openai_server import OpenAITestServer, Reply

from samantha import memories
from samantha.config import load_settings
from samantha.extraction import ModelExtractor, extractor_for, parse
from samantha.llm.scripted import ScriptedModel
from samantha.runtime import build_companion

SAID = (
    "I live in Busan. These days I'm a nurse at Haeundae Paik Hospital and my girlfriend Jiwoo adopted a cat."
)
FACTS = {
    "facts": [
        {"text": "The user is a nurse at Haeundae Paik Hospital.", "about": "job"},
        {"text": "The user's girlfriend is Jiwoo.", "about": "partner"},
        {"text": "The user and their girlfriend have a cat", "about": "other"},
        {"text": "The user lives in Busan.", "about": "home"},
    ]
}


@pytest.fixture
def endpoint(openai_server: OpenAITestServer, monkeypatch) -> OpenAITestServer:
    for name, value in endpoint_env(
        openai_server, SAMANTHA_MODEL="test-model", SAMANTHA_MEMORY_EXTRACTION="auto"
    ).items():
        monkeypatch.setenv(name, value)
    return openai_server


def one_turn(text: str):
    companion = build_companion(load_settings())
    conversation = companion.new_conversation()
    return companion, companion.turn(conversation, text).run()


def test_a_capable_model_adds_facts_with_their_source(endpoint: OpenAITestServer):
    endpoint.enqueue(Reply.text("How lovely."), Reply.text(json.dumps(FACTS)))
    companion, result = one_turn(SAID)
    chat, extraction = endpoint.chat_requests
    assert chat.json["stream"] is True
    assert extraction.json["response_format"] == {"type": "json_object"}  # the server's JSON mode
    assert extraction.json["messages"][-1] == {"role": "user", "content": SAID}  # the user's words only
    assert "How lovely" not in extraction.body.decode()

    stored = {m.content: m for m in companion.store.list_memories()}
    assert set(stored) == {
        "The user lives in Busan.",  # the patterns found it first; the model's copy is not added twice
        "The user's girlfriend Jiwoo adopted a cat.",  # the patterns' own
        "The user is a nurse at Haeundae Paik Hospital.",
        "The user's girlfriend is Jiwoo.",
        "The user and their girlfriend have a cat.",
    }
    assert stored["The user lives in Busan."].source == "pattern"
    model_made = [m for m in stored.values() if m.source == "model"]
    assert len(model_made) == 3
    assert all(m.message_id == result.user_message.id for m in stored.values())
    assert stored["The user's girlfriend is Jiwoo."].slot == "partner"
    companion.store.close()


def test_model_facts_supersede_by_the_same_rule(endpoint: OpenAITestServer):
    endpoint.enqueue(Reply.text("Noted."), Reply.text('{"facts": []}'))
    companion = build_companion(load_settings())
    conversation = companion.new_conversation()
    companion.turn(conversation, "My girlfriend's name is Mina.").run()
    moved = {"facts": [{"text": "The user's girlfriend is Jiwoo.", "about": "partner"}]}
    endpoint.enqueue(Reply.text("Oh!"), Reply.text(f"```json\n{json.dumps(moved)}\n```"))
    companion.turn(conversation, "Mina and I broke up; I'm seeing Jiwoo now.").run()
    (partner,) = memories.current_facts(companion.store, slot="partner")
    assert partner.content == "The user's girlfriend is Jiwoo."
    (line,) = [companion.store.memory_line(partner.id)]
    assert [m.content for m in line] == ["The user's girlfriend's name is Mina.", partner.content]
    assert line[0].status == "superseded" and line[0].superseded_by == partner.id
    companion.store.close()


@pytest.mark.parametrize(
    "invalid",
    [
        "Sure! The user's name is Theo and he lives in Busan.",
        '{"facts": [{"text": "The user is Theo."',
        '{"facts": [{"about": "name"}]}',
        '{"facts": "Theo"}',
        "",
        "Sure \x1b[31mred\x1b[0m and \x9b2J",
    ],
)
def test_invalid_output_loses_nothing_and_is_logged(endpoint: OpenAITestServer, caplog, invalid):
    endpoint.enqueue(Reply.text("Hi Theo."), Reply.text(invalid))
    with caplog.at_level(logging.WARNING, logger="samantha.extraction"):
        companion, result = one_turn("My name is Theo. I live in Busan.")
    assert len(endpoint.chat_requests) == 2
    stored = {m.content: m for m in companion.store.list_memories()}
    assert set(stored) == {"The user's name is Theo.", "The user lives in Busan."}
    assert all(m.message_id == result.user_message.id for m in stored.values())
    assert "invalid output" in caplog.text and "patterns' facts are kept" in caplog.text
    assert "\x1b" not in caplog.text and "\x9b" not in caplog.text  # logged escaped, never raw
    assert result.status == "complete" and result.answer == "Hi Theo."
    companion.store.close()


def test_a_failing_extraction_costs_nothing_but_itself(endpoint: OpenAITestServer, caplog):
    endpoint.enqueue(
        Reply.text("Hi Theo."), Reply.error(400), Reply.error(500), Reply.error(500), Reply.error(500)
    )
    with caplog.at_level(logging.WARNING, logger="samantha.extraction"):
        companion, _ = one_turn("My name is Theo.")
    assert [m.content for m in companion.store.list_memories()] == ["The user's name is Theo."]
    assert "failed" in caplog.text
    companion.store.close()


def test_one_setting_turns_it_off(endpoint: OpenAITestServer, monkeypatch):
    monkeypatch.setenv("SAMANTHA_MEMORY_EXTRACTION", "off")
    endpoint.enqueue(Reply.text("Hi."))
    companion, _ = one_turn("My name is Theo.")
    assert len(endpoint.chat_requests) == 1
    companion.store.close()


def test_off_by_default_for_the_built_in_model_and_on_when_asked():
    settings = load_settings()
    assert extractor_for(ScriptedModel(), settings) is None
    assert isinstance(extractor_for(ScriptedModel(), load_settings(memory_extraction="on")), ModelExtractor)


def test_a_model_without_json_mode_is_read_from_its_plain_reply():
    model = ScriptedModel(json.dumps({"facts": [{"text": "사용자는 서울에 산다", "about": "home"}]}))
    (fact,) = ModelExtractor(model).facts("나 서울로 이사했어")
    assert (fact.kind, fact.slot, fact.content) == ("home", "home", "사용자는 서울에 산다.")


def test_parse_refuses_what_the_schema_does_not_allow():
    with pytest.raises(ValueError):
        parse('{"facts": [{"text": "x" , "about": "home"}]}')  # too short
    with pytest.raises(ValueError):
        parse('{"facts": [{"text": "The user is Theo.", "about": "zodiac"}]}')
    assert parse('{"facts": []}') == []
