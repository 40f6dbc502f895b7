"""The indexed corpus, loaded: passages in both languages, sentence vectors, the glossary and the facts.

The corpus is small (a few hundred kilobytes), so searching and answering work on this in-memory copy;
the retriever reloads it when the index changes. Every step that needs the corpus is handed this object
explicitly (the gate, the grounded answer, the claim checker), so none of them reaches into the retriever.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass

import numpy as np

from samantha.records import Passage
from samantha.retrieval import nlp, words
from samantha.retrieval.claims import ClaimChecker
from samantha.retrieval.facts import Fact
from samantha.retrieval.glossary import Entry, Glossary
from samantha.retrieval.index import CorpusIndex
from samantha.retrieval.translation import TRANSLATED_NOTE

_HANGUL = re.compile(r"[가-힣]")
DIMENSIONS = 512


@dataclass(frozen=True)
class WeightedWords:
    """A question's own words, each with how telling it is, and which side of the corpus they match."""

    english: bool
    weights: dict[str, float]


@dataclass
class DocumentLabel:
    """How a reader is told which review a passage comes from: its number and a short title."""

    number: int
    short_title: str
    short_title_en: str
    builtin: bool

    def name(self, korean: bool) -> str:
        if korean:
            return (
                f"리뷰 {self.number} 「{self.short_title}」"
                if self.builtin
                else f"내 파일 「{self.short_title}」"
            )
        title = self.short_title_en or self.short_title
        return f"review {self.number}, “{title}”" if self.builtin else f"your file “{title}”"

    def both(self) -> str:
        """Both languages, for a citation's title."""
        if not self.builtin:
            return f"Your file: {self.short_title}"
        if self.short_title_en and self.short_title_en != self.short_title:
            return f"Review {self.number}: {self.short_title_en} ({self.short_title})"
        return f"Review {self.number}: {self.short_title}"


@functools.lru_cache(maxsize=1024)
def form_pattern(form: str) -> re.Pattern[str]:
    """Korean forms match as substrings; others as whole words (case-insensitive)."""
    if _HANGUL.search(form):
        return re.compile(re.escape(form.lower()))
    words = r"\s+".join(re.escape(w) for w in form.lower().split())
    return re.compile(rf"(?<![a-z0-9]){words}(?![a-z0-9])")


def mentions(text: str, entry: Entry) -> bool:
    """Whether lower-cased `text` mentions any form of `entry`."""
    return any(form_pattern(f).search(text) for f in entry.forms)


def _vectors(blobs: list[bytes | None], count: int) -> np.ndarray:
    out = np.zeros((count, DIMENSIONS), dtype=np.float32)
    for i, blob in enumerate(blobs):
        if blob:
            out[i] = np.frombuffer(blob, dtype=np.float32)
    return out


class Corpus:
    """The index's passages, sentences, vectors, glossary and facts, in memory."""

    def __init__(self, index: CorpusIndex) -> None:
        docs = index.query(
            "SELECT source, origin, title, short_title, short_title_en FROM documents "
            "ORDER BY origin = 'user', source"
        )
        self.labels: dict[str, DocumentLabel] = {}
        for number, (source, origin, title, short, short_en) in enumerate(docs, start=1):
            self.labels[source] = DocumentLabel(
                number, short or title or source, short_en or "", builtin=origin == "builtin"
            )
        rows = index.query(
            "SELECT id, source, position, title, text, text_en, vector, vector_en FROM passages ORDER BY id"
        )
        self.ids = [r[0] for r in rows]
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.passages = [
            Passage(
                id=f"{r[1]}#{r[2]}",
                source=r[1],
                position=r[2],
                title=r[3],
                text=r[4],
                text_en=r[5] or "",
                label=self.label(r[1]).both(),
            )
            for r in rows
        ]
        self.lower_texts = [p.text.lower() for p in self.passages]
        self.lower_texts_en = [p.text_en.lower() for p in self.passages]
        self.vectors = _vectors([r[6] for r in rows], len(rows))
        self.vectors_en = _vectors([r[7] for r in rows], len(rows))
        srows = index.query(
            "SELECT passage_id, text, text_en, vector, vector_en, terms, lemmas FROM sentences ORDER BY id"
        )
        self.sentence_passage = np.array([self.row_of[r[0]] for r in srows], dtype=np.int64)
        self.sentence_texts: list[str] = [r[1] for r in srows]
        self.sentence_texts_en: list[str] = [r[2] or "" for r in srows]
        self.sentence_vectors = _vectors([r[3] for r in srows], len(srows))
        self.sentence_vectors_en = _vectors([r[4] for r in srows], len(srows))
        #: Per sentence, the original's morphemes and the translation's lemmas (`words`).
        self.sentence_terms = [frozenset(r[5].split()) for r in srows]
        self.sentence_lemmas = [frozenset(r[6].split()) for r in srows]
        self.english_forms = dict(index.query("SELECT form, lemma FROM english_forms"))
        #: Every lemma the translations use: what `answer.unknown_terms` checks an English question's nouns
        #: against.
        self.all_lemmas = frozenset().union(*self.sentence_lemmas)
        corpus = "\n".join(f"{p.title}\n{p.text}" for p in self.passages)
        titles = sorted({p.title for p in self.passages})
        # Coverage is the originals': a topic counts as mentioned only if a review itself mentions it.
        self.glossary = Glossary.build([*titles, *(p.text for p in self.passages)])
        self.glossary.mark_coverage(corpus)
        #: Everything indexed, lower-cased: the answer step checks the question's nouns against it.
        self.corpus_lower = corpus.lower()
        frows = index.query(
            "SELECT p.source, p.position, f.kind, f.subject, f.value, f.evidence FROM facts f "
            "JOIN passages p ON p.id = f.passage_id ORDER BY f.id"
        )
        self.facts = [Fact(kind, subject, value, evidence, f"{source}#{position}")
                      for source, position, kind, subject, value, evidence in frows]  # fmt: skip
        known = "\n".join([corpus, *(p.text_en for p in self.passages)])
        label_titles = [t for label in self.labels.values() for t in (label.name(True), label.name(False))]
        label_titles.append(TRANSLATED_NOTE)
        self.checker = ClaimChecker(self.facts, self.glossary, known, label_titles)
        self._mentions: dict[int, np.ndarray] = {}
        stored = index.query("SELECT form, terms FROM form_terms")
        self._form_terms: dict[str, tuple[str, ...]] = {form: tuple(json.loads(t)) for form, t in stored}
        self._spots: dict[int, list[tuple[list[int], list[int]]]] = {}
        self._idf: dict[tuple[str, bool], float] = {}

    def word_weight(self, term: str, english: bool) -> float:
        """How telling `term` is when it occurs in a sentence: its inverse sentence frequency (an English
        lemma among the translations' lemmas, a Korean morpheme among the originals')."""
        key = (term, english)
        if key not in self._idf:
            sets = self.sentence_lemmas if english else self.sentence_terms
            containing = sum(term in found for found in sets)
            self._idf[key] = words.inverse_frequency(containing, len(sets))
        return self._idf[key]

    def weighted_words(self, text: str, english: bool, terms: list[str]) -> WeightedWords:
        """A question's own words with their `word_weight`: an English question's lemmas (compared with
        the translations), a Korean one's morphemes (`terms`, compared with the originals)."""
        own = words.question_lemmas(text, self.english_forms) if english else set(terms)
        return WeightedWords(english, {t: self.word_weight(t, english) for t in own})

    def words_share(self, s: int, own: WeightedWords) -> float:
        """The share of the question's words, by weight, that sentence row `s` contains."""
        present = self.sentence_lemmas[s] if own.english else self.sentence_terms[s]
        return sum(w for t, w in own.weights.items() if t in present) / (sum(own.weights.values()) or 1.0)

    def label(self, source: str) -> DocumentLabel:
        return self.labels.get(source) or DocumentLabel(0, source, "", builtin=False)

    def sentences_of(self, row: int) -> np.ndarray:
        """The sentence rows of passage row `row`, in order."""
        return np.flatnonzero(self.sentence_passage == row)

    def mentions_all(self, entry: Entry) -> np.ndarray:
        """For each passage, whether it (or its translation) mentions any form of `entry`."""
        key = id(entry)
        if key not in self._mentions:
            self._mentions[key] = np.array(
                [mentions(ko, entry) or mentions(en, entry)
                 for ko, en in zip(self.lower_texts, self.lower_texts_en, strict=True)]
            )  # fmt: skip
        return self._mentions[key]

    def mentions(self, i: int, entry: Entry) -> bool:
        return bool(self.mentions_all(entry)[i])

    def form_terms(self, form: str) -> tuple[str, ...]:
        """`nlp.form_terms(form)`, from the index when it was stored there (no Kiwi needed)."""
        known = self._form_terms.get(form)
        return known if known is not None else nlp.form_terms(form)

    def spots(self, entry: Entry) -> list[tuple[list[int], list[int]]]:
        """For each passage, where forms of `entry` start in (its text, its translation): found once per
        concept, as `mentions_all` is, and not again for every query that names it."""
        key = id(entry)
        if key not in self._spots:
            self._spots[key] = [
                (form_starts(ko, entry), form_starts(en, entry))
                for ko, en in zip(self.lower_texts, self.lower_texts_en, strict=True)
            ]
        return self._spots[key]

    def near(self, i: int, entries: list[Entry], window: int = 14) -> float:
        """1.0 when two different concepts of the query sit within `window` characters in passage `i`
        ("사만다(스칼렛 요한슨)", "Samantha (Scarlett Johansson)"), else 0.0."""
        found = [self.spots(entry)[i] for entry in entries]
        for side in (0, 1):  # the text, then its translation
            if close_pair([(start, k) for k, starts in enumerate(found) for start in starts[side]], window):
                return 1.0
        return 0.0

    def concept_weight(self, entry: Entry) -> float:
        """Rarer concepts weigh more: log(N / passages mentioning it)."""
        n = len(self.passages)
        df = int(self.mentions_all(entry).sum())
        return float(np.log((n + 1) / (df + 1)))


def form_starts(text: str, entry: Entry) -> list[int]:
    """Where forms of `entry` start in lower-cased `text`."""
    return [m.start() for form in entry.forms for m in form_pattern(form).finditer(text)]


def close_pair(spots: list[tuple[int, int]], window: int) -> bool:
    """Whether two (position, concept) spots of different concepts sit within `window` characters."""
    spots.sort()
    return any(ka != kb and b - a <= window for (a, ka), (b, kb) in itertools.pairwise(spots))


def near_text(text: str, entries: list[Entry], window: int = 14) -> float:
    """1.0 when forms of two different entries sit within `window` characters in lower-cased `text`."""
    spots = [(start, k) for k, entry in enumerate(entries) for start in form_starts(text, entry)]
    return 1.0 if close_pair(spots, window) else 0.0
