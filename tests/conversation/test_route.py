"""The message router: the issue's own examples, its question sets, and its scoring."""

from __future__ import annotations

import pytest

from samantha.conversation.route import KINDS, language_of, load_set, route, score_routes


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Do you ever feel lonely, Samantha?", "self"),
        ("Are you real?", "self"),
        ("do you love me?", "self"),
        ("What does Samantha do in the film?", "film"),
        ("영화에서 사만다는 어떻게 돼?", "film"),
        ("Who directed Her?", "film"),
        ("What's my name?", "memory"),
        ("Where do I live?", "memory"),
        ("내 이름이 뭐야?", "memory"),
        ("Do you remember where I live?", "memory"),
        ("I feel lonely tonight.", "chat"),
        ("My favorite food is kimchi stew.", "chat"),
        ("안녕 사만다! 오늘 좀 피곤해. 내 이름은 미나야.", "chat"),
        ("Can you help me write a letter to my mom?", "chat"),
        ("How do I cook rice?", "chat"),
        ("내가 뭐 먹을까?", "chat"),
    ],
)
def test_the_issue_examples_are_routed_to_what_answers_them(text, kind):
    assert route(text).kind == kind


def test_a_message_the_rules_leave_open_asks_the_reviews_gate():
    asked: list[str] = []

    def gate(text: str) -> bool:
        asked.append(text)
        return True

    assert route("Theodore Twombly?", gate).kind == "film"  # named: the gate is not needed
    assert route("What is the OS called?", gate).kind == "film"
    assert asked == ["What is the OS called?"]
    assert route("Are you real?", gate).kind == "self"  # about her: the gate is never asked
    assert asked == ["What is the OS called?"]


def test_language_follows_the_letters():
    assert language_of("영화 her 러닝타임 알려줘") == "ko"
    assert language_of("Who directed Her?") == "en"
    assert language_of("I love 김치") == "en"


@pytest.mark.parametrize("name", ["dev", "heldout"])
def test_the_question_sets_cover_four_kinds_in_both_languages(name):
    labelled = load_set(name)
    assert len(labelled) >= 60
    for kind in KINDS:
        for lang in ("en", "ko"):
            assert sum(1 for item in labelled if item.kind == kind and item.lang == lang) >= 7
            assert all(language_of(item.text) == item.lang for item in labelled)
    # Held apart: no message of the reported set is in the tuning set.
    if name == "heldout":
        assert not {item.text for item in labelled} & {item.text for item in load_set("dev")}


def test_scoring_counts_precision_and_recall_per_kind(monkeypatch):
    from samantha.conversation import route as route_module
    from samantha.conversation.route import Labelled

    labelled = [
        Labelled("a", "film", "en"),
        Labelled("b", "film", "en"),
        Labelled("c", "chat", "en"),
        Labelled("d", "self", "en"),
    ]
    routed = {"a": "film", "b": "chat", "c": "chat", "d": "self"}
    monkeypatch.setattr(route_module, "load_set", lambda name: labelled)
    monkeypatch.setattr(
        route_module, "route", lambda text, film=None: route_module.Route(routed[text], "en", "test")
    )
    report = score_routes("dev")
    scores = {s.kind: s for s in report.scores}
    assert scores["film"].recall == 0.5 and scores["film"].precision == 1.0
    assert scores["chat"].recall == 1.0 and scores["chat"].precision == 0.5
    assert scores["memory"].messages == 0
    assert report.accuracy == 0.75
    assert [(m.text, r.kind) for m, r in report.mistakes] == [("b", "chat")]


def test_the_router_tuning_set_is_routed_right():
    """The set the rules were tuned on: a regression check, not the reported figure."""
    report = score_routes("dev")
    assert report.accuracy == 1.0, report.mistakes
