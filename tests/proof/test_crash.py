"""Crash suite: `samantha ask` killed with SIGKILL at random moments, and two writers on one database.

Each run asks one numbered question against the same database while the loopback server streams a slow
reply; the process is killed at a random moment between start-up (context assembly) and the end of the
reply (mid-stream, while saving). After every kill: `PRAGMA integrity_check` is ok, every acknowledged user
message is present exactly once, nothing is duplicated. A message counts as acknowledged once the model
was called with it (Samantha saves the user's message before calling the model) or the run finished.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from support.fixtures import db_rows, endpoint_env, run_samantha, samantha_command
from support.openai_server import OpenAITestServer, Reply

from samantha.companion import Companion
from samantha.config import load_settings
from samantha.llm.scripted import ScriptedModel
from samantha.store import Store

RUNS = int(os.environ.get("SAMANTHA_CRASH_RUNS", "50"))
REPLY_SECONDS = 24 * 0.05
QUESTION = re.compile(r"question number (\d+)\b")


def slow_reply() -> Reply:
    # REPLY_SECONDS of streaming, so kills land mid-stream and across the 1 s flush of the pending reply.
    return Reply.text([f"word{n} " for n in range(24)], piece_delay=0.05)


def acknowledged(server: OpenAITestServer) -> set[int]:
    """Question numbers the model was called with (their user message had been committed)."""
    found = set()
    for request in server.chat_requests:
        last = request.json["messages"][-1]["content"]
        match = QUESTION.search(last)
        if match:
            found.add(int(match.group(1)))
    return found


def check_database(database: Path) -> list[tuple]:
    [(verdict,)] = db_rows(database, "PRAGMA integrity_check")
    assert verdict == "ok"
    return db_rows(database, "select role, content, status, id from messages order by rowid")


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(samantha_home: Path) -> None:
    rng = random.Random(int(os.environ.get("SAMANTHA_CRASH_SEED", "20131218")))
    database = samantha_home / "samantha.db"
    with OpenAITestServer(default=slow_reply()) as server:
        env = {**os.environ, **endpoint_env(server, SAMANTHA_TIMEOUT="10")}
        env.pop("SAMANTHA_DEBUG", None)
        # One undisturbed run tells how long start-up and context assembly take on this machine.
        started = time.monotonic()
        first = run_samantha("ask", "question number 0 for you today", env=env)
        assert first.code == 0, first.stderr
        until_model = server.chat_requests[-1].at - started
        finished = {0}
        killed = {"before the model": 0, "after the model was called": 0}
        lock = threading.Lock()

        errors: list[BaseException] = []

        def one_run(n: int, delay: float) -> None:
            try:
                run_and_kill(n, delay)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        def run_and_kill(n: int, delay: float) -> None:
            process = subprocess.Popen(
                [*samantha_command(), "ask", "-c", f"question number {n} for you today"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            if n % 3 == 0:
                # Start-up and context assembly, before the model is called. The first run was cold (slower),
                # so its time to the model call over-estimates the later ones': aim well inside it.
                time.sleep(delay * until_model * 0.7)
            else:
                # Mid-stream and while saving: from the model call to a little past the reply's end.
                waited = time.monotonic() + 60
                while n not in acknowledged(server) and process.poll() is None and time.monotonic() < waited:
                    time.sleep(0.01)
                time.sleep(delay * (REPLY_SECONDS + 0.4))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                phase = "after the model was called" if n in acknowledged(server) else "before the model"
                with lock:
                    killed[phase] += 1
            _, stderr = process.communicate(timeout=60)
            if process.returncode == 0:
                with lock:
                    finished.add(n)
            else:
                assert process.returncode == -signal.SIGKILL, f"run {n}: {stderr.decode()}"

        # Two runs at a time (both against the same database), to keep the suite's time down.
        for n in range(1, RUNS + 1, 2):
            pair = [n, n + 1] if n + 1 <= RUNS else [n]
            threads = [threading.Thread(target=one_run, args=(m, rng.random())) for m in pair]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            if errors:
                pytest.fail("\n".join(str(e) for e in errors))
            rows = check_database(database)
            questions = [
                int(m.group(1)) for r in rows if r[0] == "user" for m in [QUESTION.search(r[1])] if m
            ]
            assert len(questions) == len(set(questions)), "a user message was duplicated"
            must_have = finished | acknowledged(server)
            assert must_have <= set(questions), f"lost: {sorted(must_have - set(questions))}"
            assert len({r[3] for r in rows}) == len(rows)
        # The kills landed in every phase.
        assert killed["before the model"] >= 3, killed
        assert killed["after the model was called"] >= 15, killed
        assert len(finished) < RUNS, killed

    # Replies a kill left pending are marked interrupted when the database is next opened.
    Store.open(database).close()
    rows = check_database(database)
    assert not [r for r in rows if r[2] == "pending"]
    replies = [r for r in rows if r[0] == "assistant"]
    assert all(r[2] in ("complete", "interrupted") for r in replies)
    assert all(r[1] for r in replies), "an empty reply was kept"


@pytest.mark.slow
def test_two_writers_at_once_lose_nothing_and_never_see_locked(samantha_home: Path) -> None:
    """The app (a Companion in this process, as the app drives it) and two CLI processes write at once."""
    database = samantha_home / "samantha.db"
    turns_in_app = 40
    asks_per_cli = 4
    with OpenAITestServer(default=Reply.text([f"w{n} " for n in range(30)], piece_delay=0.02)) as server:
        env = endpoint_env(server, SAMANTHA_TIMEOUT="20")
        store = Store.open(database)
        model = ScriptedModel(delay=0.002)
        companion = Companion(load_settings(), store, model)
        app_errors: list[BaseException] = []

        def app() -> None:
            try:
                conversation = companion.new_conversation("app")
                for n in range(turns_in_app):
                    model.enqueue(" ".join(f"reply{n}-{k}" for k in range(40)))
                    companion.turn(conversation, f"app message {n}").run()
            except BaseException as exc:  # reported below
                app_errors.append(exc)

        def cli(tag: str, results: list) -> None:
            for n in range(asks_per_cli):
                results.append(run_samantha("ask", f"cli {tag} message {n}", env=env, timeout=120))

        cli_results: dict[str, list] = {"a": [], "b": []}
        threads = [threading.Thread(target=app)] + [
            threading.Thread(target=cli, args=(tag, cli_results[tag])) for tag in cli_results
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        store.close()

    assert not app_errors, app_errors
    for results in cli_results.values():
        for ran in results:
            assert ran.code == 0, ran.stderr
            assert "locked" not in (ran.stderr + ran.stdout).lower()
    rows = check_database(database)
    users = [r[1] for r in rows if r[0] == "user"]
    expected = [f"app message {n}" for n in range(turns_in_app)] + [
        f"cli {tag} message {n}" for tag in cli_results for n in range(asks_per_cli)
    ]
    assert sorted(users) == sorted(expected)
    replies = [r for r in rows if r[0] == "assistant"]
    assert len(replies) == len(expected) and all(r[2] == "complete" for r in replies)
