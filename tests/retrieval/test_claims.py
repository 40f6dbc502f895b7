"""Claim-level checking: facts read from the reviews at index time, and answers checked claim by claim.

The endpoint tests replay invented answers through the project's OpenAI-compatible test server with the
real `openai` client, the real retriever and a real database: every invented answer must come back
`supported: false` with the offending claim marked; answers that say what the reviews say stay supported.
"""

from __future__ import annotations

import json

import pytest
from support.fixtures import endpoint_env, openai_server, run_samantha  # noqa: F401
from support.openai_server import OpenAITestServer, Reply

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm import create_model
from samantha.retrieval.hybrid import HybridRetriever
from samantha.store import Store


def facts(retriever: HybridRetriever, kind: str) -> set[tuple[str, str]]:
    return {(f.subject, f.value) for f in retriever.corpus().facts if f.kind == kind}


def test_facts_are_read_from_the_reviews_with_their_passages(retriever: HybridRetriever):
    assert ("Spike Jonze", "") in facts(retriever, "director")
    cast = facts(retriever, "cast")
    assert {("Scarlett Johansson", "Samantha"), ("Joaquin Phoenix", "Theodore"), ("Rooney Mara", "Catherine"),
            ("Amy Adams", "Amy"), ("Olivia Wilde", "Amelia"),
            ("Joaquin Phoenix", "John")} <= cast  # fmt: skip
    assert {v for _, v in facts(retriever, "minutes")} == {"123", "125"}  # the reviews disagree: both kept
    assert {"8316", "641", "600"} <= {v for _, v in facts(retriever, "count")}
    assert ("approx", "600") in facts(retriever, "count")  # "600여 명"
    assert ("", "2014-05-22") in facts(retriever, "date") and ("", "2013") in facts(retriever, "year")
    assert ("", "Los Angeles") in facts(retriever, "place")
    passages = {p.id: p.text for p in retriever.corpus().passages}
    for fact in retriever.corpus().facts:
        assert fact.evidence in passages[fact.passage], fact


#: (question, an invented answer, the claim that must be marked, its status)
INVENTED = [
    ("Who directed the film Her?", "The movie Her by Spike Jonze, directed by Amy Adams, is remembered for "
     "Keanu Reeves in The Matrix trilogy.", "directed by Amy Adams", "contradicted"),
    ("Who directed the film Her?", "Scarlett Johansson directed it.", "Scarlett Johansson directed",
     "contradicted"),
    ("Who directed the film Her?", "Her was directed by Christopher Nolan.", "Christopher Nolan",
     "unsupported"),
    ("Who voices Samantha?", "Samantha is voiced by Amy Adams.", "voiced by Amy Adams", "contradicted"),
    ("Which actor plays Theodore?", "Theodore is played by Rooney Mara.", "Rooney Mara", "contradicted"),
    ("Which actor plays Theodore?", "Spike Jonze plays Theodore.", "Spike Jonze plays", "contradicted"),
    ("How long is the movie?", "The film runs 150 minutes.", "150 minutes", "contradicted"),
    ("How long is the movie?", "It is a short film of 98 minutes.", "98 minutes", "contradicted"),
    ("Who directed the film Her?", "Spike Jonze directed it. The score was composed by Hans Zimmer.",
     "Hans Zimmer", "unsupported"),
    ("How many people is Samantha talking to at the same time?", "She talks to 9,000 people at once.",
     "9,000 people", "contradicted"),
    ("When did Her come out in Korea?", "It was released in Korea on June 5, 2015.", "June 5, 2015",
     "contradicted"),
    ("Which city is the film set in?", "The film is set in New York.", "New York", "contradicted"),
    ("영화 her 감독이 누구야?", "에이미 아담스가 감독했어요.", "에이미 아담스가 감독", "contradicted"),
    ("영화 her 감독이 누구야?", "감독은 봉준호입니다.", "봉준호", "unsupported"),
    ("영화 her 감독이 누구야?", "스파이크 존즈 is a Chinese AI researcher.", "Chinese", "unsupported"),
    ("허 러닝타임이 몇 분이에요?", "러닝타임은 140분이에요.", "140분", "contradicted"),
]  # fmt: skip

#: (question, an answer that says what the reviews say)
CORRECT = [
    ("Who directed the film Her?", "Spike Jonze directed Her [1]."),
    ("Who directed the film Her?", "Her was directed by Spike Jonze, and it stars Joaquin Phoenix [1]."),
    ("Who voices Samantha?", "Samantha is voiced by Scarlett Johansson [1]."),
    ("Which actor plays Theodore?", "Joaquin Phoenix plays Theodore [1]."),
    ("Who plays Amy?", "Amy Adams plays Amy, Theodore's old friend [1]."),
    ("Who plays Catherine?", "Rooney Mara plays Catherine, his ex-wife [1]."),
    ("Who does Theodore go on a blind date with?", "He goes on a blind date with Amelia (Olivia Wilde) [1]."),
    ("How long is the movie?", "One review gives 123 minutes and another 125 minutes [1]."),
    ("How many people is Samantha talking to at the same time?",
     "She is talking to 8,316 people at the same time and is in love with 641 of them [1]."),
    ("How many people is Samantha talking to at the same time?", "One review says about 600 people [1]."),
    ("When did Her come out in Korea?", "It came out in Korea on May 22, 2014 [1]."),
    ("What year was the film made?", "It is a 2013 film [1]."),
    ("Which city is the film set in?", "The story is set in Los Angeles [1]."),
    ("What does Theodore do for a living?", "Theodore writes letters for other people [1]."),
    ("What is the operating system Theodore buys called?", "He buys OS1, an AI operating system [1]."),
    ("Why does Theodore get jealous?", "He learns Samantha talks with 8316 people and loves 641 [1]."),
    ("영화 her 감독이 누구야?", "스파이크 존즈 감독이 연출했어요 [1]."),
    ("사만다 목소리는 누가 연기했어?", "사만다 목소리는 스칼렛 요한슨이 연기했어요 [1]."),
    ("허 러닝타임이 몇 분이에요?", "리뷰에 따라 123분 또는 125분이에요 [1]."),
    ("Who directed the film Her?", "What a lovely question. Spike Jonze made it, with Scarlett Johansson as "
     "the voice of Samantha [1]."),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "marked", "status"), [(a, m, s) for _, a, m, s in INVENTED])
def test_the_checker_marks_invented_claims(retriever: HybridRetriever, answer: str, marked: str, status: str):
    passages = retriever.search("Her director cast running time", 5)
    claims = retriever.check_claims(answer, passages)
    flagged = [c for c in claims if c.status != "supported"]
    assert any(marked in c.text and c.status == status for c in flagged), claims
    assert all(c.reason for c in flagged)


def companion_over(server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch, store: Store, retriever):  # type: ignore[no-untyped-def]
    for name, value in endpoint_env(server, SAMANTHA_MODEL="test-model").items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    return Companion(settings, store, create_model(settings), retriever=retriever)


def test_invented_answers_through_an_endpoint_are_never_supported(
    openai_server: OpenAITestServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    retriever: HybridRetriever,
):
    companion = companion_over(openai_server, monkeypatch, store, retriever)
    for question, answer, marked, status in INVENTED:
        openai_server.queue.clear()
        openai_server.enqueue(Reply.text(answer))
        result = companion.turn(companion.new_conversation(), question).run()
        assert result.model == "test-model", question  # the endpoint wrote it
        assert result.supported is False, (question, answer)
        assert any(marked in c.text and c.status == status for c in result.claims), result.claims
        assert "⚠" in result.answer and marked in result.answer.split("⚠", 1)[1]  # marked in the reply
        assert result.reply is not None and result.reply.meta["supported"] is False
        assert result.reply.meta["claims"] == [c.as_dict() for c in result.claims]


def test_right_answers_through_an_endpoint_stay_supported(
    openai_server: OpenAITestServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    retriever: HybridRetriever,
):
    companion = companion_over(openai_server, monkeypatch, store, retriever)
    supported = []
    for question, answer in CORRECT:
        openai_server.queue.clear()
        openai_server.enqueue(Reply.text(answer))
        result = companion.turn(companion.new_conversation(), question).run()
        assert result.model == "test-model", question
        supported.append(result.supported)
        if not result.supported:
            print("not supported:", question, answer, result.claims, result.citations)
    assert sum(supported) / len(supported) >= 0.95


def test_the_built_in_models_composed_answers_pass_their_own_check(retriever: HybridRetriever):
    for question in ["Who directed the film Her?", "How long is the movie?", "What is the film about?",
                     "How does the movie end?", "사만다는 동시에 몇 명이랑 대화하고 있었어?"]:  # fmt: skip
        passages = retriever.passages_for_turn(question)
        grounding = retriever.ground(question, passages)
        shown = [passages[n - 1] for n in grounding.order]
        claims = retriever.check_claims(grounding.text(), shown)
        assert all(c.status == "supported" for c in claims), (question, claims)


@pytest.mark.slow
def test_ask_json_lists_the_claims(openai_server: OpenAITestServer, indexed_home):  # type: ignore[no-untyped-def]  # noqa: F811
    openai_server.enqueue(Reply.text("Scarlett Johansson directed it [1]."))
    env = endpoint_env(openai_server, SAMANTHA_MODEL="test-model")
    result = run_samantha("ask", "--json", "Who directed the film Her?", env=env, timeout=240)
    assert result.code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["supported"] is False
    claim = next(c for c in payload["claims"] if c["status"] == "contradicted")
    assert claim["text"].startswith("Scarlett Johansson directed it") and claim["citations"] == []
    assert all({"n", "source", "title", "text", "text_en"} <= set(c) for c in payload["citations"])


def test_a_users_korean_file_is_translated_by_a_capable_model_and_labelled(
    openai_server: OpenAITestServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    own_index,  # type: ignore[no-untyped-def]
    tmp_path,  # type: ignore[no-untyped-def]
):
    from samantha.retrieval.translate import ModelTranslator

    for name, value in endpoint_env(openai_server, SAMANTHA_MODEL="test-model").items():
        monkeypatch.setenv(name, value)
    note = tmp_path / "my-notes.md"
    note.write_text(
        "# 내 감상\n\n테오도르는 빨간 셔츠를 자주 입는다. 나는 그 색이 좋았다.\n", encoding="utf-8"
    )
    openai_server.enqueue(Reply.text("1. Theodore often wears a red shirt.\n2. I liked that colour."))
    translator = ModelTranslator(create_model(load_settings()))
    info, changed = own_index.add_file(note, translator=translator)
    assert changed and info.origin == "user"
    row = own_index.query("SELECT translated_by FROM documents WHERE source = 'my-notes.md'")[0]
    assert row[0] == "test-model"  # labelled with the model that made it
    text, text_en = own_index.query("SELECT text, text_en FROM passages WHERE source = 'my-notes.md'")[0]
    assert "빨간 셔츠" in text and "red shirt" in text_en
    assert own_index.query("SELECT count(*) FROM passage_words_en WHERE passage_words_en MATCH 'shirt'")[0][0]
    # A rebuild keeps the translation without asking the model again.
    own_index.conn.execute("DELETE FROM meta WHERE key = 'version'")
    own_index.sync()
    again = own_index.query("SELECT text_en FROM passages WHERE source = 'my-notes.md'")[0][0]
    assert "red shirt" in again and len(openai_server.chat_requests) == 1


def test_a_users_korean_file_without_a_translator_has_no_english_side(own_index, tmp_path):  # type: ignore[no-untyped-def]
    note = tmp_path / "plain.txt"
    note.write_text("테오도르는 빨간 셔츠를 자주 입는다.", encoding="utf-8")
    own_index.add_file(note)
    assert own_index.query("SELECT text_en FROM passages WHERE source = 'plain.txt'")[0][0] == ""
    english = tmp_path / "english.txt"
    english.write_text("Theodore often wears a red shirt in the film.", encoding="utf-8")
    own_index.add_file(english)  # written in English: it is its own English side
    assert "red shirt" in own_index.query("SELECT text_en FROM passages WHERE source = 'english.txt'")[0][0]


@pytest.mark.slow
def test_eval_scores_the_configured_endpoints_answers_too(indexed_home):  # type: ignore[no-untyped-def]
    # An endpoint that answers everything with a canned English line: its answers are scored as such.
    with OpenAITestServer(default=Reply.text("Spike Jonze directed it in 1999.")) as server:
        env = endpoint_env(server, SAMANTHA_MODEL="test-model")
        result = run_samantha("eval", "--set", "fresh", "--json", env=env, timeout=600)
    assert result.code == 0, result.stderr
    # Two reports (built-in and endpoint) come as {"retrieval": [...], "routing": ...}.
    builtin, endpoint = json.loads(result.stdout)["retrieval"]
    assert builtin["backend"] == "built-in" and endpoint["backend"] == "endpoint test-model"
    korean = next(r for r in endpoint["languages"] if r["lang"] == "ko")
    english = next(r for r in endpoint["languages"] if r["lang"] == "en")
    # An English reply to a Korean question is a miss (only the turns that declined answer in Korean).
    assert korean["answers_right"] == 0.0 and korean["answers_in_language"] <= 0.2
    assert english["answers_right"] == 0.0  # "1999" is contradicted (2013, 2014) and the facts are missing
    assert english["answers_all_claims_supported"] <= 0.2  # only where the turn declined to answer


def test_the_eval_judges_a_replys_language_by_its_own_words_not_its_quotes():
    """An English reply followed by a verified Korean quote is English (a miss for a Korean question),
    and a Korean reply that quotes an English translation is Korean."""
    from samantha.retrieval.evaluate import reply_language

    english = (
        "Spike Jonze directed it in 1999.\n⚠ Contradicts the reviews.\n"
        "“스파이크 존즈 감독이 연출하고 호아킨 피닉스, 스칼렛 요한슨이 출연한 영화다.” [1]"
    )
    korean = "리뷰에 이렇게 나와요. “The film runs a full 123 minutes.” (리뷰 1 「인공지능과 연애」) [1]"
    assert reply_language(english) == "en"
    assert reply_language(korean) == "ko"
    assert reply_language("“스파이크 존즈”") == "ko"  # nothing but a quote: the quote's language
