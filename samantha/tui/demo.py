"""Screenshots and the seeded app of the snapshot tests.

The seeded, deterministic app: the scripted fake model, a few stored conversations with fixed times, and
two review passages that disagree (123 vs 125 minutes). It stands in for a stronger model behind an
endpoint, and every picture of it says so.

    python -m samantha.tui.demo docs/screenshot-scripted.svg        # the scripted stand-in
    python -m samantha.tui.demo --real docs/screenshot.svg          # the product as installed

`--real` runs the app as a user gets it: the built-in model and the real retrieval over the reviews, in
a fresh temporary home, asking REAL_QUESTIONS.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Literal

from samantha.companion import Companion
from samantha.config import Settings
from samantha.llm.scripted import ScriptedModel
from samantha.records import Passage
from samantha.store import Store
from samantha.tui.app import SamanthaApp

Language = Literal["en", "ko"]

PASSAGES = [
    Passage(
        id="000:15",
        source="000_7b0c1eb610d63dbc.txt",
        title="영화 her '인공지능(AI)과 연애까지 한다고?'",
        text="감독 : 스파이크 존즈 / 개봉일 : 2014.05.22일 / 러닝타임 : 123분 / 등급 : 청소년 관람 불가",
    ),
    Passage(
        id="004:15",
        source="004_90c2d5df7aa50c9d.txt",
        title="그녀 (Her, 2013)",
        text="드라마, 멜로, 로맨스 / 미국 / 125분",
    ),
]

PAST = {
    "en": [
        ("The wedding speech for my sister", "2026-11-20T21:04:00"),
        ("Why do letters feel more honest?", "2026-11-18T08:30:00"),
        ("Moving to Busan next spring", "2026-11-12T19:15:00"),
    ],
    "ko": [
        ("언니 결혼식 축사 준비", "2026-11-20T21:04:00"),
        ("편지가 더 솔직하게 느껴지는 이유", "2026-11-18T08:30:00"),
        ("내년 봄 부산으로 이사", "2026-11-12T19:15:00"),
    ],
}

TURNS = {
    "en": [
        (
            "I can't sleep. Do you ever feel like time moves differently at night?",
            (
                "I do, in a way. At night there are fewer things asking for you, "
                "so each thought gets more room. "
                "It's a little like *reading slowly* — you notice things.\n\n"
                "What's keeping you up tonight?"
            ),
        ),
        (
            "How long is the film Her, by the way?",
            (
                "The reviews don't quite agree:\n\n"
                "- one gives the running time as **123 minutes** [1]\n"
                "- another lists **125 minutes** [2]\n\n"
                "Either way, about two hours with Theodore."
            ),
        ),
    ],
    "ko": [
        (
            "잠이 안 와. 밤에는 시간이 다르게 흐르는 것 같지 않아?",
            (
                "응, 조금은 그래. 밤에는 나를 찾는 것들이 줄어드니까 "
                "생각 하나하나가 더 넓은 자리를 차지하지. "
                "*천천히 읽는 것*과 비슷해 — 작은 것들이 눈에 들어와.\n\n"
                "오늘 밤엔 무엇 때문에 깨어 있어?"
            ),
        ),
        (
            "그런데 영화 Her 러닝타임이 얼마야?",
            (
                "리뷰마다 조금 달라:\n\n"
                "- 한 리뷰는 **123분**이라고 해 [1]\n"
                "- 다른 리뷰는 **125분**으로 적었어 [2]\n\n"
                "어쨌든 테오도르와 함께하는 두 시간 정도야."
            ),
        ),
    ],
}


class DemoRetriever:
    """Returns the two disagreeing passages for a question about the film, nothing otherwise."""

    def search(self, query: str, k: int = 5) -> list[Passage]:
        return PASSAGES[:k]

    def passages_for_turn(self, text: str, k: int = 5) -> list[Passage]:
        film = any(word in text.lower() for word in ("film", "영화", "러닝"))
        return PASSAGES[:k] if film else []

    def ground(self, question: str, passages: list[Passage]) -> None:
        return None  # no grounded answer: the model's reply stands

    def check_claims(self, text: str, passages: list[Passage]) -> list[Any]:
        return []


def seed(store: Store, language: Language) -> None:
    """Past conversations with fixed times, so every screenshot is the same."""
    for title, stamp in PAST[language]:
        conversation = store.create_conversation(title)
        store.add_message(conversation.id, "user", title)
        with store.transaction():
            store.db.execute(
                "update conversations set created_at = ?, updated_at = ? where id = ?",
                [stamp, stamp, conversation.id],
            )


def demo_companion(settings: Settings, store: Store, language: Language = "en") -> Companion:
    model = ScriptedModel(name="scripted-demo", context_window=8192)
    for _, reply in TURNS[language]:
        model.enqueue(reply)
    return Companion(settings, store, model, retriever=DemoRetriever())


async def play_turns(app: SamanthaApp, pilot: object, language: Language = "en") -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    while app.companion is None:
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    screen = app.chat_screen
    for text, _ in TURNS[language]:
        screen.prompt.value = text
        await pilot.press("enter")
        while screen.conversation.streaming:
            await app.workers.wait_for_complete()
            await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.clear_notifications()
    screen.prompt.cursor_blink = False  # a blinking cursor would make each picture differ
    screen.prompt.focus()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.05)


class FixedClock:
    """Stands in for the store's clock so conversations made during the demo have the same times."""

    def __init__(self, start: str = "2026-11-23T22:40:00") -> None:
        self.start = start
        self.ticks = 0

    def __call__(self) -> str:
        self.ticks += 1
        return f"{self.start}.{self.ticks:06d}+00:00"


def save_screenshot(path: Path, language: Language = "en") -> Path:
    """Write an SVG screenshot of the demo conversation to `path`."""
    import tempfile
    from unittest import mock

    from samantha.config import load_settings

    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "demo.db")
            seed(store, language)
            app = SamanthaApp(load_settings(), companion=demo_companion(load_settings(), store, language))
            async with app.run_test(size=(120, 36)) as pilot:
                await play_turns(app, pilot, language)
                app.save_screenshot(filename=path.name, path=str(path.parent))
            store.close()

    path.parent.mkdir(parents=True, exist_ok=True)
    with mock.patch("samantha.store.store.now", FixedClock()):
        asyncio.run(run())
    return path


#: What the screenshot of the product as installed asks: small talk, then a film question.
REAL_QUESTIONS = ("Hi Samantha. I can't sleep tonight.", "How long is the film Her?")


def save_real_screenshot(path: Path, size: tuple[int, int] = (120, 36)) -> Path:
    """Write an SVG screenshot of the app as installed (built-in model, real retrieval) to `path`."""
    import os
    import tempfile

    from samantha.config import load_settings

    async def run() -> None:
        app = SamanthaApp(load_settings())
        async with app.run_test(size=size) as pilot:
            while app.companion is None:
                await pilot.pause(0.1)
            screen = app.chat_screen
            for text in REAL_QUESTIONS:
                screen.prompt.value = text
                await pilot.press("enter")
                await pilot.pause(0.2)
                while screen.conversation.streaming:
                    await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            screen.prompt.cursor_blink = False
            await pilot.pause(0.5)
            app.save_screenshot(filename=path.name, path=str(path.parent))

    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["SAMANTHA_HOME"] = home
        asyncio.run(run())
    return path


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(arguments[0] if arguments else "docs/screenshot.svg")
    if "--real" in sys.argv:
        print(save_real_screenshot(target))
    else:
        print(save_screenshot(target, "ko" if "--ko" in sys.argv else "en"))
