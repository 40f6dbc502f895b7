"""Opening the database: private file, WAL, busy timeout, foreign keys, migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from samantha.errors import BUSY, DISK_FULL, StoreError, reason, store_error, while_busy
from samantha.store.migrations import is_current, migrate

#: How long a write waits for another process's write lock (an import, another Samantha) before saying the
#: database is busy: short, so a command told so ends well within its timeout + 5 s.
BUSY_TIMEOUT_MS = 5_000
#: A first open migrates under the write lock; others opening at the same moment wait for it longer than a
#: write does, since a fresh home's migrations on a loaded machine can take more than BUSY_TIMEOUT_MS.
MIGRATION_WAIT_MS = 60_000


def create_private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), if it does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def open_database(path: Path | None) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`; `None` means in memory."""
    if path is None:
        # Not bound to the opening thread: the app opens the core in one worker and runs turns in others.
        db = sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False))
    else:
        try:
            create_private_file(path)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            db = sqlite_utils.Database(conn)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            while_busy(lambda: db.execute("PRAGMA journal_mode = WAL"), MIGRATION_WAIT_MS / 1000)
            db.execute("PRAGMA synchronous = NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise _open_error(exc, path) from None
    db.execute("PRAGMA foreign_keys = ON")
    try:
        while_busy(lambda: migrate(db), MIGRATION_WAIT_MS / 1000)
    except sqlite3.DatabaseError as exc:
        if reason(exc) in (BUSY, DISK_FULL):
            raise _open_error(exc, path) from None
        raise StoreError(f"The database {path} is not a Samantha database or is damaged: {exc}.") from None
    if path is not None:
        # WAL side files inherit the umask; keep them private too.
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                side.chmod(0o600)
    return db


def _open_error(exc: BaseException, path: Path | None) -> StoreError:
    if reason(exc) in (BUSY, DISK_FULL):
        return store_error(exc, f"Cannot open the database {path}")
    return StoreError(f"Cannot open the database {path}: {exc}.")


def open_readonly(path: Path) -> sqlite_utils.Database | None:
    """Open the database at `path` for reading only, never writing a byte to it (incognito recall).

    Returns None when there is no database yet, or it needs a migration (which would be a write).
    """
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn)
        if is_current(db):
            return db
        conn.close()
    except sqlite3.Error:
        pass
    return None
