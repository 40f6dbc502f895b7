"""Turning free text into safe FTS5 queries that stay fast on a million messages.

The user's words are never passed to FTS5 as syntax: each term is quoted. Korean words carry their
particles ("언니가", "언니는"), so a trailing particle is cut and Korean terms match as prefixes.
Ranking by BM25 costs about a microsecond per matching row, so terms that match very many rows are
probed first (with a bounded count) and left out when rarer terms exist.
"""

from __future__ import annotations

import re

_SPLIT = re.compile(r"[\W_]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")

#: Trailing Korean particles and copulas, longest first, cut from query terms (not from stored text).
KOREAN_PARTICLES = (
    "에서는", "이라고", "한테서", "이에요", "입니다", "이랑", "에서", "한테", "으로", "에게", "까지", "부터",
    "이야", "예요", "라고", "처럼", "보다", "은", "는", "이", "가", "을", "를", "에", "의", "도", "로",
    "와", "과", "랑", "야", "요",
)  # fmt: skip

_STOPWORDS_EN = """a an and are as at be been but by can could did do does for from had has have he her him
his how i i'm if in into is it its just me my no not of on or our she so than that the their them then there
they this to too up us was we were what when where which who why will with would you your yours about all
also am any because before after more most much some such very really like get got know yeah yes ok okay
oh hi hello hey tell said say"""
_STOPWORDS_KO = """나 너 저 제 내 네 우리 그 이 저는 나는 그리고 그런데 근데 하지만
그래서 정말 진짜 너무 좀 왜 뭐 어떻게 그냥 있어 없어"""
STOPWORDS = frozenset(_STOPWORDS_EN.split() + _STOPWORDS_KO.split())


def _strip_particle(term: str) -> str:
    for particle in KOREAN_PARTICLES:
        if term.endswith(particle) and len(term) - len(particle) >= 1:
            return term[: -len(particle)]
    return term


def _english_stem(term: str) -> str:
    """A crude stem for prefix matching: "sisters" -> "sister", "marriage" -> "marri"."""
    for suffix in ("ing", "ed", "es", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            term = term[: -len(suffix)]
            break
    # Long words lose a few letters more, so "marriage" also finds "married".
    return term[: max(5, len(term) - 3)] if len(term) >= 7 else term


def query_terms(text: str, limit: int = 12) -> list[str]:
    """Distinct FTS5 terms for `text`, each quoted, Korean and long Latin ones as prefixes."""
    terms: list[str] = []
    for raw in _SPLIT.split(text.lower()):
        if not raw or raw in STOPWORDS:
            continue
        if _HANGUL.search(raw):
            stem = _strip_particle(raw)
            if stem in STOPWORDS:
                continue
            term = f'"{stem}"*'
        elif len(raw) == 1 and raw.isascii():
            continue
        elif raw.isalpha() and (len(raw) >= 5 or _english_stem(raw) != raw):
            term = f'"{_english_stem(raw)}"*'
        else:
            term = f'"{raw}"'
        if term not in terms:
            terms.append(term)
        if len(terms) >= limit:
            break
    return terms
