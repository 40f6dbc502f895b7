"""Long-term memories: facts the user told Samantha, each tied to the message it came from.

Facts are found with simple, tested patterns in the user's own messages (English and Korean); nothing
Samantha says becomes a memory. The user can list, add and forget them; these plain functions are what
the CLI's `samantha memory ...` and the app's memory panel call.
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
    "add_memory",
    "extract_facts",
    "forget_all_memories",
    "forget_matching",
    "forget_memory",
    "list_memories",
    "remember_from_message",
]

#: Longest fact kept, in characters; a longer clause is probably not a simple fact.
MAX_FACT_CHARS = 200
MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class Fact:
    kind: str
    content: str


_TRAILING = " \t,;:~-—"

# English. Each pattern runs on one sentence, case-insensitively.
_NAME_EN = re.compile(
    r"\b(?:my name is|my name's|call me|i'm called|i am called)\s+"
    r"(?P<v>[^\s,;]+(?:\s+(?-i:[A-Z])[^\s,;]*){0,2})",
    re.I,
)
_WORK_AS = re.compile(r"\bi (?:work|am working) as\s+(?P<v>[^,;]+)", re.I)
_WORK_AT = re.compile(r"\bi (?:work|am working) (?P<prep>at|for|in)\s+(?P<v>[^,;]+)", re.I)
_JOB_EN = re.compile(r"\bmy job is\s+(?P<v>[^,;]+)", re.I)
_LIVE_EN = re.compile(r"\bi (?:live|am living|'m living) in\s+(?P<v>[^,;]+)", re.I)
_FROM_EN = re.compile(r"\bi(?: am|'m) from\s+(?P<v>[^,;]+)", re.I)
_MOVED_EN = re.compile(r"\bi (?:just )?moved to\s+(?P<v>[^,;]+)", re.I)
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


def _english(sentence: str) -> list[Fact]:
    facts: list[Fact] = []
    if match := _NAME_EN.search(sentence):
        name = _clean(match["v"])
        if name and name.lower() not in _VAGUE_EN:
            facts.append(Fact("name", f"The user's name is {name}."))
    if match := _WORK_AS.search(sentence):
        facts.append(Fact("work", f"The user works as {_clean(match['v'])}."))
    elif match := _WORK_AT.search(sentence):
        facts.append(Fact("work", f"The user works {match['prep'].lower()} {_clean(match['v'])}."))
    if match := _JOB_EN.search(sentence):
        facts.append(Fact("work", f"The user's job is {_clean(match['v'])}."))
    if match := _LIVE_EN.search(sentence):
        facts.append(Fact("home", f"The user lives in {_clean(match['v'])}."))
    if match := _FROM_EN.search(sentence):
        facts.append(Fact("home", f"The user is from {_clean(match['v'])}."))
    if match := _MOVED_EN.search(sentence):
        facts.append(Fact("home", f"The user moved to {_clean(match['v'])}."))
    if match := _FAVORITE_EN.search(sentence):
        facts.append(Fact("likes", f"The user's favorite {match['what'].strip()} is {_clean(match['v'])}."))
    elif (match := _LIKE_EN.search(sentence)) and match["v"].split()[0].lower() not in _VAGUE_EN:
        verb = match["verb"].lower()
        facts.append(Fact("likes", f"The user {verb}s {_clean(match['v'])}."))
    for match in _RELATION_EN.finditer(sentence):
        rest = _clean(match["rest"])
        if len(rest.split()) >= 2 or rest.startswith("'s"):
            joiner = "" if rest.startswith("'s") else " "
            facts.append(Fact("people", f"The user's {match['rel'].lower()}{joiner}{rest}."))
    if match := _HAVE_EN.search(sentence):
        facts.append(Fact("people", f"The user has {_clean(match['v'])}."))
    return facts


def _korean(sentence: str) -> list[Fact]:
    facts: list[Fact] = []
    if (match := _NAME_KO.search(sentence)) or (match := _NAME_KO2.search(sentence)):
        facts.append(Fact("name", f"사용자의 이름은 {_clean(match['v'])}."))
    if (match := _LIVE_KO.search(sentence)) and not any(
        _OTHER_SUBJECT_KO.search(word) for word in match["v"].split()[:-1]
    ):
        place = _clean(match["v"])
        if place and not _OTHER_SUBJECT_KO.search(place):
            facts.append(Fact("home", f"사용자는 {place}에 산다."))
    if match := _JOB_KO.search(sentence):
        facts.append(Fact("work", f"사용자의 직업은 {_clean(match['v'])}."))
    elif (match := _WORK_KO.search(sentence)) and not _OTHER_SUBJECT_KO.search(match["v"]):
        facts.append(Fact("work", f"사용자는 {_clean(match['v'])}{match['p']} 일한다."))
    elif (match := _WORKPLACE_KO.search(sentence)) and not _OTHER_SUBJECT_KO.search(match["v"]):
        facts.append(Fact("work", f"사용자는 {_clean(match['v'])}에서 일한다."))
    if match := _LIKE_KO.search(sentence):
        verb = "좋아한다" if match["verb"] == "좋아" else "사랑한다"
        facts.append(Fact("likes", f"사용자는 {_clean(match['v'])}{match['p']} {verb}."))
    if match := _RELATION_KO.search(sentence):
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
    """Store the facts in a user message, each with that message as its source; returns the new ones."""
    if message.role != "user":
        return []  # nothing Samantha says becomes a memory
    added = []
    for fact in extract_facts(message.content):
        if store.find_memory(fact.content) is not None:
            continue
        added.append(
            store.add_memory(
                fact.content,
                kind=fact.kind,
                source="pattern",
                message_id=message.id,
                conversation_id=message.conversation_id,
            )
        )
    return added


@dataclass
class MemoryWithSource:
    """A memory and, when it came from a message, that message (what the app's memory panel shows)."""

    memory: Memory
    source: Message | None


def list_memories(store: Store, limit: int | None = None) -> list[MemoryWithSource]:
    """Memories, newest first, each with the message it came from."""
    return [
        MemoryWithSource(memory, store.get_message(memory.message_id) if memory.message_id else None)
        for memory in store.list_memories(limit)
    ]


def add_memory(store: Store, fact: str) -> Memory:
    """Remember `fact` as the user wrote it (a manual memory has no source message)."""
    text = " ".join(fact.split())
    check_text(text, "memory")
    existing = store.find_memory(text)
    return existing or store.add_memory(text, kind="fact", source="manual")


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
