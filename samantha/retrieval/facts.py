"""Facts the reviews state, read from their Korean text at index time, each with the passage it came from.

The claim checker (`claims.py`) compares an answer's names, roles and numbers with these: who directed the
film, who plays whom, the running time, the release date and year, the rating, the setting, the counts
("8,316명", "600여 명"). They are read with a few patterns over the reviews' own wording and the glossary's
names, so a user's added file contributes its facts too, and where reviews disagree (123 vs 125 minutes)
both values are facts, each with its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samantha.retrieval.glossary import Entry, Glossary

#: Kinds of fact: director (subject: a person), cast (subject: a person, value: the character or ""),
#: minutes, date ("2014-05-22"), year, rating, place, count (value: digits; subject "approx" when "여"),
#: years (a duration).
KINDS = ("director", "cast", "minutes", "date", "year", "rating", "place", "count", "years")

_MINUTES = re.compile(r"(\d{2,3})\s*분")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[.년-]\s*(\d{1,2})\s*[.월-]\s*(\d{1,2})")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:\)|년\s*(?:영화|작품|개봉)|년에\s*(?:개봉|나온|만들))")
_COUNT = re.compile(r"(\d[\d,]*)\s*(여\s*)?명")
_DURATION = re.compile(r"(\d{1,2})\s*년\s*(?:간|동안)")
_RATING = re.compile(r"등급\s*[:：]\s*(.+)$")
_CAST_LIST = re.compile(r"주연\s*[:：]|출연")
#: Places the film is set in, as the reviews write them, with the English form.
PLACES = {"로스앤젤레스": "Los Angeles", "엘에이": "Los Angeles", "LA": "Los Angeles"}
_SETTING = re.compile(r"배경으로|배경은|에서 펼쳐")


@dataclass(frozen=True)
class Fact:
    kind: str
    subject: str
    """A person's canonical name (director, cast), "approx" for a rounded count, else ""."""
    value: str
    """The character (cast), the number's digits, the date, the rating or the place."""
    evidence: str
    """The sentence it was read from."""
    passage: str = ""
    """The id of the passage holding that sentence (`source#position`), once indexed."""


def canonical(entry: Entry) -> str:
    """The name an entry is known by in facts and claims: its first English form, else its first form."""
    return entry.english[0] if entry.english else entry.forms[0]


def _named(sentence: str, entries: list[Entry]) -> list[tuple[int, Entry, str]]:
    """(position, entry, form) for every entry a Korean sentence names, in order."""
    found: list[tuple[int, Entry, str]] = []
    for entry in entries:
        for form in sorted(entry.korean, key=len, reverse=True):
            at = sentence.find(form)
            if at >= 0:
                found.append((at, entry, form))
                break
    return sorted(found, key=lambda item: item[0])


def facts_in_sentence(sentence: str, glossary: Glossary) -> list[Fact]:
    """Every fact one Korean sentence states."""
    people = [e for e in glossary.entries if e.kind == "person"]
    characters = [e for e in glossary.entries if e.kind == "character"]
    out: list[Fact] = []

    def add(kind: str, subject: str, value: str) -> None:
        fact = Fact(kind, subject, value, sentence)
        if fact not in out:
            out.append(fact)

    named_people = _named(sentence, people)
    directors: set[int] = set()
    for _at, person, form in named_people:
        f = re.escape(form)
        if re.search(rf"감독\s*[:：]?\s*{f}|{f}(?:\s*\([^)]*\))?\s*감독|{f}\S*\s*연출", sentence):
            add("director", canonical(person), "")
            directors.add(id(person))
    # "사만다(스칼렛 요한슨)", "“사만다”(스칼렛 요한슨 분)", "호아킨 피닉스가 주인공인 존"
    for _at, character, _form in _named(sentence, characters):
        for _pat, person, pform in named_people:
            for cform in character.korean:
                c, p = re.escape(cform), re.escape(pform)
                if re.search(rf"{c}\s*[\"'’”]?\s*\(\s*{p}|{p}\S*\s+주인공인\s+{c}", sentence):
                    add("cast", canonical(person), canonical(character))
    if _CAST_LIST.search(sentence):
        for _at, person, _form in named_people:
            if id(person) not in directors:
                add("cast", canonical(person), "")
    for match in _MINUTES.finditer(sentence):
        if 60 <= int(match.group(1)) <= 240:
            add("minutes", "", match.group(1))
    for match in _DATE.finditer(sentence):
        year, month, day = match.groups()
        add("date", "", f"{year}-{int(month):02d}-{int(day):02d}")
        add("year", "", year)
    for match in _YEAR.finditer(sentence):
        add("year", "", match.group(1))
    for match in _COUNT.finditer(sentence):
        add("count", "approx" if match.group(2) else "", match.group(1).replace(",", ""))
    for match in _DURATION.finditer(sentence):
        add("years", "", match.group(1))
    rating = _RATING.search(sentence)
    if rating:
        add("rating", "", rating.group(1).strip())
    if _SETTING.search(sentence):
        for korean, english in PLACES.items():
            if korean in sentence:
                add("place", "", english)
    return out


def facts_in_sentences(sentences: list[str], glossary: Glossary) -> list[list[Fact]]:
    """Per sentence, the facts it states."""
    return [facts_in_sentence(s, glossary) for s in sentences]
