"""The words of a question that say which sentence answers it, and how telling each word is.

Passages are ranked with BM25 in SQLite (`hybrid`); the answer step then picks sentences inside the few
passages retrieved, where a word's weight is its inverse sentence frequency over the whole corpus: a word
few sentences contain ("documentary", "다큐멘터리") says more about which one answers than "Theodore".
English words are compared as lemmas (simplemma's dictionary, which ships in its package: "made" is
"make", "married" is "marry"), so "What did Amy make?" meets "a documentary made by ... Amy". The
dictionary is read while indexing only: the index keeps each sentence's lemmas and the forms of those
lemmas, so a question is lemmatised by lookup.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

#: English words that say nothing about which passage or sentence answers.
ENGLISH_STOPWORDS = frozenset(
    """a an the of to in on at by for with and or but is are was were be been being do does did what
    who whom whose which when where why how that this these those it its it's he she him his her hers
    they them their you your i me my we our film movie about tell please can could would should will
    there""".split()  # noqa: SIM905 - a word list reads better as one text
)
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']+")


#: "How long", "how many": the question's form, not its subject ("long" would find "a long-lasting
#: impression" for "How long is the movie?").
_HOW_MUCH = re.compile(r"\bhow (?:long|many|much|old|often|far|come)\b")


def english_words(text: str) -> list[str]:
    """The words of an English query worth matching against the English side."""
    out: list[str] = []
    for word in _ENGLISH_WORD.findall(_HOW_MUCH.sub(" ", text.lower())):
        word = word.removesuffix("'s")
        if word not in ENGLISH_STOPWORDS and word not in out:
            out.append(word)
    return out


@functools.cache
def _dictionary() -> Any:
    """simplemma's English table (form -> lemma); 0.15 s to load, so only while indexing, and once."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("en")


def lemmas(text: str) -> set[str]:
    """The dictionary forms of an English text's words ("made" -> "make"), for the index."""
    table = _dictionary()
    return {str(table.get(w) or w).lower() for w in english_words(text)}


def forms_of(wanted: set[str]) -> dict[str, str]:
    """Every lower-case form the dictionary knows whose lemma is in `wanted`, with that lemma."""
    out: dict[str, str] = {}
    for form, lemma in _dictionary().items():
        lemma = str(lemma).lower()
        if lemma in wanted and form.islower():
            out[form] = lemma
    return out


def question_lemmas(text: str, forms: dict[str, str]) -> set[str]:
    """A question's lemmas from the index's table of forms; a word not in it is no form of any lemma
    the reviews use, so it stays as it is."""
    return {forms.get(w, w) for w in english_words(text)}


def inverse_frequency(containing: int, total: int) -> float:
    """BM25's idf: a word in few of `total` sentences weighs more; never below a small floor."""
    return max(0.1, math.log(1 + (total - containing + 0.5) / (containing + 0.5)))
