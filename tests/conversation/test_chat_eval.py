"""`samantha eval --chat`: its scoring, and a whole run with the scripted model (small settings)."""

from __future__ import annotations

from samantha.companion import Companion
from samantha.conversation.evaluate import (
    ScriptedTurn,
    format_chat_report,
    load_conversations,
    reply_language,
    run_conversations,
    score_turn,
)
from samantha.llm.scripted import ScriptedModel


def test_scoring_small_talk():
    turn = ScriptedTurn("I feel lonely tonight.", "chat")
    good = score_turn(turn, "en", "chat", "I'm sorry. I'm here. What happened?", 0)
    assert good == {"routed": True, "language": True, "no_repeat": True, "short": True, "no_link": True}
    bad = score_turn(turn, "en", "film", "One. Two. Three. Four. See https://x.com. One.", 0)
    assert not bad["routed"] and not bad["short"] and not bad["no_link"] and not bad["no_repeat"]
    korean = score_turn(ScriptedTurn("오늘 너무 우울해.", "chat"), "ko", "chat", "Sorry to hear that.", 0)
    assert not korean["language"]


def test_scoring_memory_film_and_self():
    recall = ScriptedTurn("What's my name?", "memory", recall=["Mina"])
    assert score_turn(recall, "en", "memory", "You told me your name is Mina (23 Nov) [m1].", 1)["recalled"]
    assert not score_turn(recall, "en", "memory", "Your name is Mina.", 0)["recalled"]  # not cited
    unknown = ScriptedTurn("What's my name?", "memory", unknown=True)
    assert score_turn(unknown, "en", "memory", "I don't think you've told me your name yet.", 0)[
        "unknown_said"
    ]
    film = ScriptedTurn("Who directed Her?", "film", film=["Spike Jonze", "스파이크 존즈"])
    checks = score_turn(film, "en", "film", 'From the reviews: "감독 : 스파이크 존즈" [1]', 0)
    assert checks["film_fact"] and checks["language"]  # the quote is Korean, the reply around it English
    about_her = ScriptedTurn("Are you real?", "self")
    assert not score_turn(about_her, "en", "self", 'From the reviews: "외로움" [1]', 0)["no_quotes"]


def test_reply_language_leaves_quotes_aside():
    assert reply_language('From the reviews: "테오도르는 사만다가 너무 사람처럼 느껴져서" [1]') == "en"
    assert reply_language("이름이 Mina라고 말해 줬어요 (11월 23일) [m1].") == "ko"


def test_a_whole_run_with_the_scripted_model(settings):
    scripts = load_conversations()
    assert {s.lang for s in scripts} == {"en", "ko"}
    model = ScriptedModel()
    model.small_model_notice = "small"  # the bundled model's shaping, without the bundled model
    settings = settings.model_copy(update={"model_size": "auto"})

    def make(store):
        model.queue = ["I'm here with you. What happened today?"] * 40
        return Companion(settings, store, model)

    report = run_conversations(make, scripts)
    summary = report.as_dict()
    assert summary["turns"] == sum(len(s.turns) for s in scripts)
    for check in ("recalled", "unknown_said", "short", "no_link", "no_quotes"):
        assert summary["checks"][check]["all"]["rate"] == 1.0, summary["failures"]
    # No retriever here, so film turns get the scripted English line; the others are in the user's language.
    assert all(t.checks["language"] for t in report.turns if t.kind != "film")
    assert summary["routing_by_kind"]["memory"]["passed"] == summary["routing_by_kind"]["memory"]["turns"]
    assert "Conversation eval" in format_chat_report(report)
