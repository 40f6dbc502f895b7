"""Deciding whether a chat message is about the film, so ordinary chat gets no review passages.

Retrieval always returns *something*; the gate asks whether the message names the film or its people,
or asks about a film topic, and whether the best passage really matches. "How are you?" and "I had a
rough day" pass none of these; "Who directed Her?" and "허 러닝타임이 몇 분이야?" pass easily.
"Samantha" alone is not enough: it is also the companion's own name.

`could_be_about_film` is the cheap first step, from the message's words alone: a message it turns down
is never analysed, so ordinary chat loads no retrieval model.
"""

from __future__ import annotations

import functools
import re

from samantha.retrieval.glossary import Glossary
from samantha.retrieval.types import QueryAnalysis, Scored

#: Words that name the film itself. "Her" counts when capitalised mid-sentence or quoted.
FILM_WORDS = re.compile(
    r"(?i:\b(?:film|movie|films|movies|cinema|spike jonze|reviewers?|the reviews)\b|영화|['\"<«“‘]her\b)"
    r"|리뷰어|리뷰에서|리뷰들"
    r"|(?<=[a-z,] )Her\b|\bHER\b|(?<![가-힣])허(?![가-힣])"
    r"|(?<![A-Za-z])her(?=[은는을를의이가에도]|\s*(?:감독|러닝타임|줄거리|결말))",
)
QUESTION = re.compile(
    r"\?|？|(?i:^\s*(?:who|what|when|where|why|how|which|is|are|does|did|was|were|can|tell me|explain)\b)"
    r"|(?:누구|누가|무엇|뭐|뭔|언제|어디|왜|어떻|어떤|어땠|몇|얼마|알려|인가|인지|나요|니까|까요|했어|해요|야\s*$|\?)"
)
SECOND_PERSON = re.compile(r"(?i:\byou\b|\byour\b|\byou're\b)|너는|너의|넌|네가|당신")
#: The best passage's semantic similarity needed when only weak signals are present.
WEAK_SIGNAL_SEMANTIC = 0.42
STRONG_SEMANTIC = 0.55
#: The same for a question about Samantha in the third person, her name being the companion's too.
THIRD_PERSON_SEMANTIC = 0.38
OWN_NAME_FORMS = {"Samantha", "사만다", "사만사"}
#: "Samantha, ..." at the start of a message speaks to the companion, not about the film's character.
VOCATIVE = re.compile(r"^\s*(?:hey\s+|hi\s+|안녕\s*,?\s*)?(?i:samantha|사만다|사만사)\s*(?:[,!.]|야|아)")


#: Glossary kinds that are film vocabulary. The others ("fact": letter, lonely, friend, about...) are
#: everyday words too, and a message with nothing but those is not a film question.
FILM_KINDS = frozenset({"person", "character", "role", "film", "cast", "topic"})


def _is_own_name(entry_forms: list[str]) -> bool:
    return any(f in OWN_NAME_FORMS for f in entry_forms)


@functools.cache
def _seed_glossary() -> Glossary:
    return Glossary.build()


def could_be_about_film(text: str, glossary: Glossary | None = None) -> bool:
    """Whether `text` may be about the film, from its words alone: nothing is loaded, no model is run.

    True when it names the film, or mentions film vocabulary from the glossary: the film's people and
    characters (not "Samantha, ..." said to the companion), the director, running time, cast, or a
    film topic. False for everything else ("How are you?", "Can you help me write a letter?", "Tell me
    about your favourite season."): such a message gets no review passages, so a chat turn need not load
    the retrieval models at all. `glossary` is the index's (with the names the reviews gloss
    themselves); without one, the built-in list. On the three question sets this drops no question that
    the full gate (`about_the_film`) lets through.
    """
    if FILM_WORDS.search(text):
        return True
    vocative = bool(VOCATIVE.search(text))
    for match in (glossary or _seed_glossary()).matches(text):
        if match.entry.kind in FILM_KINDS and not (vocative and _is_own_name(match.entry.forms)):
            return True
    return False


def about_the_film(analysis: QueryAnalysis, top: Scored) -> bool:
    """Whether the message asks about the film (and the reviews should be consulted)."""
    text = analysis.text
    question = bool(QUESTION.search(text))
    if FILM_WORDS.search(text):
        return True
    matches = analysis.matches
    if VOCATIVE.search(text):
        matches = [m for m in matches if not _is_own_name(m.entry.forms)]
    kinds = {m.entry.kind for m in matches if not _is_own_name(m.entry.forms)}
    named = [m for m in matches if m.entry.kind in ("person", "character")]
    if any(not _is_own_name(m.entry.forms) for m in named):
        return question or top.semantic >= WEAK_SIGNAL_SEMANTIC
    # "What does Samantha do with ...?" asks about the film's Samantha; "Samantha, ..." and "you" speak
    # to the companion.
    # The film's Samantha asked about in the third person still needs the reviews to be near: "What does
    # Samantha like?" is not about the film (similarity 0.25), "What does Samantha do with the other
    # person's ideal type?" is (0.41).
    third_person = named and not VOCATIVE.search(text) and not SECOND_PERSON.search(text)
    if third_person and question and top.semantic >= THIRD_PERSON_SEMANTIC:
        return True
    if "topic" in kinds and question:
        return True  # composers, budgets, awards: film questions even without the film's name
    about_you = SECOND_PERSON.search(text) and top.semantic < 0.4  # "how long have you been awake?"
    if kinds & {"film", "cast", "role"} and question and not about_you:
        return True  # running time, cast, the hero: film questions even without the film's name
    if named and question and kinds & {"fact", "cast"}:
        return top.semantic >= WEAK_SIGNAL_SEMANTIC or top.concepts >= 0.5
    return question and top.semantic >= STRONG_SEMANTIC and top.concepts > 0
