"""Which kind of answer a message needs: a film question, a question about the user, talk addressed to
Samantha herself, or ordinary chat (Korean and English).

The order matters and is the design:
1. a question about what the user told her ("What's my name?", "내가 어디 산다고 했지?") goes to memory,
   even when it says "you" ("Do you remember where I live?");
2. a message that names the film, its makers or a character other than Samantha is a film question;
3. talk addressed to Samantha ("Do you ever feel lonely?", "너는 진짜야?") is about her, not the film,
   unless it asks about the film: her loneliness is not a review passage;
4. what is left is a film question when the reviews' own gate says so (`film`), else ordinary chat.

Rules, not a model: they are fast, explainable, and tested on a question set kept apart from tuning
(`route_heldout.jsonl`; `route_dev.jsonl` is the one the rules were tuned on).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

Kind = Literal["film", "memory", "self", "chat"]
KINDS: tuple[Kind, ...] = ("film", "memory", "self", "chat")
Language = Literal["ko", "en"]

_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> Language:
    """Korean when Hangul makes up a real share of the letters ("영화 her 러닝타임" is Korean)."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    return "ko" if hangul and hangul * 2 >= latin else "en"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


# ---- questions about the user ----

_EN_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:\w+,\s*)?(?:what|who|where|which|when|how|do|did|does|can|remember|tell me|say)\b", re.I
)
_MEMORY_EN = _any(
    # "What's my name?", "Who is my best friend?", "Remember my dog's name?"
    r"\b(?:what|who|where|which|when|how old)(?:'s|\s+(?:is|was|are|were))?\b[^.!?]*\bmy\b"
    r"(?![^.!?]*\b(?:you|your)\b)",
    r"^\s*(?:do you )?(?:remember|recall|know) my\b",
    # "Where do I live?", "What food do I like?", "Which city am I from?", "What did I say I love?"
    r"\b(?:what|where|which|who)\b(?:\s+\w+)?\s+(?:do|did|am|was|have)\s+i\b",
    # "Do you remember what I do?", "What do you know about me?"
    r"\b(?:remember|recall|know)\b[^.!?]*\b(?:about me|my|what i|where i|who i|when i|i told)\b",
    r"\bwhat did i (?:tell|say|mention)\b",
    r"\bwho am i\b",
)
_NOT_MEMORY_EN = re.compile(
    r"^\s*how (?:do|can|should) i\b|\bwhat should i\b|\bwhat (?:do|can) i do (?:now|about)\b", re.I
)

_KO_WH = r"(?:뭐|뭘|뭔|무엇|무슨|어디|어느|누구|누군|언제|몇|어떤|어땠)"
_MEMORY_KO = re.compile(
    "|".join(
        [
            # "내 이름이 뭐야?", "내 직업이 뭐였지?", "내가 사는 곳이 어디야?"
            rf"(?:^|\s)(?:내|제|나의|저의)(?!가\s)\s*[가-힣]+(?:이|가|은|는)?\s*{_KO_WH}",
            # "내가 어디 산다고 했지?", "나 어디서 일한다고 했더라?", "나 어디 살아?", "내가 뭐라고 했어?"
            rf"(?:^|\s)(?:내가|제가|나|저|난|전)\s+{_KO_WH}[가-힣\s]*(?:살|사는|일|좋아|이름|직업|출신|고향|했|라고|다고|였|더라)",
            rf"(?:내가|제가)\s.*{_KO_WH}.*(?:했|라고|다고)",
            # "내가 좋아하는 음식이 뭐였지?", "내가 사는 곳이 어디야?"
            rf"(?:내가|제가)\s*[가-힣]+(?:는|던|한)\s+[가-힣]+(?:이|가|은|는)?\s*{_KO_WH}",
            # "내 직업 기억나?", "제 이름 기억하세요?", "우리 엄마에 대해 기억나?"
            r"(?:^|\s)(?:내|제|나|저|우리)(?:가|의|를)?\s*(?:[가-힣]+\s+){0,3}[가-힣]*\s*기억(?:해|나|하|하세요|해요|하니|나요|하지)",
            # "내 이름 알아?", "제 직업 아세요?"
            r"(?:^|\s)(?:내|제)\s*[가-힣]+\s*(?:알아|아세요|알고\s*있|아니)",
            # "나에 대해 뭘 기억해?", "나에 대해 아는 거 말해봐"
            r"(?:나|저)(?:에|에게)?\s*대해(?:서)?\s*(?:뭘|뭐|무엇|아는|기억|말)",
        ]
    )
)

# ---- the film ----

_FILM_WORDS = _any(
    r"\b(?:films?|movies?|cinema|spike jonze|jonze|director|directed|screenplay|oscar)\b",
    r"영화|감독|각본|개봉|러닝타임|줄거리|결말|관람\s*등급|배우|출연|역을|역은|연기한",
    r"^\s*허(?:는|가|의|를|에서|에)\s|(?<![가-힣])(?:허|그녀)(?![가-힣])",
    r"['\"<«“‘]her\b|(?<=[a-z,] )Her\b|\bHER\b",
    r"\bher(?=[은는을를의이가에도]|\s*(?:감독|러닝타임|줄거리|결말))",
)
#: People of the film other than Samantha herself (her name is also the companion's own).
_FILM_PEOPLE = _any(
    r"\b(?:theodore|twombly|catherine|amy|charles|paul|isabella|joaquin|phoenix|scarlett|johansson|rooney|mara"
    r"|olivia wilde|chris pratt|alan watts)\b",
    r"테오도르|테오|캐서린|에이미|찰스|이사벨라|호아킨|피닉스|스칼렛|스칼릿|요한슨|조핸슨|루니|앨런 와츠",
)
_FILM_ASKS = _any(
    r"\b(?:who (?:plays|played|voices|voiced|directed|wrote)|voiced by|played by|cast|ending|plot|scene)\b",
)

# ---- Samantha herself ----

_YOU_EN = re.compile(r"\b(?:you|your|yours|yourself|you're|you've|you'll)\b", re.I)
_REQUEST_EN = re.compile(
    r"^\s*(?:(?:samantha|hey|hi)\W+)?(?:can|could|would|will) you (?:please )?"
    r"(?:help|write|tell me(?! about yourself)|give|make|explain|find|check|read|show|suggest|recommend)\b"
    r"|\bthank(?:s| you)\b|\bplease\b|^\s*(?:let's|let us)\b"
    r"|\b(?:nice|good|glad) to (?:meet|see) you\b|\b(?:see|talk to) you (?:later|soon|tomorrow)\b",
    re.I,
)
_YOU_KO = re.compile(
    r"(?:^|\s)네\s+[가-힣]+(?:은|는|이|가|을|를)\s|"
    r"(?:^|\s)(?:너|넌|너는|너도|너의|네가|니가|당신|당신은|당신도|너랑|너한테|너를)(?=\s|$|[?!.,])|(?:^|\s)(?:너|넌|너도|네가|니가)\s"
)
#: Her name as the one spoken to: "사만다," "사만다야", "사만다는 몸이 있어?", "Samantha, ...".
_NAME_ADDRESS = re.compile(
    r"(?i:\bsamantha\b\s*[,!?]|,\s*samantha\b|^\s*(?:hey |hi |oh )?samantha\b)"
    r"|사만다\s*(?:야|아|,|!|\?)|사만다(?:는|도|가)\s|^\s*사만다\s"
)
#: Korean questions that, without a subject, ask the listener about herself ("나를 사랑해?", "외로워?").
_SELF_KO = re.compile(
    r"(?:나를|날|나|나한테|나에게)\s*(?:사랑|좋아|보고\s*싶|관심|그리워|신경)|"
    r"(?:외로워|외롭|행복해|슬퍼|슬플|심심해|기분\s*어때|감정이|꿈을|몸이|진짜야|사람이야|사람인가|누구야|누구세요|AI야|뭐야|얘기하고\s*있|대화하고\s*있)"
)
_KO_QUESTION = re.compile(r"\?|(?:니|냐|까|나요|가요|어때|있어|해)\s*$")


@dataclass(frozen=True)
class Route:
    kind: Kind
    lang: Language
    reason: str
    """Which rule decided: shown in tests and the eval, so a wrong route can be explained."""


def is_memory_question(text: str) -> bool:
    if _HANGUL.search(text) and _MEMORY_KO.search(text):
        return True
    return bool(_EN_QUESTION.search(text) and _MEMORY_EN.search(text) and not _NOT_MEMORY_EN.search(text))


def names_the_film(text: str) -> bool:
    """The film, its makers, or one of its characters other than Samantha is named or asked about."""
    return bool(_FILM_WORDS.search(text) or _FILM_PEOPLE.search(text) or _FILM_ASKS.search(text))


def addressed_to_samantha(text: str) -> bool:
    """Talk about Samantha herself: "you" in a question or remark to her, not a request for help."""
    if _REQUEST_EN.search(text):
        return False
    if _YOU_EN.search(text) or _YOU_KO.search(text):
        return True
    asks = bool(re.search(r"[?？]", text) or _KO_QUESTION.search(text.strip()))
    if _NAME_ADDRESS.search(text) and asks:
        return True  # "Samantha, what do you dream about?"; "Hi Samantha!" is a greeting, not about her
    return bool(_HANGUL.search(text) and _KO_QUESTION.search(text.strip()) and _SELF_KO.search(text))


_FILM_QUESTION = re.compile(
    r"\?|？|^\s*(?:who|what|when|where|why|how|which|is|are|does|did|was|were|tell me|explain)\b"
    r"|(?:누구|누가|무엇|뭐|뭔|언제|어디|왜|어떻|어떤|몇|얼마|알려|인가|인지|나요|니까|까요)",
    re.I,
)


def route(text: str, film: Callable[[str], bool] | None = None) -> Route:
    """The kind of answer `text` needs.

    Args:
        film: the reviews' own test for a film question (the retriever's gate), asked only when the
            rules leave the message open; None treats such a message as chat.
    """
    lang = language_of(text)
    if is_memory_question(text) and not _FILM_WORDS.search(text):
        return Route("memory", lang, "asks what the user told her")
    if names_the_film(text) and (_FILM_QUESTION.search(text) or _FILM_PEOPLE.search(text)):
        return Route("film", lang, "names the film or its people")
    if addressed_to_samantha(text):
        return Route("self", lang, "addressed to Samantha")
    if names_the_film(text):
        return Route("chat", lang, "mentions the film without asking about it")
    if film is not None and film(text):
        return Route("film", lang, "the reviews' gate")
    return Route("chat", lang, "ordinary chat")


# ---- the question sets ----

#: `dev` is what the rules were tuned on; `heldout` was written before them and is only measured.
SETS = {"dev": "route_dev.jsonl", "heldout": "route_heldout.jsonl"}


@dataclass(frozen=True)
class Labelled:
    text: str
    kind: Kind
    lang: Language


def load_set(name: str) -> list[Labelled]:
    raw = resources.files("samantha.conversation").joinpath(SETS[name]).read_text(encoding="utf-8")
    return [Labelled(**json.loads(line)) for line in raw.splitlines() if line.strip()]


@dataclass
class KindScore:
    kind: Kind
    messages: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.messages if self.messages else 1.0


@dataclass
class RouteReport:
    set_name: str
    scores: list[KindScore]
    mistakes: list[tuple[Labelled, Route]]
    accuracy: float

    def as_dict(self) -> dict[str, object]:
        return {
            "set": self.set_name,
            "accuracy": round(self.accuracy, 3),
            "kinds": {
                s.kind: {
                    "messages": s.messages,
                    "precision": round(s.precision, 3),
                    "recall": round(s.recall, 3),
                }
                for s in self.scores
            },
            "mistakes": [{"text": m.text, "expected": m.kind, "routed": r.kind} for m, r in self.mistakes],
        }


def score_routes(set_name: str, film: Callable[[str], bool] | None = None) -> RouteReport:
    """Precision and recall per kind of the router on a labelled set."""
    labelled = load_set(set_name)
    routed = [route(item.text, film) for item in labelled]
    scores = []
    for kind in KINDS:
        messages = sum(1 for item in labelled if item.kind == kind)
        predicted = sum(1 for r in routed if r.kind == kind)
        correct = sum(1 for item, r in zip(labelled, routed, strict=True) if item.kind == kind == r.kind)
        scores.append(KindScore(kind, messages, predicted, correct))
    mistakes = [(item, r) for item, r in zip(labelled, routed, strict=True) if item.kind != r.kind]
    accuracy = 1 - len(mistakes) / len(labelled) if labelled else 1.0
    return RouteReport(set_name, scores, mistakes, accuracy)


def format_route_report(report: RouteReport) -> str:
    lines = [f"Routing ({report.set_name} set, {sum(s.messages for s in report.scores)} messages)"]
    lines.append(f"  {'kind':<8}{'messages':>9}{'precision':>11}{'recall':>8}")
    for s in report.scores:
        lines.append(f"  {s.kind:<8}{s.messages:>9}{s.precision:>11.3f}{s.recall:>8.3f}")
    lines.append(f"  accuracy {report.accuracy:.3f}")
    for item, r in report.mistakes:
        lines.append(f"  routed {r.kind} ({r.reason}), expected {item.kind}: {item.text}")
    return "\n".join(lines)
