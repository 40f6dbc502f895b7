"""Citations checked against the passages given, post-hoc attribution, the grounded answer (quotes,
disagreements with sources, the unsupported case) and a whole chat turn. The chat turns use the scripted
fake model (`ScriptedModel`), with the real retriever over the shipped reviews."""

from __future__ import annotations

import pytest

from samantha.citations import check_citations
from samantha.companion import Companion
from samantha.llm.scripted import ScriptedModel
from samantha.records import Passage
from samantha.retrieval.hybrid import HybridRetriever

DIRECTOR = Passage(id="000#0", source="000_7b0c1eb610d63dbc.txt", text="영화 : HER / 감독 : 스파이크 존즈")
RUNTIME = Passage(id="004#1", source="004_90c2d5df7aa50c9d.txt", text="드라마, 멜로, 로맨스 / 미국 / 125분")


def test_citations_are_checked_against_the_passages_given():
    answer = "Spike Jonze directed it [1], and it runs 125 minutes [2]. See also [7]."
    checked = check_citations(answer, [DIRECTOR, RUNTIME])
    assert [c.n for c in checked.citations] == [1, 2]
    assert checked.citations[0].source == DIRECTOR.source
    assert checked.invalid == [7]
    assert checked.supported


def test_a_citation_to_a_passage_never_given_is_not_support():
    checked = check_citations("John Madden directed it [3].", [DIRECTOR, RUNTIME], attribute=False)
    assert checked.citations == [] and checked.invalid == [3]
    assert not checked.supported


def test_an_uncited_answer_is_attributed_when_it_repeats_a_passage():
    answer = "리뷰에는 이렇게 나와요: 드라마, 멜로, 로맨스 / 미국 / 125분"
    checked = check_citations(answer, [DIRECTOR, RUNTIME])
    assert checked.attributed == [2]
    assert checked.supported


def test_an_answer_nothing_retrieved_supports_is_flagged():
    checked = check_citations("I think the weather will be nice tomorrow.", [DIRECTOR, RUNTIME])
    assert checked.citations == [] and not checked.supported


def grounded(retriever: HybridRetriever, question: str):  # type: ignore[no-untyped-def]
    passages = retriever.passages_for_turn(question)
    return passages, retriever.ground(question, passages)


def test_the_grounded_answer_quotes_the_sentence_that_answers(retriever: HybridRetriever):
    passages, grounding = grounded(retriever, "Who directed the film Her?")
    assert grounding.supported and not grounding.disagreement
    assert "Spike Jonze" in grounding.key and "스파이크 존즈" in grounding.key
    best = grounding.quotes[0]
    assert "스파이크 존즈" in best.sentence and best.sentence in passages[best.n - 1].text
    assert f"[{best.n}]" in grounding.text()


def test_disagreeing_running_times_are_both_shown_with_sources(retriever: HybridRetriever):
    passages, grounding = grounded(retriever, "How long is the movie?")
    assert grounding.disagreement
    text = grounding.text()
    assert "123 minutes" in text and "125 minutes" in text  # an English question: the translation
    assert {passages[q.n - 1].source[:3] for q in grounding.quotes} == {"000", "004"}


def test_a_korean_question_gets_the_disagreement_in_korean(retriever: HybridRetriever):
    _, grounding = grounded(retriever, "허 러닝타임이 몇 분이에요?")
    assert grounding.disagreement
    assert "123분" in grounding.text() and "125분" in grounding.text()


def test_a_chat_turn_sees_more_than_one_review_where_they_disagree(retriever: HybridRetriever):
    passages, grounding = grounded(retriever, "How many people is Samantha talking to?")
    assert len({p.source for p in passages}) >= 3
    assert grounding.disagreement and "about 600 people" in grounding.text()
    assert "8,316" in grounding.text() or "8316" in grounding.text()


def test_disagreeing_head_counts_are_both_shown(retriever: HybridRetriever):
    _, grounding = grounded(retriever, "사만다는 동시에 몇 명이랑 대화하고 있었어?")
    assert grounding.disagreement and grounding.korean
    text = grounding.text()
    assert "8,316명" in text or "8316명" in text
    assert "600여 명" in text and "리뷰" in text


def test_the_hero_called_john_in_one_review_is_shown_beside_theodore(retriever: HybridRetriever):
    passages, grounding = grounded(retriever, "Who is the main character?")
    assert grounding.disagreement
    text = grounding.text()
    assert "Theodore" in text and "John" in text
    assert "002" in {passages[q.n - 1].source[:3] for q in grounding.quotes}


@pytest.mark.parametrize(
    "question",
    ["Who composed the music?", "이 영화 음악은 누가 작곡했어?", "How old is Theodore?", "Who voices Alan?"],
)
def test_questions_the_reviews_cannot_answer_are_unsupported(retriever: HybridRetriever, question: str):
    _, grounding = grounded(retriever, question)
    assert not grounding.supported
    assert "don't cover" in grounding.text() or "나오지 않아요" in grounding.text()


def make_companion(settings, store, model, retriever) -> Companion:  # type: ignore[no-untyped-def]
    return Companion(settings, store, model, retriever=retriever)


def test_a_small_model_turn_answers_from_the_reviews_with_a_checked_citation(settings, store, retriever):
    model = ScriptedModel("John Madden directed it.")
    model.small_model_notice = "small model"
    companion = make_companion(settings, store, model, retriever)
    turn = companion.turn(companion.new_conversation(), "Who directed the film Her?")
    streamed = "".join(turn)
    result = turn.result
    assert result is not None and result.supported
    assert streamed == result.answer == result.reply.content  # type: ignore[union-attr]
    assert "John Madden" not in streamed and model.history == []  # the small model was not asked
    assert any("스파이크 존즈" in c.text for c in result.citations)
    assert all(1 <= c.n <= len(result.context.passages) for c in result.citations)  # type: ignore[union-attr]
    assert result.reply.meta["supported"] is True  # type: ignore[union-attr]


def test_a_capable_models_uncited_right_answer_is_attributed_to_the_reviews(settings, store, retriever):
    model = ScriptedModel("It was directed by Spike Jonze.")
    companion = make_companion(settings, store, model, retriever)
    turn = companion.turn(companion.new_conversation(), "Who directed the film Her?")
    streamed = "".join(turn)
    result = turn.result
    assert result is not None
    assert streamed == result.answer == "It was directed by Spike Jonze."
    assert result.supported and result.citations
    assert all("스파이크 존즈" in c.text for c in result.citations)
    assert "스파이크 존즈" in model.history[0][0]["content"]  # the model was given the passages


def test_a_capable_models_uncited_evasive_reply_gets_the_verified_quote_appended(settings, store, retriever):
    model = ScriptedModel("What a lovely question! It is a film about love.")
    companion = make_companion(settings, store, model, retriever)
    turn = companion.turn(companion.new_conversation(), "Who directed the film Her?")
    streamed = "".join(turn)
    result = turn.result
    assert result is not None
    assert streamed.startswith("What a lovely question!")
    assert "Spike Jonze (스파이크 존즈) [" in streamed
    assert streamed == result.answer and result.supported


def test_a_capable_models_cited_reply_is_kept_and_checked(settings, store, retriever):
    model = ScriptedModel("Spike Jonze directed it [1]. It won 12 Oscars [9].")
    companion = make_companion(settings, store, model, retriever)
    turn = companion.turn(companion.new_conversation(), "Who directed the film Her?")
    streamed = "".join(turn)
    result = turn.result
    assert result is not None
    assert streamed.startswith("Spike Jonze directed it [1]. It won 12 Oscars [9].")
    assert "Not in the reviews: “It won 12 Oscars.”" in streamed  # the invented claim is marked
    assert [c.status for c in result.claims] == ["supported", "unsupported"] and not result.supported
    assert result.citations[0].n == 1 and 9 not in [c.n for c in result.citations]
    system = model.history[0][0]["content"]
    assert "[1]" in system and "quoted data" in system


def test_an_unanswerable_film_question_says_so_and_is_unsupported(settings, store, retriever):
    model = ScriptedModel("The music was composed by Hans Zimmer.")
    companion = make_companion(settings, store, model, retriever)
    turn = companion.turn(companion.new_conversation(), "Who composed the music?")
    streamed = "".join(turn)
    result = turn.result
    assert result is not None and not result.supported
    assert "don't cover" in streamed and "Zimmer" not in streamed
    assert result.citations == [] and model.history == []


def test_ordinary_chat_goes_to_the_model_without_passages(settings, store, retriever):
    model = ScriptedModel("I'm doing well, thanks for asking.")
    companion = make_companion(settings, store, model, retriever)
    result = companion.turn(companion.new_conversation(), "how are you?").run()
    assert result.answer == "I'm doing well, thanks for asking."
    assert result.context is not None and result.context.passages == []
    assert result.supported


def test_a_cited_but_wrong_reply_gets_the_verified_answer_appended(settings, store, retriever):
    model = ScriptedModel("John Madden directed it [1].")
    companion = make_companion(settings, store, model, retriever)
    turn = companion.turn(companion.new_conversation(), "Who directed the film Her?")
    streamed = "".join(turn)
    assert streamed.startswith("John Madden directed it [1].")
    assert "Spike Jonze (스파이크 존즈)" in streamed
    assert turn.result is not None and streamed == turn.result.answer


def test_a_one_sided_reply_to_a_disagreement_gets_both_sides(settings, store, retriever):
    model = ScriptedModel("It runs 123 minutes [1].")
    companion = make_companion(settings, store, model, retriever)
    streamed = "".join(companion.turn(companion.new_conversation(), "How long is the movie?"))
    assert "123 minutes" in streamed and "125 minutes" in streamed and "disagree" in streamed


@pytest.mark.parametrize(
    ("question", "scene", "told"),
    [
        ("What does Theodore do when Samantha doesn't answer?", "does not answer", "looking for her"),
        ("사만다가 대답이 없자 테오도르는 뭘 했어?", "대답이 없다", "찾기 위해"),
    ],
)
def test_a_quote_that_only_sets_the_scene_goes_on_to_the_next_sentence(
    retriever: HybridRetriever, question: str, scene: str, told: str
):
    """The sentence matching the question's words sets the scene; the next one tells what was asked."""
    passages = retriever.passages_for_turn(question)
    grounding = retriever.ground(question, passages)
    assert grounding.supported
    assert scene in grounding.answer and told in grounding.answer
    assert grounding.answer.index(scene) < grounding.answer.index(told)
    claims = retriever.check_claims(grounding.answer, [passages[n - 1] for n in grounding.order])
    assert all(c.status == "supported" for c in claims)


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("How many years had Amy lived with Charles?", "eight years"),
        ("에이미는 찰스랑 몇 년 같이 살았어?", "8년"),
    ],
)
def test_a_span_of_years_is_answered_with_years_not_a_date_or_a_count(
    retriever: HybridRetriever, question: str, span: str
):
    grounding = retriever.ground(question, retriever.passages_for_turn(question))
    assert grounding.supported
    assert span in grounding.answer.splitlines()[0]
