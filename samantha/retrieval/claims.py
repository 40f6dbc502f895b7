"""Claim-level checking: an answer split into its claims, each checked against the facts of the reviews.

A citation says where an answer claims to come from; it does not say the answer is true ("Spike Jonze's
film, directed by Amy Adams [1]" cites a passage that names Spike Jonze). So every sentence of an answer
that states something checkable (a person, a role, a number, a date, a place) is compared with the facts
read from the reviews at index time (`facts.py`):
- a claim that quotes a given passage (or its translation) is supported by it;
- a person in a role the reviews give to someone else ("Scarlett Johansson directed it": she voices
  Samantha), or a number the reviews give differently (150 minutes; they say 123 and 125) is
  contradicted;
- a claim whose people or numbers the reviews never mention ("composed by Hans Zimmer"), or that asserts
  something about a topic they never cover (awards, the budget), is unsupported;
- anything else that names the film's people, roles or figures as the reviews do is supported.
Sentences that state nothing checkable (impressions, greetings, a refusal) are not claims. Negated
sentences ("the reviews don't say who composed it") are not claims either.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from samantha.records import Passage
from samantha.retrieval.facts import PLACES, Fact, canonical
from samantha.retrieval.glossary import Entry, Glossary

SUPPORTED, UNSUPPORTED, CONTRADICTED = "supported", "unsupported", "contradicted"

_MARKER = re.compile(r"\s*\[\d{1,3}\]")
_SPLIT = re.compile(r"(?<=[.!?。])[\"'”’)\]]*\s+|\n+|;\s+")
_QUOTES = "\"'“”‘’「」"
_HANGUL = re.compile(r"[가-힣]")
NEGATION = re.compile(
    r"(?i)\b(?:not|no|never|don't|doesn't|didn't|isn't|aren't|wasn't|cannot|can't|won't|nothing|neither|"
    r"unknown|unclear)\b|않|없|모르|못\s"
)
DIRECTOR_WORD = re.compile(
    r"(?i)\b(?:directed|directs|direct|director|directing|filmmaker|helmed)\b|감독|연출"
)
CAST_WORD = re.compile(
    r"(?i)\b(?:plays?|played|playing|voices?|voiced|voicing|stars?|starred|starring|portrays?|portrayed|"
    r"as|cast|role)\b|\(|역|연기|목소리|맡|주연|출연|(?<![가-힣])분(?![가-힣])"
)
_FOLLOWING = re.compile(r"^[\s:,]*(?:by|is|was|:|은|는|이|가)?[\s:,]*$", re.IGNORECASE)
_PRECEDING = re.compile(
    r"^[\s,)]*(?:who|is the|was the|is|was|'s|가|이|은|는|감독이|감독은)?[\s,)]*(?:film'?s?\s*)?$",
    re.IGNORECASE,
)
MINUTES = re.compile(r"(?i)(\d{2,3})\s*(?:-\s*)?(?:minutes?|mins?\b|분)")
COUNT = re.compile(
    r"(?i)(\d[\d,]*)\s*(?:\+\s*)?(?:other\s+|more\s+|different\s+)?(?:people|persons|users|others|"
    r"individuals|humans|men|women|명)"
)
APPROX = re.compile(
    r"(?i)\b(?:about|around|roughly|approximately|some|nearly|almost|over|more than)\s*$|여\s*$"
)
DURATION = re.compile(r"(?i)\b(\d{1,2})\s*(?:years?\b|년\s*(?:간|동안))")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
DATE_EN = re.compile(r"(?i)\b(" + "|".join(MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)")
DATE_NUM = re.compile(r"((?:19|20)\d\d)\s*[.년-]\s*(\d{1,2})\s*[.월-]\s*(\d{1,2})")
NUMBER = re.compile(r"(?<![\d.])\d[\d,]*(?![\d])")
PLACE_EN = re.compile(r"(?:\bset|takes? place|located|lives?|living)\s+in\s+((?:[A-Z][\w.'-]*\s?){1,3})")
#: A Korean word beside a director word ("봉준호 감독", "감독은 봉준호입니다"), less its particle/ending.
KOREAN_DIRECTOR = re.compile(r"([가-힣]{2,8})\s*감독|감독(?:은|는|이|:)?\s*([가-힣]{2,12})")
KOREAN_ENDING = re.compile(
    r"(?:입니다|이에요|예요|이야|이다|였어요|이었어요|이고|이며|다|이|가|은|는|의|도)$"
)
#: Capitalised words that are not names, wherever they stand.
COMMON_CAPITALS = frozenset(
    {
        "I",
        "I'm",
        "I've",
        "I'd",
        "The",
        "A",
        "An",
        "In",
        "It",
        "It's",
        "He",
        "She",
        "They",
        "This",
        "That",
        "These",
        "Those",
        "His",
        "Her",
        "Hers",
        "Their",
        "Its",
        "Our",
        "My",
        "According",
        "From",
        "Yes",
        "No",
        "But",
        "And",
        "So",
        "Or",
        "Also",
        "Then",
        "When",
        "While",
        "After",
        "Before",
        "As",
        "At",
        "On",
        "By",
        "For",
        "With",
        "Of",
        "To",
        "Review",
        "Reviews",
        "Film",
        "Movie",
        "AI",
        "OS",
        "OS1",
        "LA",
        "HER",
        "SF",
        "US",
        "USA",
        "Korean",
        "Korea",
        "English",
    }
)
CAPITALISED_RUN = re.compile(r"(?<![\w'])([A-Z][\w'.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'.-]*)*)")


@dataclass
class Claim:
    text: str
    status: str
    citations: list[int] = field(default_factory=list)
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "status": self.status, "citations": self.citations, "reason": self.reason}


@dataclass
class _Mention:
    start: int
    end: int
    entry: Entry


@dataclass
class _Verdict:
    status: str = SUPPORTED
    reasons: list[str] = field(default_factory=list)
    evidence: list[Fact] = field(default_factory=list)
    names: list[Entry] = field(default_factory=list)
    factual: bool = False

    def fail(self, status: str, reason: str) -> None:
        self.factual = True
        if status == CONTRADICTED or self.status == SUPPORTED:
            self.status = status if self.status != CONTRADICTED else CONTRADICTED
        self.reasons.append(reason)


class ClaimChecker:
    """Checks answers against the facts of an index (built once per loaded corpus)."""

    def __init__(self, facts: list[Fact], glossary: Glossary, known_text: str, titles: list[str]) -> None:
        self.facts = facts
        self.glossary = glossary
        #: Everything indexed (Korean and English), lower-cased: a name found here is not invented.
        self.known_text = known_text.lower()
        self.titles = sorted({t for t in titles if t}, key=len, reverse=True)
        self.people = [e for e in glossary.entries if e.kind in ("person", "character")]
        self._by_kind: dict[str, list[Fact]] = {}
        for fact in facts:
            self._by_kind.setdefault(fact.kind, []).append(fact)

    def of(self, kind: str) -> list[Fact]:
        return self._by_kind.get(kind, [])

    # ---- splitting ----
    def split(self, answer: str) -> list[str]:
        """The answer's sentences, without citation markers, source labels or list bullets."""
        text = answer
        for title in self.titles:
            text = text.replace(title, " ")
        out = []
        for part in _SPLIT.split(text):
            part = part.strip().lstrip("-•*> ").strip()
            if len(part) >= 3:
                out.append(part)
        return out

    # ---- checking ----
    def check(self, answer: str, passages: list[Passage]) -> list[Claim]:
        """The factual claims of `answer`, each with its status and the given passages (from 1) behind it."""
        claims = []
        for sentence in self.split(answer):
            claim = self.check_claim(sentence, passages)
            if claim is not None:
                claims.append(claim)
        return claims

    def check_claim(self, sentence: str, passages: list[Passage]) -> Claim | None:
        bare = _MARKER.sub("", sentence).strip()
        plain = bare.strip(_QUOTES + " ")
        quoted = self._quoted_from(plain, passages)
        if quoted:
            return Claim(bare, SUPPORTED, quoted) if self._checkable(plain) else None
        if NEGATION.search(plain):
            return None
        verdict = _Verdict()
        mentions = self._mentions(plain)
        self._check_director(plain, mentions, verdict)
        self._check_cast(plain, mentions, verdict)
        self._check_numbers(plain, verdict)
        self._check_places(plain, verdict)
        self._check_unknown(plain, verdict)
        if mentions:
            verdict.factual = True
            verdict.names += [m.entry for m in mentions]
        if not verdict.factual:
            return None
        citations = self._citations(verdict, passages) if verdict.status == SUPPORTED else []
        return Claim(bare, verdict.status, citations, "; ".join(dict.fromkeys(verdict.reasons)))

    def _checkable(self, text: str) -> bool:
        return bool(self._mentions(text) or NUMBER.search(text))

    @staticmethod
    def _quoted_from(text: str, passages: list[Passage]) -> list[int]:
        """Passages (from 1) whose original or translation contains `text` word for word."""
        if len(text) < 12:
            return []
        needle = " ".join(text.split()).rstrip(".")
        return [
            n
            for n, p in enumerate(passages, start=1)
            if needle in " ".join(p.text.split()) or (p.text_en and needle in " ".join(p.text_en.split()))
        ]

    def _mentions(self, text: str) -> list[_Mention]:
        """The film's people and characters the text names, in order, overlaps resolved longest first."""
        found: list[_Mention] = []
        for entry in self.people:
            for form in entry.forms:
                if _HANGUL.search(form):
                    pattern = re.compile(re.escape(form))
                else:
                    words = r"\s+".join(re.escape(w) for w in form.split())
                    pattern = re.compile(rf"(?<![A-Za-z0-9]){words}(?![A-Za-z0-9])")
                found += [_Mention(m.start(), m.end(), entry) for m in pattern.finditer(text)]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[_Mention] = []
        for mention in found:
            if out and mention.start < out[-1].end:
                continue
            out.append(mention)
        return out

    def _check_director(self, text: str, mentions: list[_Mention], verdict: _Verdict) -> None:
        directors = {f.subject for f in self.of("director")}
        for word in DIRECTOR_WORD.finditer(text):
            after = next((m for m in mentions if m.start >= word.end()), None)
            before = next((m for m in reversed(mentions) if m.end <= word.start()), None)
            named: _Mention | None = None
            if after and _FOLLOWING.match(text[word.end() : after.start]):
                named = after
            elif before and _PRECEDING.match(text[before.end : word.start()]):
                named = before
            if named is None:
                self._check_korean_director(text, word, verdict)
                continue
            verdict.factual = True
            name = canonical(named.entry)
            if name in directors:
                verdict.evidence += [f for f in self.of("director") if f.subject == name]
            elif directors:
                verdict.fail(
                    CONTRADICTED, f"the reviews say {' and '.join(sorted(directors))} directed it, not {name}"
                )
            else:
                verdict.fail(UNSUPPORTED, f"the reviews never say {name} directed it")

    def _check_korean_director(self, text: str, word: re.Match[str], verdict: _Verdict) -> None:
        """A Korean name beside "감독" that no indexed text mentions: an invented director."""
        for match in KOREAN_DIRECTOR.finditer(text):
            if not (match.start() <= word.start() < match.end()):
                continue
            name = KOREAN_ENDING.sub("", match.group(1) or match.group(2) or "")
            if len(name) >= 2 and name not in self.known_text and not self.glossary.matches(name):
                verdict.fail(UNSUPPORTED, f"the reviews never mention {name}")

    def _check_cast(self, text: str, mentions: list[_Mention], verdict: _Verdict) -> None:
        cast = self.of("cast")
        for left, right in itertools.pairwise(mentions):
            kinds = {left.entry.kind, right.entry.kind}
            if kinds != {"person", "character"} or not CAST_WORD.search(text[left.end : right.start]):
                continue
            person, character = (left, right) if left.entry.kind == "person" else (right, left)
            actor, role = canonical(person.entry), canonical(character.entry)
            verdict.factual = True
            exact = [f for f in cast if f.subject == actor and f.value == role]
            if exact:
                verdict.evidence += exact
                continue
            plays = sorted({f.value for f in cast if f.subject == actor and f.value})
            played_by = sorted({f.subject for f in cast if f.value == role})
            if plays or played_by:
                says = (
                    f"{actor} plays {' / '.join(plays)}"
                    if plays
                    else f"{role} is played by {' / '.join(played_by)}"
                )
                verdict.fail(CONTRADICTED, f"the reviews say {says}")
            elif any(f.subject == actor for f in self.of("director")):
                verdict.fail(CONTRADICTED, f"the reviews say {actor} directed it")
            else:
                verdict.fail(UNSUPPORTED, f"the reviews never say who plays {role}")
        for word in re.finditer(r"(?i)\bstarring\b|\bstars\b|주연|출연", text):
            for mention in mentions:
                if mention.entry.kind != "person" or mention.start < word.end():
                    continue
                name = canonical(mention.entry)
                verdict.factual = True
                if any(f.subject == name for f in cast):
                    verdict.evidence += [f for f in cast if f.subject == name][:1]
                elif any(f.subject == name for f in self.of("director")):
                    verdict.fail(
                        CONTRADICTED, f"the reviews say {name} directed it; they do not list him in the cast"
                    )

    def _check_numbers(self, text: str, verdict: _Verdict) -> None:
        used: list[tuple[int, int]] = []

        def compare(kind: str, value: int, span: tuple[int, int], unit: str, approx: bool = False) -> None:
            used.append(span)
            verdict.factual = True
            facts = self.of(kind)
            values = [int(f.value) for f in facts]
            close = [
                f
                for f in facts
                if int(f.value) == value
                or ((approx or f.subject == "approx") and abs(int(f.value) - value) <= 0.1 * max(value, 1))
            ]
            if close:
                verdict.evidence += close
            elif values:
                said = " and ".join(f"{v:,}" for v in sorted(set(values)))
                verdict.fail(CONTRADICTED, f"the reviews give {said} {unit}, not {value:,}")
            else:
                verdict.fail(UNSUPPORTED, f"the reviews never give {value:,} {unit}")

        for m in MINUTES.finditer(text):
            compare("minutes", int(m.group(1)), m.span(), "minutes")
        for m in COUNT.finditer(text):
            approx = bool(APPROX.search(text[max(0, m.start() - 20) : m.start()])) or "여" in m.group(0)
            compare("count", int(m.group(1).replace(",", "")), m.span(), "people", approx)
        for m in DURATION.finditer(text):
            compare("years", int(m.group(1)), m.span(), "years")
        dates = {f.value for f in self.of("date")}
        for m in DATE_EN.finditer(text):
            month = MONTHS.index(m.group(1).lower()) + 1
            self._compare_date(f"{m.group(3)}-{month:02d}-{int(m.group(2)):02d}", dates, verdict)
            used.append(m.span())
        for m in DATE_NUM.finditer(text):
            self._compare_date(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", dates, verdict)
            used.append(m.span())
        for m in YEAR.finditer(text):
            if any(a <= m.start() < b for a, b in used):
                continue
            compare("year", int(m.group(1)), m.span(), "as the year")
        for m in NUMBER.finditer(text):
            if any(a <= m.start() < b for a, b in used):
                continue
            digits = m.group(0).replace(",", "")
            if len(digits) < 2:
                continue
            verdict.factual = True
            if not any(digits in f.value or digits in f.evidence.replace(",", "") for f in self.facts) and (
                digits not in self.known_text.replace(",", "")
            ):
                verdict.fail(UNSUPPORTED, f"the reviews never give the number {m.group(0)}")

    @staticmethod
    def _compare_date(date: str, dates: set[str], verdict: _Verdict) -> None:
        verdict.factual = True
        if dates and date not in dates:
            verdict.fail(CONTRADICTED, f"the reviews give {' and '.join(sorted(dates))} as the release date")

    def _check_places(self, text: str, verdict: _Verdict) -> None:
        places = {f.value for f in self.of("place")}
        for m in PLACE_EN.finditer(text):
            place = m.group(1).strip().rstrip(".,")
            if place.split()[0] in COMMON_CAPITALS:
                continue
            verdict.factual = True
            named = PLACES.get(place, place)
            if named in places:
                verdict.evidence += [f for f in self.of("place") if f.value == named]
            elif places:
                verdict.fail(CONTRADICTED, f"the reviews say it is set in {' and '.join(sorted(places))}")
            else:
                verdict.fail(UNSUPPORTED, f"the reviews never say it is set in {place}")

    def _check_unknown(self, text: str, verdict: _Verdict) -> None:
        """Names the reviews never mention, and topics they never cover (both unsupported)."""
        for match in self.glossary.matches(text):
            if match.entry.kind == "topic" and not match.entry.in_corpus:
                verdict.fail(UNSUPPORTED, f"the reviews never mention {match.form}")
        for run in CAPITALISED_RUN.finditer(text):
            words = run.group(1).split()
            while words and words[0] in COMMON_CAPITALS:
                words.pop(0)
            while words and words[-1].rstrip(".,'") in COMMON_CAPITALS:
                words.pop()
            if not words:
                continue
            name = " ".join(words).rstrip(".,'")
            at_start = run.start() == 0 or not text[: run.start()].strip(_QUOTES + " ")
            if len(words) == 1 and at_start:
                continue  # a capitalised first word is usually just the sentence's first word
            if self._known(name):
                continue
            verdict.fail(UNSUPPORTED, f"the reviews never mention {name}")

    def _known(self, name: str) -> bool:
        lowered = name.lower()
        if re.search(rf"(?<![a-z]){re.escape(lowered)}(?![a-z])", self.known_text):
            return True
        return any(m.entry.in_corpus and m.form.lower() == lowered for m in self.glossary.matches(name))

    def _citations(self, verdict: _Verdict, passages: list[Passage]) -> list[int]:
        """The given passages (from 1) that hold the facts the claim rests on, or name its people."""
        out: list[int] = []
        for n, passage in enumerate(passages, start=1):
            evidence = any(f.evidence in passage.text for f in verdict.evidence)
            named = any(f in passage.text for e in verdict.names for f in e.korean) and not verdict.evidence
            if evidence or named:
                out.append(n)
        return out


def all_supported(claims: list[Claim]) -> bool:
    return all(c.status == SUPPORTED for c in claims)


def flagged(claims: list[Claim]) -> list[Claim]:
    return [c for c in claims if c.status != SUPPORTED]


def claims_notice(claims: list[Claim], korean: bool) -> str:
    """The note a reply gets for each claim the reviews do not support: marked, with the reason."""
    lines = []
    for claim in flagged(claims):
        if korean:
            label = "리뷰와 다름" if claim.status == CONTRADICTED else "리뷰에 없음"
        else:
            label = "Contradicts the reviews" if claim.status == CONTRADICTED else "Not in the reviews"
        reason = f" ({claim.reason})" if claim.reason else ""
        lines.append(f"⚠ {label}: “{claim.text}”{reason}")
    return "\n".join(lines)
