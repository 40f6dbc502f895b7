"""Nothing lost, ever: the data-loss scenarios of an adversarial run (issue 16, items 1-5).

- No command writes onto Samantha's own files (database, WAL, SHM, corpus index): refused in one sentence.
- Every file that replaces a user's file is written aside and renamed: a failure or a kill midway leaves
  the previous file as it was.
- A busy or full database: the user's message is stored, or the user is told plainly that it was not,
  with the reason, and the session goes on.
- Any number of first opens of a fresh home at once succeed (migrations under the write lock).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.app_driving import wait_idle
from support.fixtures import db_rows, endpoint_env, invoke, run_samantha, samantha_command
from support.openai_server import OpenAITestServer

from samantha import transfer
from samantha.companion import Companion
from samantha.errors import MessageNotSaved, UsageError
from samantha.llm.scripted import ScriptedModel
from samantha.store import Store

BUSY = "the database is busy (another Samantha is importing?)"


def seed(home: Path, messages: int = 3) -> Path:
    path = home / "samantha.db"
    store = Store.open(path)
    conversation = store.create_conversation("the beach").id
    for n in range(messages):
        store.add_message(conversation, "user", f"message number {n} about my sister")
    store.add_memory("The user's sister is getting married in June.")
    store.close()
    return path


def rows_digest(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def one_sentence(text: str) -> None:
    assert text.strip() and "Traceback" not in text and "unexpected" not in text, text
    assert len(text.strip().splitlines()) == 1, text


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's view: a connection holding the database's write lock until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("begin exclusive")
    try:
        yield conn
    finally:
        conn.execute("rollback")
        conn.close()


# Item 1: no command writes onto the database, its WAL/SHM, or the corpus index


@pytest.mark.parametrize(
    "target",
    ["samantha.db", "samantha.db-wal", "samantha.db-shm", "corpus.db", "corpus.db-wal", "sub/../samantha.db"],
)
def test_export_onto_the_database_is_refused(samantha_home: Path, target: str) -> None:
    database = seed(samantha_home)
    (samantha_home / "sub").mkdir()
    (samantha_home / "corpus.db").write_bytes(b"index")
    before = rows_digest(database)
    for fmt in ("json", "jsonl", "markdown"):
        ran = invoke("memory", "export", "--format", fmt, "-o", str(samantha_home / target))
        assert ran.code == 2, ran.output
        one_sentence(ran.output)
        assert "Refusing to write to" in ran.output
    assert rows_digest(database) == before
    assert (samantha_home / "corpus.db").read_bytes() == b"index"


def test_export_through_a_symlink_or_hard_link_to_the_database_is_refused(
    samantha_home: Path, tmp_path: Path
) -> None:
    database = seed(samantha_home)
    before = rows_digest(database)
    (tmp_path / "link.json").symlink_to(database)
    os.link(database, tmp_path / "hard.json")
    for name in ("link.json", "hard.json"):
        with pytest.raises(UsageError, match=r"Refusing to write to .*Samantha's own database"):
            transfer.export_to_path(Store.open(database), tmp_path / name)
    assert rows_digest(database) == before


@pytest.mark.slow
def test_export_onto_the_database_from_the_command_line(samantha_home: Path) -> None:
    database = seed(samantha_home)
    before = rows_digest(database)
    ran = run_samantha("memory", "export", "-o", str(database))
    assert ran.code == 2
    one_sentence(ran.stderr)
    assert "Samantha's own database" in ran.stderr
    assert rows_digest(database) == before
    again = run_samantha("memory", "stats", "--json")
    assert again.code == 0 and '"messages": 3' in again.stdout


# Item 3: a write that replaces a user's file goes aside first, then is renamed


def test_a_failing_export_leaves_the_previous_backup_untouched(
    samantha_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(samantha_home)
    store = Store.open(samantha_home / "samantha.db")
    backups = tmp_path / "backups"
    backups.mkdir()
    backup = backups / "backup.json"
    transfer.export_to_path(store, backup)
    good = backup.read_bytes()
    real_rows = transfer._rows

    def disk_fills_up(*args: object, **kwargs: object) -> Iterator[dict]:
        yield from real_rows(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transfer, "_rows", disk_fills_up)
    for fmt in ("json", "jsonl", "markdown"):
        with pytest.raises(UsageError, match=r"disk is full.*unchanged"):
            transfer.export_to_path(store, backup, fmt)
        assert backup.read_bytes() == good
    assert sorted(p.name for p in backups.iterdir()) == ["backup.json"]  # no temporary file left
    assert (backup.stat().st_mode & 0o777) == 0o600


@pytest.mark.slow
def test_a_killed_export_leaves_the_previous_backup_whole(samantha_home: Path, tmp_path: Path) -> None:
    seed(samantha_home, messages=0)
    store = Store.open(samantha_home / "samantha.db")
    conversation = store.create_conversation("long").id
    with store.transaction():
        for n in range(20_000):
            store.add_message(conversation, "user", f"line {n} " + "words " * 40)
    backups = tmp_path / "backups"
    backups.mkdir()
    backup = backups / "backup.json"
    transfer.export_to_path(store, backup)
    store.close()
    good = backup.read_bytes()
    for delay in (0.3, 0.8, 1.3):
        process = subprocess.Popen(
            [*samantha_command(), "memory", "export", "-o", str(backup)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        # The old backup, or a complete new one: never a cut one.
        data = backup.read_bytes()
        assert data == good or data.endswith(b"\n]\n}\n")
    # A killed export may leave its hidden temporary file; never a second visible one, never a cut backup.
    assert [p.name for p in backups.iterdir() if not p.name.startswith(".")] == ["backup.json"]


# Items 2 and 4: a busy database


def short_busy_wait(store: Store, milliseconds: int = 200) -> Store:
    store.db.execute(f"PRAGMA busy_timeout = {milliseconds}")
    return store


def test_a_busy_database_refuses_the_message_plainly(store: Store, settings: object) -> None:
    model = ScriptedModel()
    companion = Companion(settings, short_busy_wait(store), model)  # type: ignore[arg-type]
    conversation = companion.new_conversation("hello")
    with write_lock(store.path), pytest.raises(MessageNotSaved) as caught:  # type: ignore[arg-type]
        companion.turn(conversation, "please keep this").run()
    assert BUSY in caught.value.message and "not saved" in caught.value.message
    assert model.history == []  # the model is not called for a message that was not stored
    assert store.recent_messages(conversation) == []
    model.enqueue("Here now.")
    assert companion.turn(conversation, "please keep this").run().answer == "Here now."


def test_plain_chat_goes_on_when_the_database_is_busy(
    store: Store, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from samantha.cli import chat_cmds

    model = ScriptedModel()
    model.enqueue("second answer")
    companion = Companion(settings, short_busy_wait(store), model)  # type: ignore[arg-type]
    monkeypatch.setattr(chat_cmds, "make_companion", lambda **_: companion)
    lock = write_lock(store.path)  # type: ignore[arg-type]
    lock.__enter__()
    calls = {"n": 0}
    real_input = input

    def typed(prompt: str) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            lock.__exit__(None, None, None)  # the other Samantha finished
        return real_input(prompt)

    monkeypatch.setattr("builtins.input", typed)
    ran = invoke("chat", input="first try\nsecond ok\n")
    assert ran.code == 0, ran.output
    assert BUSY in ran.output and "not saved" in ran.output
    assert "second answer" in ran.output
    assert "unexpected" not in ran.output and "is saved" not in ran.output
    saved = db_rows(store.path, "select role, content from messages order by rowid")  # type: ignore[arg-type]
    assert saved == [("user", "second ok"), ("assistant", "second answer")]
    # No conversation without messages is left behind.
    assert db_rows(store.path, "select count(*) from conversations") == [(1,)]  # type: ignore[arg-type]


@pytest.mark.slow
def test_ask_against_a_locked_database_says_the_message_was_not_saved(
    samantha_home: Path, openai_server: OpenAITestServer
) -> None:
    database = seed(samantha_home)
    with write_lock(database):
        ran = run_samantha("ask", "are you there?", env=endpoint_env(openai_server), timeout=60)
    assert ran.code != 0
    one_sentence(ran.stderr)
    assert BUSY in ran.stderr and "not saved" in ran.stderr
    assert openai_server.chat_requests == []
    assert db_rows(database, "select count(*) from messages where content = 'are you there?'") == [(0,)]


@pytest.mark.slow
def test_concurrent_first_opens_of_a_fresh_home_all_succeed(samantha_home: Path, tmp_path: Path) -> None:
    for round_ in range(3):
        shutil.rmtree(samantha_home, ignore_errors=True)
        commands = [["memory", "add", f"fact {n} of round {round_}"] for n in range(4)]
        commands.append(["memory", "export", "-o", str(tmp_path / f"export{round_}.json")])
        commands.append(["memory", "stats"])
        env = {**os.environ}
        processes = [
            subprocess.Popen(
                [*samantha_command(), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in commands
        ]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
        assert [code for code, _ in results] == [0] * len(commands), results
        facts = db_rows(samantha_home / "samantha.db", "select count(*) from memories")
        assert facts == [(4,)]


def test_concurrent_migrations_in_threads(samantha_home: Path) -> None:
    """The same race in one process: each thread opens (and so migrates) the fresh database at once."""
    path = samantha_home / "samantha.db"
    samantha_home.mkdir(parents=True, exist_ok=True)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_it() -> None:
        try:
            start.wait()
            Store.open(path).close()
        except BaseException as exc:
            errors.append(exc)

    for _ in range(5):
        path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        start.reset()
        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []


# Item 5: a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only): a real full disk."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small tmpfs needs root")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass


def test_a_full_disk_refuses_the_message_plainly_and_destroys_nothing(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    from samantha.cli import chat_cmds

    monkeypatch.setenv("SAMANTHA_HOME", str(small_disk))
    database = seed(small_disk, messages=1)
    store = Store.open(database)
    backup = small_disk / "backup.json"
    transfer.export_to_path(store, backup)
    good = backup.read_bytes()
    # Many messages, so the export does not fit once the disk is nearly full.
    conversation = store.create_conversation("long").id
    with store.transaction():
        for n in range(300):
            store.add_message(conversation, "assistant", f"reply {n} " + "x" * 100)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    fill(small_disk)
    model = ScriptedModel()
    companion = Companion(settings, store, model)  # type: ignore[arg-type]
    monkeypatch.setattr(chat_cmds, "make_companion", lambda **_: companion)
    big = "A long message about my sister's wedding. " * 400
    ran = invoke("chat", input=f"{big}\nsecond line\n")
    assert ran.code == 0, ran.output
    assert "disk is full" in ran.output and "not saved" in ran.output
    assert "unexpected" not in ran.output and "is saved" not in ran.output
    stored = [content for (content,) in db_rows(database, "select content from messages where role = 'user'")]
    assert big not in stored  # told not saved, and indeed not saved
    exported = invoke("memory", "export", "-o", str(backup))
    assert exported.code == 2 and "disk is full" in exported.output, exported.output
    assert backup.read_bytes() == good
    assert not [p for p in small_disk.iterdir() if p.name.endswith(".partial")]
    (small_disk / "filler").unlink()
    # Space again: everything works, nothing was damaged.
    assert db_rows(database, "PRAGMA integrity_check") == [("ok",)]
    model.enqueue("Back.")
    assert companion.turn(conversation, "and now?").run().answer == "Back."


async def test_the_app_keeps_a_message_the_busy_database_refused(store: Store, settings: object) -> None:
    from samantha.tui import make_app

    model = ScriptedModel()
    model.enqueue("Got it now.")
    companion = Companion(settings, short_busy_wait(store), model)  # type: ignore[arg-type]
    app = make_app(settings, companion=companion)  # type: ignore[arg-type]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(app, pilot)
        lock = write_lock(store.path)  # type: ignore[arg-type]
        lock.__enter__()
        try:
            app.chat_screen.prompt.value = "please keep this"
            await pilot.press("enter")
            await wait_idle(app, pilot)
        finally:
            lock.__exit__(None, None, None)
        notes = [f"{n.title} {n.message}" for n in app.notices]
        assert any(BUSY in n and "not saved" in n for n in notes), notes
        assert not any("is saved" in n for n in notes), notes
        assert app.chat_screen.prompt.value == "please keep this"  # kept, to send again
        assert not [b for b in app.chat_screen.chat.bubbles() if b.role == "user"]
        await pilot.press("enter")
        await wait_idle(app, pilot)
        saved = db_rows(store.path, "select role, content from messages order by rowid")  # type: ignore[arg-type]
        assert saved == [("user", "please keep this"), ("assistant", "Got it now.")]
