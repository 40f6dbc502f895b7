"""Hybrid retrieval over the review corpus: BM25 over Korean morphemes and multilingual sentence vectors,
fused by reciprocal rank, then re-ranked.

1. The query is expanded with the glossary: "Who directed Her?" also searches "감독 연출", and every
   spelling of a name finds the others.
2. Lexical: FTS5 BM25 over Kiwi morphemes, the query's own terms weighted above the expansion's.
3. Semantic: the query vector against each passage vector and each of its sentences (the best sentence
   counts, so a long passage is not diluted), for the query and for its expanded form.
4. Reciprocal rank fusion of the two lists, then a re-ranking of the head by the normalised scores and
   by how many of the query's glossary concepts the passage actually mentions.
"""

from __future__ import annotations

import itertools
import logging
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from samantha.errors import UsageError
from samantha.records import Passage
from samantha.retrieval import nlp
from samantha.retrieval.glossary import Entry, Glossary, Match
from samantha.retrieval.index import CorpusIndex
from samantha.validation import check_text

if TYPE_CHECKING:
    from samantha.retrieval.answer import Grounding

logger = logging.getLogger(__name__)

RRF_K = 60
#: How many fused candidates the re-ranking step looks at.
RERANK_DEPTH = 30
EXPANSION_WEIGHT = 0.6
#: Re-ranking: semantic similarity (weight 1) plus normalised BM25, the share of the query's glossary
#: concepts the passage mentions (rarer concepts weigh more), and two of them side by side.
W_LEXICAL = 0.45
W_CONCEPTS = 0.35
W_NEAR = 0.6
_FTS_TERM = re.compile(r"[^\w]+", re.UNICODE)


@dataclass
class QueryAnalysis:
    """What the retriever made of a query; the answer step reuses it."""

    text: str
    terms: list[str]
    expansion_terms: list[str]
    matches: list[Match]
    vector: np.ndarray
    expanded_vector: np.ndarray | None = None
    linked_entries: list[Entry] = field(default_factory=list)
    """Entries linked to the query's (a role's actor) when the query asks about casting."""

    @property
    def uncovered(self) -> list[Match]:
        """Film topics the query asks about that no indexed text ever mentions (composer, budget...)."""
        return [m for m in self.matches if m.entry.kind == "topic" and not m.entry.in_corpus]


@dataclass
class Scored:
    index: int
    lexical: float = 0.0
    semantic: float = 0.0
    best_sentence: int = -1
    best_sentence_score: float = 0.0
    concepts: float = 0.0
    fused: float = 0.0
    final: float = 0.0
    why: dict[str, float] = field(default_factory=dict)


#: A chat turn gets at most this many passages from one review, so where reviews disagree the model
#: (and the grounded answer) sees more than one of them.
PER_SOURCE = 2


def diverse(ranked: list[Scored], k: int, passages: list[Passage]) -> list[Scored]:
    """The best `k`, at most `PER_SOURCE` from each review while others are close behind."""
    chosen: list[Scored] = []
    counts: dict[str, int] = {}
    for item in ranked:
        source = passages[item.index].source
        if counts.get(source, 0) < PER_SOURCE:
            chosen.append(item)
            counts[source] = counts.get(source, 0) + 1
        if len(chosen) == k:
            return chosen
    rest = [item for item in ranked if item not in chosen]
    return chosen + rest[: k - len(chosen)]


class _Loaded:
    """The index's passages and vectors, in memory (the corpus is small: a few hundred kilobytes)."""

    def __init__(self, index: CorpusIndex) -> None:
        rows = index.query("SELECT id, source, position, title, text, vector FROM passages ORDER BY id")
        self.ids = [r[0] for r in rows]
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.passages = [
            Passage(id=f"{r[1]}#{r[2]}", source=r[1], position=r[2], title=r[3], text=r[4]) for r in rows
        ]
        self.lower_texts = [p.text.lower() for p in self.passages]
        self.vectors = (
            np.frombuffer(b"".join(r[5] for r in rows), dtype=np.float32).reshape(len(rows), -1)
            if rows
            else np.zeros((0, 512), dtype=np.float32)
        )
        srows = index.query("SELECT passage_id, text, vector FROM sentences ORDER BY id")
        self.sentence_passage = np.array([self.row_of[r[0]] for r in srows], dtype=np.int64)
        self.sentence_texts = [r[1] for r in srows]
        self.sentence_vectors = (
            np.frombuffer(b"".join(r[2] for r in srows), dtype=np.float32).reshape(len(srows), -1)
            if srows
            else np.zeros((0, 512), dtype=np.float32)
        )
        corpus = "\n".join(f"{p.title}\n{p.text}" for p in self.passages)
        titles = sorted({p.title for p in self.passages})
        self.glossary = Glossary.build([*titles, *(p.text for p in self.passages)])
        self.glossary.mark_coverage(corpus)
        #: Everything indexed, lower-cased: the answer step checks the question's nouns against it.
        self.corpus_lower = corpus.lower()
        self._mentions: dict[int, np.ndarray] = {}

    def mentions_all(self, entry: Entry) -> np.ndarray:
        """For each passage, whether it mentions any form of `entry`."""
        key = id(entry)
        if key not in self._mentions:
            forms = [f.lower() for f in entry.forms]
            self._mentions[key] = np.array([any(f in t for f in forms) for t in self.lower_texts])
        return self._mentions[key]

    def near(self, i: int, entries: list[Entry], window: int = 14) -> float:
        """1.0 when two different concepts of the query sit within `window` characters in passage `i`
        ("사만다(스칼렛 요한슨)"), else 0.0."""
        return self.near_text(self.lower_texts[i], entries, window)

    @staticmethod
    def near_text(text: str, entries: list[Entry], window: int = 14) -> float:
        spots: list[tuple[int, int]] = []
        for k, entry in enumerate(entries):
            for form in entry.forms:
                start = text.find(form.lower())
                while start >= 0:
                    spots.append((start, k))
                    start = text.find(form.lower(), start + 1)
        spots.sort()
        for (a, ka), (b, kb) in itertools.pairwise(spots):
            if ka != kb and b - a <= window:
                return 1.0
        return 0.0

    def mentions(self, i: int, entry: Entry) -> bool:
        return bool(self.mentions_all(entry)[i])

    def concept_weight(self, entry: Entry) -> float:
        """Rarer concepts weigh more: log(N / passages mentioning it)."""
        n = len(self.passages)
        df = int(self.mentions_all(entry).sum())
        return float(np.log((n + 1) / (df + 1)))


class HybridRetriever:
    """The film-knowledge retriever: `search` for the command line, `passages_for_turn` for a chat turn."""

    def __init__(self, index: CorpusIndex | None = None, *, sync: bool = True) -> None:
        self._index = index
        self._sync = sync
        self._loaded: _Loaded | None = None
        self._generation = -1
        self._lock = threading.Lock()

    @property
    def index(self) -> CorpusIndex:
        if self._index is None:
            self._index = CorpusIndex()
        return self._index

    def data(self) -> _Loaded:
        with self._lock:
            if self._loaded is None or self._generation != self.index.generation:
                if self._sync and self._loaded is None:
                    self.index.sync()
                self._loaded = _Loaded(self.index)
                self._generation = self.index.generation
            return self._loaded

    @property
    def glossary(self) -> Glossary:
        return self.data().glossary

    # ---- query analysis ----
    def analyse(self, query: str) -> QueryAnalysis:
        text = " ".join(check_text(query, "query").split())
        data = self.data()
        matches = data.glossary.matches(text)
        casting = any(m.entry.kind == "cast" for m in matches)
        korean, _english = data.glossary.expand(text, linked=casting, matches=matches)
        linked_entries = data.glossary.linked_entries(matches) if casting else []
        # On a cold start Kiwi loads on the other core while the encoder loads and runs here.
        kiwi_loading = None if nlp.kiwi_ready() else nlp.warm_up_kiwi()
        vectors = nlp.encode([text, f"{text} {' '.join(korean)}"] if korean else [text])
        if kiwi_loading is not None:
            kiwi_loading.join()
        terms = nlp.terms(text)
        expansion: list[str] = []
        for form in korean:
            for term in nlp.form_terms(form):
                if term not in terms and term not in expansion:
                    expansion.append(term)
        return QueryAnalysis(
            text=text,
            terms=terms,
            expansion_terms=expansion,
            matches=matches,
            vector=vectors[0],
            expanded_vector=vectors[1] if len(vectors) > 1 else None,
            linked_entries=linked_entries,
        )

    # ---- the two retrievers ----
    def lexical_scores(self, terms: list[str], grams: list[str] | None = None) -> dict[int, float]:
        """BM25 (higher is better) for each passage row matching any of `terms` (morphemes) or `grams`
        (Hangul bigrams, weighted lower)."""
        cleaned = {_FTS_TERM.sub(" ", t).strip() for t in terms}
        phrases = [f'terms:"{t}"' for t in sorted(cleaned) if t]
        phrases += [f'grams:"{g}"' for g in sorted(set(grams or []))]
        if not phrases:
            return {}
        rows = self.index.query(
            "SELECT rowid, bm25(passage_terms, 1.0, 0.35) FROM passage_terms WHERE passage_terms MATCH ?",
            (" OR ".join(phrases),),
        )
        data = self.data()
        return {data.row_of[rowid]: -score for rowid, score in rows if rowid in data.row_of}

    def semantic_scores(self, analysis: QueryAnalysis) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per passage: the best of passage and sentence similarity; and per sentence, its similarity."""
        data = self.data()
        queries = [analysis.vector]
        if analysis.expanded_vector is not None:
            queries.append(analysis.expanded_vector)
        q = np.stack(queries)
        passage_sim = (data.vectors @ q.T).max(axis=1)
        sentence_sim = (data.sentence_vectors @ q.T).max(axis=1)
        best_sentence = np.full(len(data.passages), -1, dtype=np.int64)
        best_score = np.full(len(data.passages), -1.0, dtype=np.float32)
        order = np.argsort(sentence_sim)  # ascending: the last write per passage is its best sentence
        best_sentence[data.sentence_passage[order]] = order
        best_score[data.sentence_passage[order]] = sentence_sim[order]
        semantic = np.maximum(passage_sim, best_score)
        return semantic, best_sentence, sentence_sim

    # ---- fusion and re-ranking ----
    def rank(self, analysis: QueryAnalysis) -> list[Scored]:
        data = self.data()
        n = len(data.passages)
        if n == 0:
            return []
        lexical = self.lexical_scores(analysis.terms, nlp.bigrams(analysis.text))
        expanded = (
            self.lexical_scores(analysis.expansion_terms, nlp.bigrams(" ".join(analysis.expansion_terms)))
            if analysis.expansion_terms
            else {}
        )
        lex = np.zeros(n, dtype=np.float32)
        for i, s in lexical.items():
            lex[i] += s
        for i, s in expanded.items():
            lex[i] += EXPANSION_WEIGHT * s
        semantic, best_sentence, sentence_sim = self.semantic_scores(analysis)

        lex_rank = np.argsort(-lex)
        sem_rank = np.argsort(-semantic)
        fused = np.zeros(n, dtype=np.float64)
        for r, i in enumerate(lex_rank):
            if lex[i] > 0:
                fused[i] += 1.0 / (RRF_K + r + 1)
        for r, i in enumerate(sem_rank):
            fused[i] += 1.0 / (RRF_K + r + 1)

        head = np.argsort(-fused)[:RERANK_DEPTH]
        lex_max = float(lex.max()) or 1.0
        linked_entries = analysis.linked_entries
        # For "who plays X" the role's linked names (the actor) are part of what a good passage mentions.
        concept_entries = [m.entry for m in analysis.matches if m.entry.in_corpus] + linked_entries
        weights = [data.concept_weight(e) for e in concept_entries]
        total_weight = sum(weights) or 1.0
        scored = []
        for i in head:
            concepts = 0.0
            if concept_entries:
                concepts = (
                    sum(w for e, w in zip(concept_entries, weights, strict=True) if data.mentions(i, e))
                    / total_weight
                )
            item = Scored(
                index=int(i),
                lexical=float(lex[i]),
                semantic=float(semantic[i]),
                best_sentence=int(best_sentence[i]),
                best_sentence_score=float(sentence_sim[best_sentence[i]]) if best_sentence[i] >= 0 else 0.0,
                concepts=concepts,
                fused=float(fused[i]),
            )
            item.why["near"] = near = data.near(int(i), concept_entries)
            lexical_share = float(lex[i] / lex_max)
            item.final = W_LEXICAL * lexical_share + item.semantic + W_CONCEPTS * concepts + W_NEAR * near
            scored.append(item)
        scored.sort(key=lambda s: -s.final)
        return scored

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best passages for `query`, best first; `score` is the re-ranking score."""
        analysis = self.analyse(query)
        return self.passages(self.rank(analysis)[:k])

    def passages(self, scored: list[Scored]) -> list[Passage]:
        data = self.data()
        return [data.passages[s.index].model_copy(update={"score": round(s.final, 4)}) for s in scored]

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        from samantha.retrieval.gate import FILM_WORDS, about_the_film

        try:
            # Cheap first: a message that names neither the film nor anything in the glossary cannot
            # pass the gate, so plain chat never waits for the language models to load.
            if not FILM_WORDS.search(text) and not self.data().glossary.matches(text):
                return []
            analysis = self.analyse(text)
        except UsageError:
            return []  # too long or empty to search: ordinary chat as far as the reviews go
        except (sqlite3.Error, OSError) as exc:
            # A chat turn goes on without film knowledge rather than failing; `samantha search` shows why.
            logger.warning("film retrieval unavailable: %s", exc)
            return []
        ranked = self.rank(analysis)
        if not ranked or not about_the_film(analysis, ranked[0]):
            return []
        return self.passages(diverse(ranked, k, self.data().passages))

    def ground(self, question: str, passages: list[Passage]) -> Grounding:
        """The answer the passages (numbered from 1 as given) support, quoted, or that they support none."""
        from samantha.retrieval.answer import ground

        return ground(self, question, passages)

    def warm_up(self) -> None:
        """Load the models and the index in the background, so the first question is quick."""

        def load() -> None:
            nlp.kiwi().tokenize("영화")
            nlp.encode(["warm up"])
            self.data()

        threading.Thread(target=load, name="retrieval-warm-up", daemon=True).start()
