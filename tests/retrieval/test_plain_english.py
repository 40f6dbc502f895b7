"""Plain English queries are split into terms without Kiwi: proven to give what Kiwi gives, on every
English question of the eval sets, on the English side of the corpus, and on drawn text."""

from __future__ import annotations

import json
import re
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from samantha.retrieval import nlp


def kiwi_terms(text: str) -> list[str]:
    """`terms` as Kiwi alone gives them (the fast path bypassed)."""
    out = []
    for token in nlp.kiwi().tokenize(text):
        if token.tag.split("-")[0] in nlp.CONTENT_TAGS:
            out += [p for p in token.form.lower().split() if p and p not in nlp.STOP_TERMS]
    return out


def english_questions() -> list[str]:
    found = []
    for name in ("questions", "heldout", "fresh", "unseen"):  # the dev (tuning) set is questions.jsonl
        text = resources.files("samantha.retrieval").joinpath(f"{name}.jsonl").read_text("utf-8")
        found += [json.loads(line).get("question", "") for line in text.splitlines() if line.strip()]
    return [q for q in found if q and not re.search(r"[가-힣]", q)]


def test_the_fast_path_agrees_with_kiwi_on_the_eval_questions_and_the_corpus(retriever):
    corpus = retriever.corpus()
    texts = (
        english_questions()
        + corpus.sentence_texts_en
        + [
            "Who directed the film?",
            "What's Theodore's job?",
            "How long is the movie? 126 minutes",
            "don't can't won't",
            "is it set in Los Angeles, or somewhere else?",
        ]
    )
    plain = [t for t in texts if nlp.plain_english_terms(t) is not None]
    assert len(plain) >= 40  # most questions are plain English
    for text in plain:
        assert nlp.plain_english_terms(text) == kiwi_terms(text), text


def test_text_that_kiwi_reads_its_own_way_goes_to_kiwi():
    kiwis_own_way = ["Mr. Twombly's ex-wife", "U.S.A.", "It's 8,316 letters", "OS1", "sci-fi", "A.I."]
    for text in [*kiwis_own_way, "영화 her 감독", "It was the match of the century."]:
        assert nlp.plain_english_terms(text) is None, text


WORD = st.from_regex(r"[A-Za-z]{1,8}(?:'[A-Za-z]{1,3})?|[0-9]{1,4}", fullmatch=True)


@settings(deadline=None)  # the first example loads Kiwi
@given(st.lists(st.tuples(WORD, st.sampled_from([" ", ", ", "; ", "  "])), min_size=1, max_size=8),
       st.sampled_from(["", "?", "!", "?!", "."]))  # fmt: skip
def test_drawn_plain_english_gives_kiwis_terms(words, end):
    text = "".join(w + sep for w, sep in words).rstrip(" ,;") + end
    if nlp.plain_english_terms(text) is not None:
        assert nlp.plain_english_terms(text) == kiwi_terms(text), text


def test_the_index_keeps_the_terms_of_every_glossary_form_as_kiwi_splits_them(retriever):
    corpus = retriever.corpus()
    stored = corpus._form_terms
    forms = {form for entry in corpus.glossary.entries for form in (*entry.forms, *entry.linked)}
    assert len(stored) >= 0.95 * len(forms)  # the rest is split by Kiwi when asked
    for form, terms in stored.items():
        assert terms == nlp.form_terms(form), form


def test_an_english_search_needs_no_kiwi_and_finds_what_it_found_with_kiwi(retriever, monkeypatch):
    questions = [q for q in english_questions() if not nlp.needs_kiwi(q)][:20]
    corpus = retriever.corpus()

    def search_all() -> list[list[str]]:
        return [[p.id for p in retriever.search(q, 5)] for q in questions]

    def no_kiwi():
        raise AssertionError("Kiwi was asked for")

    with monkeypatch.context() as without:
        without.setattr(nlp, "kiwi", no_kiwi)
        fast = search_all()
    with monkeypatch.context() as kiwi_only:  # every term from Kiwi, as before the fast path
        kiwi_only.setattr(nlp, "plain_english_terms", lambda text: None)
        kiwi_only.setattr(corpus, "_form_terms", {})
        nlp.form_terms.cache_clear()
        slow = search_all()
    assert fast == slow
