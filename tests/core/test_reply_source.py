"""Choosing who writes a turn's reply: the model, unless a film answer is better composed from the reviews."""

from __future__ import annotations

from samantha.context import Section, assemble, number_passages
from samantha.llm.scripted import ScriptedModel
from samantha.records import Passage
from samantha.reply_source import QUOTED_FROM_REVIEWS, choose_reply_source
from samantha.retrieval.types import Grounding

PASSAGES = [
    Passage(id="a", source="a.txt", text="감독 : 스파이크 존즈"),
    Passage(id="b", source="b.txt", text="러닝타임 : 126분"),
]


class Grounded:
    """A retriever whose grounded answer is fixed (the real one is tested in tests/retrieval/)."""

    def __init__(self, grounding: Grounding | None) -> None:
        self.grounding = grounding

    def ground(self, question: str, passages: list[Passage]) -> Grounding | None:
        return self.grounding


def plan_for(text: str, passages: list[Passage]):  # type: ignore[no-untyped-def]
    model = ScriptedModel()
    sections = [Section("passages", "Passages:", number_passages(passages))] if passages else []
    plan = assemble(
        persona="P", user_text=text, history=[], sections=sections, budget=4000, count=model.count_tokens,
        passages=passages,
    )  # fmt: skip
    assert plan.passages == passages
    return plan


def test_without_passages_the_model_writes_the_reply(settings):
    model = ScriptedModel(name="talker")
    model.enqueue("Hello there.")
    source = choose_reply_source("hi", plan_for("hi", []), model, None, settings)
    assert (source.kind, source.author(), source.grounding) == ("model", "talker", None)
    assert "".join(source.pieces()) == "Hello there."
    assert source.attribute_citations


def test_a_small_model_gets_the_answer_composed_from_the_reviews(settings):
    model = ScriptedModel(name="tiny")
    model.small_model_notice = "I am small."
    grounding = Grounding(supported=True, quotes=[], answer="Spike Jonze directed it [1].", order=[1])
    question = "Who directed Her?"
    source = choose_reply_source(question, plan_for(question, PASSAGES), model, Grounded(grounding), settings)
    assert (source.kind, source.author()) == ("composed", QUOTED_FROM_REVIEWS)
    assert "".join(source.pieces()) == "Spike Jonze directed it [1]."
    assert source.passages == PASSAGES[:1]  # numbered as the composed answer cites them
    assert model.history == []  # the model was never called


def test_when_the_reviews_do_not_cover_it_the_reply_says_so_and_cites_nothing_after_the_fact(settings):
    model = ScriptedModel(name="capable")
    grounding = Grounding(supported=False, quotes=[], answer="The reviews don't say.")
    question = "Who composed the score?"
    source = choose_reply_source(question, plan_for(question, PASSAGES), model, Grounded(grounding), settings)
    assert source.kind == "composed" and "".join(source.pieces()) == "The reviews don't say."
    assert not source.attribute_citations
