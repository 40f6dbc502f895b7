"""Hybrid retrieval over the bilingual review corpus: BM25 over Korean morphemes and over the English
translation's words, and multilingual sentence vectors on both sides, fused by reciprocal rank, then
re-ranked.

1. The query is expanded with the glossary: "Who directed Her?" also searches "감독 연출", and every
   spelling of a name finds the others.
2. Lexical: FTS5 BM25 over Kiwi morphemes, the query's own terms weighted above the expansion's; an
   English query is also matched (Porter-stemmed) against the passages' English translations.
3. Semantic: the query vector against each passage vector and each of its sentences (the best sentence
   counts, so a long passage is not diluted), for the query and for its expanded form; an English query
   also against the English sentences, where it meets its own language.
4. Reciprocal rank fusion of the two lists, then a re-ranking of the head by the normalised scores and
   by how many of the query's glossary concepts the passage actually mentions.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading

import numpy as np

from samantha.errors import UsageError
from samantha.records import Passage
from samantha.retrieval import answer, gate, nlp, shipped
from samantha.retrieval.claims import Claim
from samantha.retrieval.corpus import Corpus
from samantha.retrieval.glossary import Glossary
from samantha.retrieval.index import CorpusIndex
from samantha.retrieval.types import Grounding, QueryAnalysis, Scored
from samantha.retrieval.words import english_words
from samantha.validation import check_text

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
#: The passage's best sentence's share of the question's own words, by rarity (`Corpus.words_share`).
W_WORDS = 0.8
_FTS_TERM = re.compile(r"[^\w]+", re.UNICODE)


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


#: How much the English BM25 counts beside the Korean one, for an English query.
W_ENGLISH_LEXICAL = 1.0


class HybridRetriever:
    """The film-knowledge retriever: `search` for the command line, `passages_for_turn` for a chat turn,
    `ground` for the answer the passages support and `check_claims` for what an answer asserts."""

    def __init__(self, index: CorpusIndex | None = None, *, sync: bool = True) -> None:
        self._index = index
        self._sync = sync
        self._corpus: Corpus | None = None
        self._generation = -1
        self._lock = threading.Lock()

    @property
    def index(self) -> CorpusIndex:
        if self._index is None:
            self._index = shipped.open_index()
        return self._index

    def corpus(self) -> Corpus:
        """The indexed corpus in memory, (re)loaded when the index changed."""
        with self._lock:
            if self._corpus is None or self._generation != self.index.generation:
                if self._sync and self._corpus is None:
                    self.index.sync()
                self._corpus = Corpus(self.index)
                self._generation = self.index.generation
            return self._corpus

    @property
    def glossary(self) -> Glossary:
        return self.corpus().glossary

    # ---- query analysis ----
    def analyse(self, query: str) -> QueryAnalysis:
        text = " ".join(check_text(query, "query").split())
        corpus = self.corpus()
        matches = corpus.glossary.matches(text)
        casting = any(m.entry.kind == "cast" for m in matches)
        korean, _english = corpus.glossary.expand(text, linked=casting, matches=matches)
        linked_entries = corpus.glossary.linked_entries(matches) if casting else []
        # On a cold start Kiwi loads on the other core while the encoder loads and runs here (plain English
        # needs no Kiwi: its terms are split without it, its glossary forms' terms come from the index).
        needs_kiwi = nlp.needs_kiwi(text) and not nlp.kiwi_ready()
        kiwi_loading = nlp.warm_up_kiwi() if needs_kiwi else None
        vectors = nlp.encode([text, f"{text} {' '.join(korean)}"] if korean else [text])
        if kiwi_loading is not None:
            kiwi_loading.join()
        terms = nlp.terms(text)
        expansion: list[str] = []
        for form in korean:
            for term in corpus.form_terms(form):
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
            english=not answer.HANGUL.search(text),
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
        corpus = self.corpus()
        return {corpus.row_of[rowid]: -score for rowid, score in rows if rowid in corpus.row_of}

    def english_scores(self, words: list[str]) -> dict[int, float]:
        """BM25 of English `words` against the passages' English side (Porter-stemmed)."""
        cleaned = sorted({_FTS_TERM.sub(" ", w).strip() for w in words} - {""})
        if not cleaned:
            return {}
        rows = self.index.query(
            "SELECT rowid, bm25(passage_words_en) FROM passage_words_en WHERE passage_words_en MATCH ?",
            (" OR ".join(f'"{w}"' for w in cleaned),),
        )
        corpus = self.corpus()
        return {corpus.row_of[rowid]: -score for rowid, score in rows if rowid in corpus.row_of}

    def semantic_scores(
        self, analysis: QueryAnalysis, *, bilingual: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per passage: the best of passage and sentence similarity, and its best sentence; per sentence,
        its similarity. With `bilingual`, an English query is also compared with the English side."""
        corpus = self.corpus()
        queries = [analysis.vector]
        if analysis.expanded_vector is not None:
            queries.append(analysis.expanded_vector)
        q = np.stack(queries)
        passage_sim = (corpus.vectors @ q.T).max(axis=1)
        sentence_sim = (corpus.sentence_vectors @ q.T).max(axis=1)
        if bilingual and analysis.english:
            passage_sim = np.maximum(passage_sim, corpus.vectors_en @ analysis.vector)
            sentence_sim = np.maximum(sentence_sim, corpus.sentence_vectors_en @ analysis.vector)
        best_sentence, best_score = self._best_per_passage(sentence_sim)
        return np.maximum(passage_sim, best_score), best_sentence, sentence_sim

    def _best_per_passage(self, sentence_sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        corpus = self.corpus()
        best_sentence = np.full(len(corpus.passages), -1, dtype=np.int64)
        best_score = np.full(len(corpus.passages), -1.0, dtype=np.float32)
        order = np.argsort(sentence_sim)  # ascending: the last write per passage is its best sentence
        best_sentence[corpus.sentence_passage[order]] = order
        best_score[corpus.sentence_passage[order]] = sentence_sim[order]
        return best_sentence, best_score

    # ---- fusion and re-ranking ----
    def rank(self, analysis: QueryAnalysis) -> list[Scored]:
        corpus = self.corpus()
        n = len(corpus.passages)
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
        if analysis.english:
            for i, s in self.english_scores(english_words(analysis.text)).items():
                lex[i] += W_ENGLISH_LEXICAL * s
        semantic, best_sentence, sentence_sim = self.semantic_scores(analysis)
        # The film gate's thresholds were set on similarity to the originals: it keeps seeing those.
        original = self.semantic_scores(analysis, bilingual=False)[0] if analysis.english else semantic

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
        weights = [corpus.concept_weight(e) for e in concept_entries]
        total_weight = sum(weights) or 1.0
        # "Who plays Theodore?": what counts side by side is the role and its actor
        # ("테오도르(호아킨 피닉스)"), not the word "starring" beside some actor in a cast list.
        roles = [m.entry for m in analysis.matches if m.entry.kind == "character" and m.entry.in_corpus]
        near_entries = roles + linked_entries if roles and linked_entries else concept_entries
        # A passage with one sentence that holds most of the question's rarer words ("Catherine ...
        # cannot understand ... dating an OS") more likely answers than one where they are scattered.
        own_words = corpus.weighted_words(analysis.text, analysis.english, analysis.terms)
        scored = []
        for i in head:
            concepts = 0.0
            if concept_entries:
                concepts = (
                    sum(w for e, w in zip(concept_entries, weights, strict=True) if corpus.mentions(i, e))
                    / total_weight
                )
            item = Scored(
                index=int(i),
                lexical=float(lex[i]),
                semantic=float(original[i]),
                best_sentence=int(best_sentence[i]),
                best_sentence_score=float(sentence_sim[best_sentence[i]]) if best_sentence[i] >= 0 else 0.0,
                concepts=concepts,
                fused=float(fused[i]),
            )
            item.why["near"] = near = corpus.near(int(i), near_entries)
            lexical_share = float(lex[i] / lex_max)
            item.final = (
                W_LEXICAL * lexical_share
                + float(semantic[i])
                + W_CONCEPTS * concepts
                + W_NEAR * near
                + W_WORDS
                * max((corpus.words_share(s, own_words) for s in corpus.sentences_of(int(i))), default=0)
            )
            scored.append(item)
        scored.sort(key=lambda s: -s.final)
        return scored

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best passages for `query`, best first; `score` is the re-ranking score."""
        analysis = self.analyse(query)
        return self.passages(self.rank(analysis)[:k])

    def passages(self, scored: list[Scored]) -> list[Passage]:
        corpus = self.corpus()
        return [corpus.passages[s.index].model_copy(update={"score": round(s.final, 4)}) for s in scored]

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        try:
            # Cheap first: a message with no film words is not about the film, so plain chat never
            # waits for the language models to load.
            if not gate.could_be_about_film(text, self.corpus().glossary):
                return []
            analysis = self.analyse(text)
        except UsageError:
            return []  # too long or empty to search: ordinary chat as far as the reviews go
        except (sqlite3.Error, OSError) as exc:
            # A chat turn goes on without film knowledge rather than failing; `samantha search` shows why.
            logger.warning("film retrieval unavailable: %s", exc)
            return []
        ranked = self.rank(analysis)
        if not ranked or not gate.about_the_film(analysis, ranked[0]):
            return []
        return self.passages(diverse(ranked, k, self.corpus().passages))

    def ground(self, question: str, passages: list[Passage]) -> Grounding:
        """The answer the passages (numbered from 1 as given) support, in the question's language, or that
        they support none."""
        return answer.ground(self.corpus(), self.analyse(question), passages)

    def check_claims(self, text: str, passages: list[Passage]) -> list[Claim]:
        """The factual claims of an answer, each checked against the reviews' facts (see `claims`)."""
        return self.corpus().checker.check(text, passages)

    def warm_up(self) -> None:
        """Load the models and the index in the background, so the first question is quick."""

        def load() -> None:
            nlp.kiwi().tokenize("영화")
            nlp.encode(["warm up"])
            self.corpus()

        threading.Thread(target=load, name="retrieval-warm-up", daemon=True).start()
