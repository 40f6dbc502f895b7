"""An English-Korean glossary for the film: names in all their spellings and the words people ask with.

Two sources: pairs the reviews write themselves ("스파이크 존즈(Spike Jonze)", "사만다(스칼렛 요한슨)"),
found by `pairs_from_text` at index time, and a hand-written list of names and film vocabulary below.
A query is expanded with every form of every entry it mentions, so an English question finds Korean
text (BM25 sees "감독" for "director") and "스칼릿 조핸슨" finds "스칼렛 요한슨".
Entries whose forms never occur in the corpus are still useful: they tell the answer step that the
question is about something the reviews never mention (who composed the music, the budget, awards).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

#: Each line is one concept: its forms separated by "|". English forms are matched as whole words
#: (case-insensitive, a trailing "s" allowed); Korean forms as substrings of the query.
#: `kind`: person (a real person), character, role (hero, heroine), film (what a film's fact sheet says),
#: cast (who plays whom),
#: fact (anything else the reviews state) or topic (film questions the reviews never answer).
SEED: list[tuple[str, str]] = [
    # people
    ("person", "Spike Jonze|Jonze|스파이크 존즈|존즈"),
    ("person", "Joaquin Phoenix|Phoenix|호아킨 피닉스|피닉스"),
    ("person", "Scarlett Johansson|Johansson|스칼렛 요한슨|스칼릿 조핸슨|요한슨|조핸슨"),
    ("person", "Amy Adams|Adams|에이미 아담스|에이미 애덤스|아담스|애덤스"),
    ("person", "Rooney Mara|Mara|루니 마라"),
    ("person", "Olivia Wilde|Wilde|올리비아 와일드"),
    # characters
    ("character", "Theodore|Theodore Twombly|테오도르|시어도어|테오로드"),
    ("character", "Samantha|사만다|사만사"),
    ("character", "Catherine|캐서린"),
    ("character", "Amy|에이미"),
    ("character", "Amelia|아멜리아"),
    ("character", "Isabella|이사벨라"),
    ("character", "Alan|Alan Watts|앨런"),
    ("character", "Charles|찰스"),
    ("character", "John|존"),
    ("role", "hero|protagonist|main character|lead|주인공|남주|남자 주인공"),
    ("role", "heroine|female lead|여주인공|여주"),
    # facts the reviews state
    ("film", "director|directed|direct|directing|filmmaker|감독|연출"),
    ("film", "running time|runtime|how long|length|long is|minutes|러닝타임|상영시간|상영 시간|분"),
    ("film", "release|released|release date|came out|come out|comes out|premiere|in theaters|개봉|개봉일"),
    ("fact", "Korea|Korean|South Korea|한국|국내"),
    ("film", "rating|rated|age rating|certificate|등급|관람|청소년 관람 불가"),
    ("film", "genre|kind of film|type of movie|장르|로맨스|멜로|드라마"),
    ("cast", "cast|starring|star|stars|actor|actress|played|plays|play|role|part|역|주연|출연|배우|연기"),
    ("cast", "voice|voiced|voices|voice actor|목소리|성우"),
    ("fact", "year|made|2013|제작|2013년"),
    ("fact", "country|American|미국"),
    ("fact", "Los Angeles|LA|setting|set in|로스앤젤레스|배경"),
    ("fact", "how many|number of|명|여 명"),
    ("fact", "talking to|talks to|talking with|대화"),
    ("fact", "in love with|fell in love|loves|사랑에 빠|사랑하"),
    ("fact", "name|named|called|이름"),
    ("fact", "job|work|works|profession|occupation|for a living|직업|직장|일하|하는 일|무슨 일|작가"),
    ("fact", "letter|letters|handwritten|편지|손 편지|손글씨|대필"),
    ("fact", "divorce|divorced|divorce papers|이혼|이혼 서류|돌싱"),
    ("fact", "wife|ex-wife|former wife|아내|전 부인|와이프|전처"),
    ("fact", "friend|friends|친구"),
    ("fact", "girlfriend|lover|연인|여자친구|여친"),
    ("fact", "introduce|introduces|introduced|소개"),
    ("fact", "answer|answering|respond|responding|reply|대답|응답|먹통"),
    ("fact", "see the world|world|세상"),
    ("fact", "break up|broke up|split up|separated|헤어"),
    ("fact", "blind date|date|소개팅|데이트"),
    ("fact", "documentary|다큐멘터리"),
    ("fact", "amusement park|fair|theme park|have fun|fun|놀이공원|놀이동산|놀러"),
    ("fact", "upgrade|update|업그레이드"),
    ("fact", "buy|buys|bought|purchase|purchased|구매|구입"),
    ("fact", "operating system|OS|OS1|운영체제"),
    ("fact", "artificial intelligence|AI|인공지능"),
    ("fact", "voice assistant|assistant|Siri|Bixby|음성비서|음성 비서|비서|시리|빅스비"),
    ("fact", "body|physical|육체|몸|물리적"),
    ("fact", "surrogate|stand-in|intimacy|대행|이어폰"),
    ("fact", "camera|device|phone|카메라|디바이스|기기|스마트폰"),
    ("fact", "jealous|jealousy|질투"),
    ("fact", "lonely|loneliness|alone|외로움|외로|고독"),
    ("fact", "ending|end|ends|finale|결말|마지막|이별|떠나|헤어"),
    ("fact", "leave|leaves|left|goes away|떠나|떠난"),
    ("fact", "plot|story|synopsis|about|줄거리|이야기"),
    (
        "fact",
        "intention|intent|message|theme|meant|want to say|wanted to say|trying to say|"
        "감독의도|의도|메시지|주제|말하고 싶|전하고 싶",
    ),
    ("fact", "future|미래"),
    ("fact", "company|Element Software|maker|makes|엘리멘트 소프트웨어|회사|소프트웨어사"),
    ("fact", "depression|depressed|antidepressant|우울증|우울"),
    ("fact", "visuals|cinematography|color|colour|색감|영상미"),
    ("fact", "music|soundtrack|score|음악"),
    ("fact", "quote|line|lines|said|says|dialogue|대사|독백"),
    ("fact", "beer|score out of|맥주 지수"),
    ("fact", "review|reviewer|blog|리뷰|후기"),
    # topics the reviews never cover: a question about them is not answered by the reviews
    ("topic", "composer|composed|compose|wrote the music|작곡|작곡가|음악감독"),
    ("topic", "budget|cost|제작비|예산"),
    ("topic", "box office|gross|grossed|earned|흥행|수익|관객 수|관객수"),
    ("topic", "award|awards|Oscar|Oscars|Academy Award|Golden Globe|won|win|수상|아카데미|오스카|골든글로브"),
    ("topic", "sequel|prequel|remake|속편|후속작"),
    ("topic", "filmed|shot in|filming|location|shooting|촬영|촬영지|로케이션"),
    ("topic", "screenplay|screenwriter|script|각본|시나리오"),
    ("topic", "producer|produced|production company|studio|distributor|제작사|배급사|프로듀서"),
    ("topic", "streaming|Netflix|watch it|Disney|넷플릭스|스트리밍|왓챠"),
    ("topic", "Arcade Fire|Karen O|The Moon Song|아케이드 파이어|주제곡"),
    ("topic", "IMDb|Rotten Tomatoes|Metacritic|평점|별점|로튼"),
    ("topic", "Ex Machina|Blade Runner|엑스 마키나|블레이드 러너"),
]

#: "한국어(English)" or "한국어(한국어)" pairs written in the reviews.
_PAIR = re.compile(r"([가-힣][가-힣 ]{0,15}[가-힣])\s*\(([^()]{2,40})\)")
_HANGUL = re.compile(r"[가-힣]")


@dataclass
class Entry:
    kind: str
    forms: list[str]
    in_corpus: bool = False
    """Whether any form occurs in the indexed text (filled in by `Glossary.mark_coverage`)."""
    linked: list[str] = field(default_factory=list)
    """Forms of related entries (a character's actor) that expansion also adds, at a lower weight."""

    @property
    def korean(self) -> list[str]:
        return [f for f in self.forms if _HANGUL.search(f)]

    @property
    def english(self) -> list[str]:
        return [f for f in self.forms if not _HANGUL.search(f)]


# Cached: a glossary is built more than once per index load, and compiling its hundreds of patterns again
# was a fifth of a cold search.
@functools.cache
def _english_pattern(form: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in form.split())
    return re.compile(rf"(?<![A-Za-z0-9]){words}(?:e?s)?(?![A-Za-z0-9])", re.IGNORECASE)


def _english_in(form: str, lowered: str) -> bool:
    """Whether English `form` occurs as words in `lowered` (lower-cased text). Its first word must be a
    substring of the text for the pattern to match: checking that first skips most regex searches over
    the whole corpus (an ASCII word's lower case is the only spelling the pattern accepts in lower text)."""
    first = form.split()[0].lower() if form.split() else ""
    if form.isascii() and first not in lowered:
        return False
    return bool(_english_pattern(form).search(lowered))


@functools.cache
def _pattern(form: str) -> re.Pattern[str] | None:
    """None: plain substring search (Korean forms of two syllables or more)."""
    if not _HANGUL.search(form):
        return _english_pattern(form)
    if len(form) == 1:
        # "분" (minutes) in "몇 분" or "123분", not in "기분"; "역" (role) in "테오도르 역은", not "역시".
        return re.compile(rf"(?<![가-힣]){re.escape(form)}")
    return None


@dataclass
class Match:
    entry: Entry
    form: str


class Glossary:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._patterns: list[tuple[Entry, str, re.Pattern[str] | None]] = []
        for entry in entries:
            for form in entry.forms:
                self._patterns.append((entry, form, _pattern(form)))
        # Longest forms first across all entries: "제작비" (budget) wins over "제작" (made).
        self._patterns.sort(key=lambda item: -len(item[1]))

    @classmethod
    def build(cls, corpus_texts: list[str] | None = None) -> Glossary:
        """The seed list, merged with the pairs the reviews write themselves."""
        entries = [Entry(kind, forms.split("|")) for kind, forms in SEED]
        glossary = cls(entries)
        for text in corpus_texts or []:
            for korean, inside in pairs_from_text(text):
                glossary._add_pair(korean, inside)
        glossary = cls(glossary.entries)
        if corpus_texts:
            glossary.mark_coverage("\n".join(corpus_texts))
        return glossary

    def _find(self, form: str) -> Entry | None:
        lowered = form.lower()
        for entry in self.entries:
            if any(f.lower() == lowered for f in entry.forms):
                return entry
        return None

    def _add_pair(self, korean: str, inside: str) -> None:
        """ "스파이크 존즈(Spike Jonze)" makes two spellings of one name; "사만다(스칼렛 요한슨)" links a role
        to its actor."""
        korean = korean.strip()
        inside = inside.strip()
        own, other = self._find(korean) or self._find(korean.split()[-1]), self._find(inside)
        if own is not None and self._find(korean) is None:
            korean = korean.split()[-1]
        if _HANGUL.search(inside):
            if own and other and own is not other:
                own.linked += [f for f in other.korean if f not in own.linked]
                other.linked += [f for f in own.korean if f not in other.linked]
            return
        if own and other is None:
            own.forms.append(inside)
        elif other and own is None:
            other.forms.append(korean)
        elif own is None and other is None:
            self.entries.append(Entry("person", [korean, inside]))

    def mark_coverage(self, corpus_text: str) -> None:
        lowered = corpus_text.lower()
        for entry in self.entries:
            entry.in_corpus = any(
                (f in corpus_text) if _HANGUL.search(f) else _english_in(f, lowered) for f in entry.forms
            )

    def linked_entries(self, matches: list[Match]) -> list[Entry]:
        out: list[Entry] = []
        for match in matches:
            for form in match.entry.linked:
                entry = self._find(form)
                if entry is not None and entry not in out:
                    out.append(entry)
        return out

    def matches(self, text: str) -> list[Match]:
        """The entries `text` mentions, longest form first, each entry once."""
        found: list[Match] = []
        seen: set[int] = set()
        taken: list[tuple[int, int]] = []
        for entry, form, pattern in self._patterns:
            if id(entry) in seen:
                continue
            if pattern is None:
                start = text.find(form)
                span = (start, start + len(form)) if start >= 0 else None
            else:
                hit = pattern.search(text)
                span = hit.span() if hit else None
            if span is None or any(a <= span[0] < b for a, b in taken):
                continue
            taken.append(span)
            seen.add(id(entry))
            found.append(Match(entry, form))
        return found

    def expand(
        self, text: str, linked: bool = False, matches: list[Match] | None = None
    ) -> tuple[list[str], list[str]]:
        """Korean terms to add to a query, and the entries' English forms.

        With `linked`, the forms of linked entries too: a question about casting ("who plays Samantha")
        also searches for the actor's names the reviews put next to the role.
        """
        korean: list[str] = []
        english: list[str] = []
        matches = self.matches(text) if matches is None else matches
        for match in matches:
            for form in match.entry.korean:
                if form not in korean:
                    korean.append(form)
            english += [f for f in match.entry.english if f not in english]
        extra = [f for m in matches for f in m.entry.linked if f not in korean] if linked else []
        return korean + extra, english


def pairs_from_text(text: str) -> list[tuple[str, str]]:
    """("스파이크 존즈", "Spike Jonze"), ("사만다", "스칼렛 요한슨")...: names the text glosses itself."""
    pairs = []
    for match in _PAIR.finditer(text):
        korean, inside = match.group(1), match.group(2)
        words = korean.split()
        # "감독이 연출하고, 호아킨 피닉스(Joaquin Phoenix)": keep the name right before the bracket.
        korean = " ".join(words[-2:]) if len(words) > 1 and len(words[-1]) <= 4 else words[-1]
        if re.search(r"[.,!?]", inside) and not _HANGUL.search(inside):
            continue
        pairs.append((korean, inside))
    return pairs
