"""Long-term memories: facts the user told Samantha, each tied to the message it came from.

Facts are found with simple, tested patterns in the user's own messages (English and Korean); nothing
Samantha says becomes a memory. The user can list, add and forget them; these plain functions are what
the CLI's `samantha memory ...` and the app's memory panel call.

Facts change. A fact about a *slot* (where the user lives, their job, their workplace, their name, their
partner) supersedes the current fact about that slot: the old one is kept, marked superseded, with the
date it stopped being true and a link to its replacement. When it is unclear whether a new fact replaces
the old ("I'm in Seoul this week" while Busan is home), Samantha asks once (`question_for`), and the
user's answer is recorded (`answer_question`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samantha.errors import UsageError
from samantha.records import Memory, Message
from samantha.sentences import sentences
from samantha.store import Store
from samantha.validation import check_text

__all__ = [
    "Fact",
    "Memory",
    "MemoryWithSource",
    "Question",
    "add_memory",
    "answer_question",
    "current_facts",
    "extract_facts",
    "forget_all_memories",
    "forget_matching",
    "forget_memory",
    "list_memories",
    "memory_history",
    "question_for",
    "remember_fact",
    "remember_from_message",
    "set_scope",
]

#: Longest fact kept, in characters; a longer clause is probably not a simple fact.
MAX_FACT_CHARS = 200
MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class Fact:
    kind: str
    content: str
    slot: str | None = None
    """What the fact is about, when only one fact about it can be true at a time (see `SLOTS`)."""
    place: str = ""
    """For a tentative whereabouts: the place, to ask about it."""
    tentative: bool = False
    """The user is somewhere ("I'm in Seoul this week"): it may or may not be where they live now."""


#: Slots with one current fact each; a new fact about one supersedes the old.
SLOTS = ("name", "home", "origin", "job", "workplace", "partner", "whereabouts")


_TRAILING = " \t,;:~-—"

# English. Each pattern runs on one sentence, case-insensitively.
_NAME_EN = re.compile(
    r"\b(?:my name is|my name's|call me|i'm called|i am called)\s+"
    r"(?P<v>[^\s,;]+(?:\s+(?-i:[A-Z])[^\s,;]*){0,2})",
    re.I,
)
# "I'm Mina" / "Hi, I'm Mina": a capitalised word alone after "I'm" (not "I'm Korean", "I'm Tired").
_IM_NAME_EN = re.compile(
    r"(?:^|\b(?i:hi|hello|hey)\b[,!]?\s+)(?i:i'm|i am)\s+(?P<v>[A-Z][a-z]+)(?=\s*(?:[,.!]|$|\band\b))"
)
_NOT_NAMES_EN = {
    "korean",
    "american",
    "english",
    "british",
    "japanese",
    "chinese",
    "canadian",
    "french",
    "german",
    "fine",
    "good",
    "okay",
    "ok",
    "sorry",
    "happy",
    "tired",
    "here",
    "back",
    "home",
    "done",
    "ready",
    "sure",
    "not",
    "so",
    "just",
    "really",
    "very",
    "also",
    "still",
    "alone",
    "bored",
    "excited",
    "sad",
    "busy",
    "hungry",
    "sick",
    "late",
    "new",
    "free",
    "lonely",
    "glad",
    "great",
    "well",
    "single",
}
_WORK_AS = re.compile(r"\bi (?:work|am working) as\s+(?P<v>[^,;]+)", re.I)
_WORK_AT = re.compile(r"\bi (?:work|am working) (?P<prep>at|for|in)\s+(?P<v>[^,;]+)", re.I)
_JOB_EN = re.compile(r"\bmy job is\s+(?P<v>[^,;]+)", re.I)
_LIVE_EN = re.compile(r"\bi (?:live|am living|'m living) in\s+(?P<v>[^,;]+)", re.I)
_FROM_EN = re.compile(r"\bi(?: am|'m) from\s+(?P<v>[^,;]+)", re.I)
_MOVED_EN = re.compile(r"\bi (?:just |recently |have |'ve )?moved to\s+(?P<v>[^,;]+)", re.I)
# "I'm in Seoul this week": where the user is, which may or may not be home (a capitalised place).
_IN_PLACE_EN = re.compile(
    r"\bi(?:'m| am) (?:now |currently |just |staying |visiting )?(?:in|at|visiting)\s+"
    r"(?P<v>(?-i:[A-Z])[^,;]*)",
    re.I,
)
_PARTNER_EN = re.compile(
    r"\bmy (?P<rel>wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?)"
    r"(?:'s name is| is called| is named)\s+"
    r"(?P<v>[^\s,;]+(?:\s+(?-i:[A-Z])[^\s,;]*)?)",
    re.I,
)
PARTNERS_EN = frozenset(
    {"wife", "husband", "partner", "girlfriend", "boyfriend", "fiance", "fiancé", "fiancee", "fiancée"}
)
# When something happened, said after the place ("I moved to Seoul last month"): not part of the place.
_TIME_TAIL_EN = re.compile(
    r"\s+(?:(?:last|this|next) (?:week|month|year|spring|summer|autumn|fall|winter|weekend)|"
    r"(?:(?:a|one|two|three|\d+) )?(?:few |couple of )?(?:days?|weeks?|months?|years?) ago|"
    r"recently|yesterday|today|"
    r"for (?:now|a while|work|the (?:week|month|weekend)|a few days|business)|right now|at the moment|"
    r"on (?:a )?(?:trip|business|holiday|vacation)|in \d{4}|now)\b.*$",
    re.I,
)
_LIKE_EN = re.compile(r"\bi (?:really |truly )?(?P<verb>love|like|enjoy|adore|hate)\s+(?P<v>[^,;]+)", re.I)
_FAVORITE_EN = re.compile(r"\bmy (?:favorite|favourite) (?P<what>[\w ]{1,30}?) is\s+(?P<v>[^,;]+)", re.I)
RELATIONS_EN = (
    "best friend|girlfriend|boyfriend|grandmother|grandfather|grandma|grandpa|husband|partner|"
    "daughter|brother|sister|mother|father|friend|cousin|uncle|aunt|wife|mom|mum|dad|son|boss|dog|cat|"
    "birthday|kids|children|parents"
)
# "my sister ..." as the subject of a sentence or clause, not "a gift for my sister".
_RELATION_EN = re.compile(
    rf"(?:^|[,;]\s*|\b(?:and|but|so|also)\s+)my (?P<rel>{RELATIONS_EN})(?P<rest>(?:'s|\s)[^,;]+)", re.I
)
_HAVE_EN = re.compile(
    rf"\bi have (?P<v>(?:an?|two|three|\d+) (?:\w+ )?(?:{RELATIONS_EN}|sisters|brothers)\b[^,;]*)", re.I
)

# Korean.
_KO_COPULA = (
    r"(?:이라고\s*(?:해요|합니다|해)|라고\s*(?:해요|합니다|해)|이에요|이예요|예요|입니다|이야|야|임|요)?"
)
_KO_SUBJECT = r"(?:나는|난|저는|전|내가|제가)"
_NAME_KO = re.compile(rf"(?:내|제|나의|저의)\s*이름은\s*(?P<v>[^\s.,!?~]+?){_KO_COPULA}(?=$|[\s.,!?~])")
_NAME_KO2 = re.compile(rf"^{_KO_SUBJECT}\s*(?P<v>[^\s.,!?~]+?)(?:이라고|라고)\s*(?:해요|합니다|해|불러)")
_LIVE_KO = re.compile(
    rf"^(?:{_KO_SUBJECT}\s*)?(?:지금\s*|요즘\s*)?(?P<v>[^\s.,!?~]+(?:\s[^\s.,!?~]+)?)에\s*(?:살아|살고|삽니다|살아요|산다)"
)
_WORK_KO = re.compile(
    rf"^(?:{_KO_SUBJECT}\s*)?(?P<v>[^\s.,!?~]+?)(?P<p>으로|로)\s*(?:일해|일하고|일합니다|일한다|근무)"
)
_WORKPLACE_KO = re.compile(
    rf"^(?:{_KO_SUBJECT}\s*)?(?P<v>[^\s.,!?~]+(?:\s[^\s.,!?~]+)?)에서\s*(?:일해|일하고|일합니다|근무)"
)
_MOVED_KO = re.compile(
    r"(?:^|\s)(?P<v>[^\s.,!?~]+?)(?:으로|로)\s*이사(?:를)?\s*(?:했|왔|갔|함|해|합니다|온|간)"
)
# "이번 주는 서울에 있어": where the user is for now (maybe not home).
_IN_PLACE_KO = re.compile(
    r"(?:이번\s*주|이번\s*달|요즘|당분간|잠깐|잠시|지금|오늘|며칠)\S*\s*(?P<v>[^\s.,!?~]+?)에\s*"
    r"(?:있어|있어요|있습니다|있다|있는|와\s*있|머물|출장)"
    r"|(?:^|\s)(?P<v2>[^\s.,!?~]+?)에\s*(?:와\s*있|머물고|머무르고|출장\s*(?:와|중|왔))"
)
_NOT_PLACES_KO = frozenset({"집", "회사", "학교", "여기", "거기", "저기", "밖", "방", "카페", "지금"})
PARTNERS_KO = "남자친구|여자친구|남편|아내|와이프|남친|여친|애인|약혼자"
_PARTNER_KO = re.compile(
    rf"^(?:우리|내|제|나의|저의)\s*(?P<rel>{PARTNERS_KO})\s*(?:의\s*)?이름은\s*(?P<v>[^\s.,!?~]+?){_KO_COPULA}(?=$|[\s.,!?~])"
)
_JOB_KO = re.compile(rf"(?:내|제)\s*직업은\s*(?P<v>[^\s.,!?~]+?){_KO_COPULA}(?=$|[\s.,!?~])")
_LIKE_KO = re.compile(
    rf"^{_KO_SUBJECT}\s*(?P<v>[^.,!?~]+?)(?P<p>을|를)\s*(?:정말\s*|진짜\s*|너무\s*|아주\s*)?(?P<verb>좋아|사랑)"
)
RELATIONS_KO = (
    "남자친구|여자친구|할머니|할아버지|어머니|아버지|남동생|여동생|와이프|남편|아내|언니|누나|오빠|동생|"
    "엄마|아빠|남친|여친|아들|친구|강아지|고양이|생일|형|딸"
)
_RELATION_KO = re.compile(rf"^(?:우리|내|제|나의|저의)\s*(?P<rel>{RELATIONS_KO})(?P<rest>[^\s].*)")
# A place ending in a topic or subject particle is someone else's ("언니는 부산에 살아").
_OTHER_SUBJECT_KO = re.compile(r"(?:은|는|이|가)$")
_VAGUE_EN = {"you", "it", "that", "this", "them", "him", "her", "not", "a", "the", "so", "too", "very"}


_NEXT_CLAUSE = re.compile(r"\s+(?:and|but|so|because|while)\s+(?:i|i'm|my|we)\b.*$", re.I)


def _clean(value: str) -> str:
    value = _NEXT_CLAUSE.sub("", value).strip(_TRAILING + ".!?")
    return value[:MAX_VALUE_CHARS].rstrip(_TRAILING)


def _place(value: str) -> str:
    """A place without the time said after it: "Seoul last month" -> "Seoul"."""
    return _clean(_TIME_TAIL_EN.sub("", _clean(value)))


def _english(sentence: str) -> list[Fact]:
    facts: list[Fact] = []
    if match := _NAME_EN.search(sentence):
        name = _clean(match["v"])
        if name and name.lower() not in _VAGUE_EN:
            facts.append(Fact("name", f"The user's name is {name}.", "name"))
    elif (match := _IM_NAME_EN.search(sentence)) and match["v"].lower() not in _NOT_NAMES_EN:
        facts.append(Fact("name", f"The user's name is {match['v']}.", "name"))
    if match := _WORK_AS.search(sentence):
        facts.append(Fact("work", f"The user works as {_clean(match['v'])}.", "job"))
    if match := _WORK_AT.search(sentence):
        facts.append(
            Fact("work", f"The user works {match['prep'].lower()} {_clean(match['v'])}.", "workplace")
        )
    if match := _JOB_EN.search(sentence):
        facts.append(Fact("work", f"The user's job is {_clean(match['v'])}.", "job"))
    if (match := _LIVE_EN.search(sentence)) or (match := _MOVED_EN.search(sentence)):
        facts.append(Fact("home", f"The user lives in {_place(match['v'])}.", "home"))
    elif (match := _IN_PLACE_EN.search(sentence)) and (place := _place(match["v"])):
        facts.append(Fact("home", f"The user is in {place} for now.", "whereabouts", place, tentative=True))
    if match := _FROM_EN.search(sentence):
        facts.append(Fact("home", f"The user is from {_clean(match['v'])}.", "origin"))
    if match := _PARTNER_EN.search(sentence):
        rel = match["rel"].lower()
        facts.append(Fact("people", f"The user's {rel}'s name is {_clean(match['v'])}.", "partner"))
    if match := _FAVORITE_EN.search(sentence):
        facts.append(Fact("likes", f"The user's favorite {match['what'].strip()} is {_clean(match['v'])}."))
    elif (match := _LIKE_EN.search(sentence)) and match["v"].split()[0].lower() not in _VAGUE_EN:
        verb = match["verb"].lower()
        facts.append(Fact("likes", f"The user {verb}s {_clean(match['v'])}."))
    for match in _RELATION_EN.finditer(sentence):
        rest = _clean(match["rest"])
        if _PARTNER_EN.search(sentence) and match["rel"].lower() in PARTNERS_EN:
            continue  # already the partner's name, above
        if len(rest.split()) >= 2 or rest.startswith("'s"):
            joiner = "" if rest.startswith("'s") else " "
            facts.append(Fact("people", f"The user's {match['rel'].lower()}{joiner}{rest}."))
    if match := _HAVE_EN.search(sentence):
        facts.append(Fact("people", f"The user has {_clean(match['v'])}."))
    return facts


_OWN_SUBJECTS_KO = frozenset({"나는", "난", "저는", "전", "내가", "제가"})


def _own_subject_ko(before: str) -> bool:
    """No one else is the subject of what follows ("언니가 서울로 이사했어" is the sister's move)."""
    return not any(_OTHER_SUBJECT_KO.search(word) and word not in _OWN_SUBJECTS_KO for word in before.split())


def _korean(sentence: str) -> list[Fact]:
    facts: list[Fact] = []
    if match := _PARTNER_KO.search(sentence):
        facts.append(Fact("people", f"사용자의 {match['rel']} 이름은 {_clean(match['v'])}.", "partner"))
    elif (match := _NAME_KO.search(sentence)) or (match := _NAME_KO2.search(sentence)):
        facts.append(Fact("name", f"사용자의 이름은 {_clean(match['v'])}.", "name"))
    if (match := _LIVE_KO.search(sentence)) and not any(
        _OTHER_SUBJECT_KO.search(word) for word in match["v"].split()[:-1]
    ):
        place = _clean(match["v"])
        if place and not _OTHER_SUBJECT_KO.search(place):
            facts.append(Fact("home", f"사용자는 {place}에 산다.", "home"))
    elif (match := _MOVED_KO.search(sentence)) and _own_subject_ko(sentence[: match.start("v")]):
        facts.append(Fact("home", f"사용자는 {_clean(match['v'])}에 산다.", "home"))
    elif (match := _IN_PLACE_KO.search(sentence)) and _own_subject_ko(sentence[: match.start()]):
        place = _clean(match["v"] or match["v2"])
        if place and place not in _NOT_PLACES_KO and not _OTHER_SUBJECT_KO.search(place):
            facts.append(Fact("home", f"사용자는 지금 {place}에 있다.", "whereabouts", place, tentative=True))
    if match := _JOB_KO.search(sentence):
        facts.append(Fact("work", f"사용자의 직업은 {_clean(match['v'])}.", "job"))
    elif (match := _WORK_KO.search(sentence)) and not _OTHER_SUBJECT_KO.search(match["v"]):
        facts.append(Fact("work", f"사용자는 {_clean(match['v'])}{match['p']} 일한다.", "job"))
    elif (match := _WORKPLACE_KO.search(sentence)) and not _OTHER_SUBJECT_KO.search(match["v"]):
        facts.append(Fact("work", f"사용자는 {_clean(match['v'])}에서 일한다.", "workplace"))
    if match := _LIKE_KO.search(sentence):
        verb = "좋아한다" if match["verb"] == "좋아" else "사랑한다"
        facts.append(Fact("likes", f"사용자는 {_clean(match['v'])}{match['p']} {verb}."))
    if (match := _RELATION_KO.search(sentence)) and not _PARTNER_KO.search(sentence):
        rest = _clean(match["rest"])
        if len(rest) >= 2:
            facts.append(Fact("people", f"사용자의 {match['rel']}{rest}."))
    return facts


def extract_facts(text: str) -> list[Fact]:
    """Facts about the user stated in `text` (their own message), in order, without duplicates.

    Questions are skipped: "what is my name?" tells nothing.
    """
    facts: list[Fact] = []
    for sentence in sentences(text):
        if sentence.endswith("?") or len(sentence) > 2 * MAX_FACT_CHARS:
            continue
        body = sentence.rstrip(".!。")
        for fact in _english(body) + _korean(body):
            if len(fact.content) <= MAX_FACT_CHARS and fact not in facts:
                facts.append(fact)
    return facts


def remember_from_message(store: Store, message: Message) -> list[Memory]:
    """Store the facts in a user message, each with that message as its source; returns the new ones.

    A fact about a slot supersedes the current fact about it. A tentative whereabouts that conflicts
    with the current home is left for `question_for` to ask about.
    """
    if message.role != "user":
        return []  # nothing Samantha says becomes a memory
    added = []
    for fact in extract_facts(message.content):
        memory = remember_fact(store, fact, message)
        if memory is not None:
            added.append(memory)
    return added


def remember_fact(store: Store, fact: Fact, message: Message, *, source: str = "pattern") -> Memory | None:
    """Merge one fact from `message` into the store by the superseding rule; None when nothing changed.

    - already known and current: nothing;
    - about a slot: it supersedes the slot's current facts (not those from this same message);
    - a tentative whereabouts where the home is somewhere else: left for the question (see `question_for`).
    """
    if store.find_memory(fact.content, current_only=True) is not None:
        return None
    if fact.slot is None and store.find_memory(fact.content) is not None:
        return None  # a plain fact told again (even if forgotten-and-replaced facts exist) is not new
    replaced: list[Memory] = []
    if fact.slot is not None:
        if fact.tentative and (_conflicting_home(store, fact) or _is_home(store, fact.place)):
            return None  # asked about instead, or nothing new
        replaced = [m for m in store.current_in_slot(fact.slot) if m.message_id != message.id]
    return store.add_memory(
        fact.content,
        kind=fact.kind,
        source=source,
        message_id=message.id,
        conversation_id=message.conversation_id,
        slot=fact.slot,
        valid_from=message.created_at,
        supersedes=[m.id for m in replaced],
    )


# Asking once when it is unclear whether a new fact replaces the old.


@dataclass
class Question:
    """A short question Samantha adds to her reply, and what to record from the answer (`payload`)."""

    text: str
    payload: dict[str, str]


def _korean_text(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def _conflicting_home(store: Store, fact: Fact) -> bool:
    """The user says they are somewhere that is not their current home (and was never asked about it)."""
    homes = store.current_in_slot("home")
    if not homes or any(fact.place in m.content for m in homes):
        return False
    return not _asked_before(store, fact.place)


def _is_home(store: Store, place: str) -> bool:
    return any(place in m.content for m in store.current_in_slot("home"))


def _asked_before(store: Store, place: str) -> bool:
    """A place already recorded as home or whereabouts (an answer was recorded): never ask twice."""
    rows = store.db.execute(
        "select 1 from memories where slot in ('home', 'whereabouts') and instr(content, ?) > 0 limit 1",
        [place],
    ).fetchone()
    return rows is not None


def _to_particle(place: str) -> str:
    """로 or 으로 after a Korean word (로 after a vowel or ㄹ)."""
    last = place[-1] if place else ""
    if "\uac00" <= last <= "\ud7a3":
        final = (ord(last) - 0xAC00) % 28
        return "로" if final in (0, 8) else "으로"
    return "로"


def question_for(store: Store, message: Message) -> Question | None:
    """The question to ask when `message` says the user is somewhere other than their home, else None."""
    if message.role != "user":
        return None
    for fact in extract_facts(message.content):
        if fact.tentative and _conflicting_home(store, fact):
            home = store.current_in_slot("home")[0]
            korean = _korean_text(fact.content)
            if korean:
                text = (
                    f"혹시 {fact.place}{_to_particle(fact.place)} 이사한 거예요, 아니면 잠시 머무는 거예요?"
                )
            else:
                text = (
                    f"Just so I remember it right: have you moved to {fact.place}, "
                    "or are you only there for a while?"
                )
            payload = {
                "place": fact.place,
                "home_id": home.id,
                "message_id": message.id,
                "language": "ko" if korean else "en",
            }
            return Question(text, payload)
    return None


_NEGATED = re.compile(
    r"\b(?:no|nope|not|didn't|did not|haven't|have not|never)\b|아니|안\s*했|안했|않았", re.I
)
_MOVED = re.compile(
    r"\b(?:moved|move|live there|living there|for good|permanently|new home)\b|이사|살아|살고|살게|정착", re.I
)
_TEMPORARY = re.compile(
    r"\b(?:just|only|visit\w*|trip|travel\w*|business|vacation|holiday|for now|temporar\w*|while|week\w*|"
    r"few days|back)\b|잠깐|잠시|출장|여행|놀러|당분간|며칠|일주일|주말|다시|돌아",
    re.I,
)
_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|i did|right|correct|응|어|네|예|맞아|맞아요|그래|ㅇㅇ)\b", re.I)


def classify_answer(text: str) -> str:
    """`moved`, `temporary` or `unclear`: the user's answer to "have you moved there?"."""
    if _MOVED.search(text) and not _NEGATED.search(text):
        return "moved"
    if _TEMPORARY.search(text) or _NEGATED.search(text):
        return "temporary"
    if _YES.search(text):
        return "moved"
    return "unclear"


def answer_question(store: Store, payload: dict[str, str], answer: Message) -> Memory | None:
    """Record the user's answer to a `Question`: a new home (superseding the old), or where they are for
    now (the home unchanged; also when the answer is unclear, so the question is never asked again)."""
    place = payload.get("place", "")
    if not place or answer.role != "user":
        return None
    korean = payload.get("language") == "ko"
    if classify_answer(answer.content) == "moved":
        content = f"사용자는 {place}에 산다." if korean else f"The user lives in {place}."
        fact = Fact("home", content, "home")
    else:
        content = f"사용자는 지금 {place}에 있다." if korean else f"The user is in {place} for now."
        fact = Fact("home", content, "whereabouts")
    return remember_fact(store, fact, answer)


@dataclass
class MemoryWithSource:
    """A memory and, when it came from a message, that message (what the app's memory panel shows)."""

    memory: Memory
    source: Message | None


def list_memories(
    store: Store, limit: int | None = None, *, current_only: bool = False
) -> list[MemoryWithSource]:
    """Memories, newest first, each with the message it came from (superseded ones too, unless
    `current_only`)."""
    return [
        MemoryWithSource(memory, store.get_message(memory.message_id) if memory.message_id else None)
        for memory in store.list_memories(limit, current_only=current_only)
    ]


def current_facts(store: Store, *, slot: str | None = None, kind: str | None = None) -> list[Memory]:
    """What is true now about the user, newest first: superseded facts are left out.

    This is what anything answering questions about the user from memory should read ("Where do I
    live?" after a move answers with the new home). `slot`: `home`, `name`, `job`, `workplace`,
    `partner`, `origin`, `whereabouts`; `kind`: `name`, `home`, `work`, `people`, `likes`, `fact`.
    """
    facts = store.current_in_slot(slot) if slot else store.list_memories(current_only=True)
    return [m for m in facts if kind is None or m.kind == kind]


def memory_history(store: Store, memory_id: str) -> list[Memory]:
    """The line of changes a fact belongs to, oldest first (Busan, then Seoul). Unknown ids: usage error."""
    line = store.memory_line(memory_id)
    if not line:
        raise UsageError(f"No memory has the id {memory_id}.")
    return line


def set_scope(store: Store, memory_id: str, scope: str) -> Memory:
    """Make a memory `local` (never sent to a remote endpoint) or `everywhere`; returns it."""
    if scope not in ("local", "everywhere"):
        raise UsageError(f"Unknown scope {scope!r}; use local or everywhere.")
    if not store.set_memory_scope(memory_id, "local" if scope == "local" else "everywhere"):
        raise UsageError(f"No memory has the id {memory_id}.")
    memory = store.get_memory(memory_id)
    assert memory is not None
    return memory


def add_memory(store: Store, fact: str, *, local: bool = False) -> Memory:
    """Remember `fact` as the user wrote it (a manual memory has no source message); `local` keeps it
    away from remote endpoints."""
    text = " ".join(fact.split())
    check_text(text, "memory")
    existing = store.find_memory(text)
    if existing is not None:
        return set_scope(store, existing.id, "local") if local and existing.scope != "local" else existing
    return store.add_memory(text, kind="fact", source="manual", scope="local" if local else "everywhere")


def forget_memory(store: Store, memory_id: str) -> Memory:
    """Forget one memory; returns it. Unknown ids are a usage error."""
    memory = store.get_memory(memory_id)
    if memory is None:
        raise UsageError(f"No memory has the id {memory_id}.")
    store.delete_memory(memory_id)
    return memory


def forget_matching(store: Store, query: str) -> list[Memory]:
    """Forget every memory matching `query` (all its words); returns those forgotten."""
    if not query.strip():
        raise UsageError("Say what to forget: the search is empty.")
    hits = store.search_memories(query, limit=10_000)
    forgotten = [m for m in (store.get_memory(hit.id) for hit in hits) if m is not None]
    store.delete_memories([m.id for m in forgotten])
    return forgotten


def forget_all_memories(store: Store) -> int:
    """Forget every memory; conversations stay. Returns how many were forgotten."""
    return store.delete_memories(None)
