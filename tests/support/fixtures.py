"""Fixtures and helpers shared by the OpenAI-path tests and the proof suites.

Import the fixtures you need into a test module or conftest (`from support.fixtures import openai_server`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.openai_server import OpenAITestServer


@pytest.fixture
def openai_server() -> Iterator[OpenAITestServer]:
    """A started scripted OpenAI-compatible server on 127.0.0.1 (stopped after the test)."""
    with OpenAITestServer() as server:
        yield server


def samantha_command() -> list[str]:
    """The installed `samantha` console script next to this Python, else `python -m samantha`."""
    script = Path(sys.executable).parent / "samantha"
    if script.is_file():
        return [str(script)]
    found = shutil.which("samantha")
    return [found] if found else [sys.executable, "-m", "samantha"]


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float
    ended: float
    """time.monotonic() when the process had exited (same clock as the test server's `Recorded.at`)."""


def run_samantha(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Ran:
    """Run `samantha ARGS` in a subprocess with the test's environment (tmp SAMANTHA_HOME) plus `env`."""
    import time

    full_env = {**os.environ, **(env or {})}
    full_env.pop("SAMANTHA_DEBUG", None)
    started = time.monotonic()
    done = subprocess.run(
        [*samantha_command(), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    ended = time.monotonic()
    return Ran(done.returncode, done.stdout, done.stderr, ended - started, ended)


@dataclass
class Invoked:
    code: int
    output: str
    """stdout and stderr, interleaved as a terminal shows them."""


def invoke(*args: str, input: str | bytes | None = None) -> Invoked:
    """Run `samantha ARGS` in this process, through the same entry point as the console script (so a
    known failure is one sentence and an exit code, as the user sees it)."""
    from click.testing import CliRunner

    from samantha.cli import main

    with CliRunner().isolation(input=input) as (_, _, both):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return Invoked(code, both.getvalue().decode("utf-8", "replace"))


def endpoint_env(server: OpenAITestServer, **extra: str) -> dict[str, str]:
    """Settings pointing Samantha at `server`: short timeout, few retries, so faults resolve fast.

    Memory extraction by the model is off: these suites script one server reply per turn, and an
    extraction call after a turn would take the next turn's reply (its own tests turn it on).
    """
    env = {
        "SAMANTHA_BASE_URL": server.url,
        "SAMANTHA_TIMEOUT": "2",
        "SAMANTHA_MAX_RETRIES": "2",
        "SAMANTHA_MEMORY_EXTRACTION": "off",
        # The test server reads prompts at once: the first token's budget is the timeout itself.
        "SAMANTHA_PROMPT_SPEED": "1000000",
    }
    env.update(extra)
    return env


def db_rows(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows from the database at `path`, read with a plain sqlite3 connection (no migrations run)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()
