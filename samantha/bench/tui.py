"""App benchmark: the first usable frame with 10,000 stored conversations, and streaming at 500 tokens/s.

Run: `python -m samantha.bench.tui [--quick]` (or through `make bench`).

- **first frame**: `samantha` is started in a pseudo-terminal (the real entry point, the real terminal
  driver) over a generated database of 10,000 conversations; the clock runs from spawn until the message
  box's placeholder is on the terminal (the first frame: the app takes keys from then on), and on to the
  first page of the sidebar (read in a worker after the first frame). Also reported: the import time of
  what runs before the first frame (`samantha.cli` + the app), in a fresh process.
- **streaming**: the app headless (`run_test`) with a scripted model streaming 1,000 tokens at
  500 tokens/s (token i due at 2 ms x i, as an endpoint's stream arrives whatever the app is doing);
  the reply must arrive intact (on screen and in the database); during the
  stream a key event is put in the app's queue every 50 ms (as the terminal driver does) and the time
  until the message box holds the character is recorded. Also the
  number of screen updates of the reply (batched, versus one per token).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samantha.bench import Row, row, run_alone
from samantha.bench.pty_app import app_in_pty
from samantha.llm.base import ModelDefaults

AREA = "tui"
FRAME_TARGET_S = 1.0
KEY_TARGET_MS = 100.0
CONVERSATIONS = 10_000
PLACEHOLDER = b"essage Samantha (/help"  # the first letter carries the cursor's style


def seed_conversations(path: Path, count: int) -> None:
    """`count` conversations of two messages each, newest last, written in one transaction."""
    from samantha.store import Store
    from samantha.store.store import new_id

    store = Store.open(path)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    conversations, messages = [], []
    for i in range(count):
        stamp = (start + timedelta(minutes=i)).isoformat(timespec="microseconds")
        cid = new_id() + f"{i:06d}"
        conversations.append(
            {"id": cid, "title": f"conversation {i}", "created_at": stamp, "updated_at": stamp}
        )
        for j, role in enumerate(("user", "assistant")):
            messages.append(
                {
                    "id": f"{cid}m{j}",
                    "conversation_id": cid,
                    "role": role,
                    "content": f"message {j} of conversation {i}: how was your day?",
                    "created_at": stamp,
                    "status": "complete",
                    "meta": "{}",
                }
            )
    with store.transaction():
        store.db.table("conversations").insert_all(conversations)
        store.db.table("messages").insert_all(messages)
    store.close()


def time_first_frame(home: Path, newest_title: str, timeout: float = 20.0) -> tuple[float, float]:
    """Seconds from spawning `samantha` in a pty to (first frame, sidebar filled)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMANTHA_", "OPENAI_"))}
    env.update(SAMANTHA_HOME=str(home), TERM="xterm-256color", COLUMNS="120", LINES="36")
    seen = b""
    frame = sidebar = float("nan")
    title = newest_title.encode()
    with app_in_pty(env) as app:
        while app.elapsed() < timeout and app.running():
            chunk = app.read(0.01)
            if chunk is None:
                break
            seen += chunk
            if frame != frame and PLACEHOLDER in seen:
                frame = app.elapsed()
            if sidebar != sidebar and title in seen:
                sidebar = app.elapsed()
            if frame == frame and sidebar == sidebar:
                break
    return frame, sidebar


def import_seconds() -> float:
    """Wall time of a fresh interpreter importing what runs before the first frame."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import samantha.cli, samantha.tui.app"],
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return time.perf_counter() - started


class PacedModel(ModelDefaults):
    """A scripted model that streams on a schedule, token i due at start + i/rate, as an endpoint's bytes
    would arrive: when the app is busy the tokens wait in line instead of the stream slowing down."""

    backend = "scripted"
    name = "paced"
    small_model_notice: str | None = None
    context_window = 8192
    finish_reason: str | None = "stop"

    def __init__(self, pieces: list[str], rate: float) -> None:
        self.pieces = pieces
        self.rate = rate

    def count_tokens(self, text: str) -> int:
        from samantha import tokens

        return tokens.count_tokens(text)

    def stream(self, messages: object, *, max_tokens: int, temperature: float) -> Iterator[str]:
        started = time.perf_counter()
        for i, piece in enumerate(self.pieces):
            wait = started + i / self.rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            yield piece


async def stream_run(tokens: int, delay: float, home: Path) -> dict[str, float | bool | int]:
    """Stream `tokens` scripted tokens into the headless app; press a key every 50 ms meanwhile."""
    from textual import events

    from samantha.companion import Companion
    from samantha.config import load_settings
    from samantha.store import Store
    from samantha.tui.app import SamanthaApp
    from samantha.tui.widgets.conversation import Conversation

    pieces = [f"w{i} " for i in range(tokens)]
    expected = "".join(pieces)
    model = PacedModel(pieces, 1 / delay)
    store = Store.open(home / "stream.db")
    settings = load_settings()
    app = SamanthaApp(settings, companion=Companion(settings, store, model))
    updates: list[object] = []

    def hook(message: object) -> None:
        if isinstance(message, Conversation.ReplyChunk) and all(m is not message for m in updates):
            updates.append(message)

    latencies: list[float] = []
    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        while app.companion is None:
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        screen = app.chat_screen
        screen.prompt.value = "go"
        started = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause(0.05)
        while screen.conversation.streaming:
            before = len(screen.prompt.value)
            pressed = time.perf_counter()
            # Straight into the app's event queue, as the terminal driver delivers keys.
            app.post_message(events.Key("x", "x"))
            while len(screen.prompt.value) == before and screen.conversation.streaming:
                await asyncio.sleep(0.001)
            if len(screen.prompt.value) > before:
                latencies.append((time.perf_counter() - pressed) * 1000)
            await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        elapsed = time.perf_counter() - started
        bubble = screen.chat.bubbles()[-1]
        saved = store.recent_messages(screen.conversation_id or "", 5)
        intact = bubble.raw == expected and bool(saved) and saved[-1].content == expected
        intact = intact and saved[-1].status == "complete"
    store.close()
    latencies.sort()
    return {
        "intact": intact,
        "elapsed": elapsed,
        "rate": tokens / elapsed,
        "ideal": tokens * delay,
        "updates": len(updates),
        "keys": len(latencies),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "max": latencies[-1] if latencies else float("nan"),
    }


def run(quick: bool) -> list[Row]:
    rounds = 3 if quick else 7
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="samantha-bench-tui-") as folder:
        home = Path(folder) / "home"
        home.mkdir()
        seed_started = time.perf_counter()
        seed_conversations(home / "samantha.db", CONVERSATIONS)
        seed_seconds = time.perf_counter() - seed_started
        newest = f"conversation {CONVERSATIONS - 1}"

        imports = sorted(import_seconds() for _ in range(rounds))
        frames, sidebars = [], []
        time_first_frame(home, newest)  # warm the OS file cache once, as a second start would be
        for _ in range(rounds):
            frame, sidebar = time_first_frame(home, newest)
            frames.append(frame)
            sidebars.append(sidebar)
        frames.sort()
        sidebars.sort()
        median_frame = statistics.median(frames)
        rows += [
            row(
                AREA,
                "first usable frame, 10,000 conversations (median)",
                median_frame,
                "s",
                f"<= {FRAME_TARGET_S:g} s",
                median_frame <= FRAME_TARGET_S,
                f"{rounds} starts of `samantha` in a pty; worst {max(frames):.3f} s; "
                f"db seeded in {seed_seconds:.1f} s; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
            ),
            row(
                AREA,
                "sidebar's first page on screen (median)",
                statistics.median(sidebars),
                "s",
                None,
                None,
                "read in a worker after the first frame",
            ),
            row(
                AREA,
                "imports before the first frame (median)",
                statistics.median(imports),
                "s",
                None,
                None,
                "fresh `python -c 'import samantha.cli, samantha.tui.app'`",
            ),
        ]

        tokens = 500 if quick else 1000
        result = asyncio.run(stream_run(tokens, 0.002, home))
        rows += [
            row(
                AREA,
                f"reply of {tokens:,} tokens at 500 tokens/s arrives intact",
                1.0 if result["intact"] else 0.0,
                "yes=1",
                "1",
                bool(result["intact"]),
                f"whole reply on screen after {result['elapsed']:.2f} s (the stream itself takes "
                f"{result['ideal']:.2f} s); headless app, paced scripted model",
            ),
            row(
                AREA,
                "key press during streaming, p95",
                float(result["p95"]),
                "ms",
                f"<= {KEY_TARGET_MS:g} ms",
                float(result["p95"]) <= KEY_TARGET_MS,
                f"{result['keys']} presses; median {result['p50']:.1f} ms, worst {result['max']:.1f} ms",
            ),
            row(
                AREA,
                "screen updates of the streamed reply",
                float(result["updates"]),
                "updates",
                None,
                None,
                f"for {tokens:,} tokens (batched every 50 ms, not one per token)",
            ),
        ]
    return rows


if __name__ == "__main__":
    run_alone(run, __doc__)
