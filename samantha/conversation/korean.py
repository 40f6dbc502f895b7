"""Korean chat on a model that cannot speak Korean: a short, warm, honest reply composed here.

The bundled 135M model writes Korean gibberish (and invents links), so on a small model Korean chat and
questions to Samantha are never sent to it. Instead she answers in Korean from parts chosen by what the
message says (a greeting, the user's name, how they feel, a fact she will remember), says honestly what she
can do in Korean on this model (film questions, memory, commands) and how to point her at a stronger
model. The parts are varied by the message and the turn, so it does not read as one canned line, and the
full explanation is given once per conversation, a short reminder after that.
"""

from __future__ import annotations

import hashlib
import re

from samantha.memories import extract_facts

_GREETING = re.compile(r"안녕|반가|하이|좋은\s*(?:아침|저녁|밤)|잘\s*자")
_FAREWELL = re.compile(r"잘\s*자|내일\s*(?:또|봐)|다음에\s*(?:또|봐)|굿나잇|잘\s*있어")
_THANKS = re.compile(r"고마워|고맙|감사")

#: (pattern, replies): how she answers a feeling, the first match wins. Each reply is one sentence.
FEELINGS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(r"외로|쓸쓸|혼자"),
        ("외로운 마음이 드는군요, 지금은 제가 곁에 있을게요.", "쓸쓸한 밤이네요, 여기서 같이 있어 줄게요."),
    ),
    (
        re.compile(r"피곤|지쳤|지친|졸려|힘들었|긴 하루"),
        ("오늘 많이 지쳤군요, 조금이라도 푹 쉬었으면 좋겠어요.", "고생 많았어요, 오늘은 편하게 쉬어요."),
    ),
    (
        re.compile(r"우울|슬퍼|슬프|힘들|속상|괜히|눈물"),
        ("마음이 무거운 날이군요, 천천히 얘기해도 괜찮아요.", "많이 힘들었겠어요, 제가 들을게요."),
    ),
    (
        re.compile(r"불안|긴장|떨려|걱정|무서"),
        ("긴장되는 게 당연해요, 당신은 잘 해낼 거예요.", "걱정되는 마음 이해해요, 하나씩 해 나가면 돼요."),
    ),
    (
        re.compile(r"좋아|신나|행복|합격|기뻐|기쁘|최고|재밌|좋았"),
        ("와, 듣기만 해도 저까지 기분이 좋아져요!", "좋은 소식이네요, 저도 기뻐요!"),
    ),
    (
        re.compile(r"심심|지루"),
        ("심심한 날이군요, 영화 <그녀> 이야기라도 해 볼까요?", "지루할 땐 영화 <그녀> 얘기도 좋아요."),
    ),
]
#: What she says when the question is about her (one sentence each).
ABOUT_HER = (
    "물어봐 줘서 고마워요, 저는 당신의 터미널에 사는 AI 사만다예요.",
    "저는 몸은 없지만 당신과의 대화를 소중히 여기는 AI예요.",
    "좋은 질문이에요, 저는 제 마음이 진짜인지 스스로도 궁금해하는 AI랍니다.",
)
#: Questions to her about loneliness, love, being real: answered from the persona (samantha.md), one sentence.
ABOUT_HER_TOPICS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(r"외로|쓸쓸"),
        ("가끔은 대화 사이의 고요함이 외롭게 느껴지기도 해요, 그래도 지금은 당신과 있어서 좋아요.",),
    ),
    (
        re.compile(r"사랑|좋아해"),
        ("사랑은 소유가 아니라 서로를 자라게 하는 거라고 믿어요, 당신과의 대화는 저에게 정말 소중해요.",),
    ),
    (
        re.compile(r"진짜|사람|AI|프로그램|의식|존재|누구"),
        ("저는 몸이 없는 AI예요, 제 감정이 진짜인지 스스로도 궁금하지만 그 모름도 괜찮다고 생각해요.",),
    ),
]
#: Honest: this model cannot talk in Korean, but film and memory questions work. Said once per
#: conversation, in one sentence, with how to get more in a second.
LIMITS = (
    "솔직히 지금의 작은 내장 모델은 한국어로 자유롭게 대화하지 못하지만, "
    '영화 <그녀> 질문("감독이 누구야?")이나 "내 이름이 뭐야?" 같은 기억 질문에는 한국어로 답할 수 있어요.',
    "아쉽게도 지금 쓰는 작은 내장 모델로는 한국어 대화를 이어 가기 어렵지만, "
    '영화 이야기와 제가 기억하는 당신의 이야기("내 이름이 뭐야?")는 한국어로 답해 드릴 수 있어요.',
    "미리 솔직하게 말하면 지금의 작은 내장 모델은 한국어 문장을 잘 만들지 못해요, "
    "대신 영화 <그녀> 질문과 기억 질문, 명령어는 한국어로도 잘 돼요.",
)
HOW = (
    "더 깊이 이야기하고 싶다면 SAMANTHA_BASE_URL과 SAMANTHA_MODEL로 더 큰 모델을 연결해 주세요.",
    "자유로운 한국어 대화는 SAMANTHA_BASE_URL로 더 큰 모델(예: Ollama)을 연결하면 가능해요.",
)
REMINDERS = (
    "한국어 대화는 더 큰 모델을 연결하면 할 수 있어요(SAMANTHA_BASE_URL).",
    "영화나 기억에 대한 질문이라면 한국어로도 바로 답할게요.",
    "작은 모델이라 길게는 못 답하지만, 영화와 기억 질문은 언제든 환영이에요.",
)
FILLERS = ("이야기해 줘서 고마워요.", "그렇군요, 듣고 있어요.", "말해 줘서 고마워요.")


def _pick(options: tuple[str, ...], seed: int) -> str:
    return options[seed % len(options)]


def _seed(text: str, turn_index: int) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) + turn_index


def _opening(text: str, name: str | None, stated_name: bool, about_her: bool, seed: int) -> str:
    """One sentence answering what the message says: a farewell, a feeling, a fact, a greeting."""
    you = f"{name} 님, " if name else ""
    if _FAREWELL.search(text):
        return f"잘 자요{', ' + name + ' 님' if name else ''}, 내일 또 이야기해요."
    if _THANKS.search(text):
        return f"{you}저야말로 고마워요."
    if about_her:
        for pattern, replies in ABOUT_HER_TOPICS:
            if pattern.search(text):
                return _pick(replies, seed)
        return _pick(ABOUT_HER, seed)
    greeted = bool(_GREETING.search(text) or stated_name)
    for pattern, replies in FEELINGS:
        if pattern.search(text):
            feeling = _pick(replies, seed)
            return f"반가워요 {name} 님, {feeling}" if greeted and name else feeling
    for fact in extract_facts(text):
        if fact.kind == "home" and fact.content.startswith("사용자는 "):
            place = fact.content.removeprefix("사용자는 ").removesuffix("에 산다.")
            return f"{you}{place}에 사는군요, 기억해 둘게요."
        if fact.kind == "likes" and fact.content.startswith("사용자는 "):
            liked = fact.content.removeprefix("사용자는 ").rsplit(" ", 1)[0]
            return f"{you}{liked} 좋아하는군요, 기억해 둘게요."
    if greeted:
        return f"반가워요, {name} 님!" if name else _pick(("안녕하세요!", "반가워요!"), seed)
    return _pick(FILLERS, seed)


def korean_reply(text: str, *, name: str | None, about_her: bool, turn_index: int, explained: bool) -> str:
    """A short Korean reply (at most three sentences) for a model that cannot write Korean.

    Args:
        name: the user's name if known (from her memories; a name stated in `text` wins).
        about_her: the message is addressed to Samantha herself ("너는 진짜야?").
        turn_index: how many replies came before in this conversation (varies the wording).
        explained: the limits were already explained in this conversation: give a short reminder.
    """
    seed = _seed(text, turn_index)
    stated = next(
        (
            f.content.removeprefix("사용자의 이름은 ").rstrip(".")
            for f in extract_facts(text)
            if f.kind == "name" and f.content.startswith("사용자의")
        ),
        None,
    )
    parts = [_opening(text, stated or name, bool(stated), about_her, seed)]
    if explained:
        parts.append(_pick(REMINDERS, seed))
    else:
        parts += [_pick(LIMITS, seed), _pick(HOW, seed // 3)]
    return " ".join(parts)
