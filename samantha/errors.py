"""A small error hierarchy. Every error carries one sentence a person can act on."""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable


class SamanthaError(Exception):
    """Base for errors shown to the user as one sentence, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(SamanthaError):
    """The settings or the config file are wrong."""

    exit_code = 2


class UsageError(SamanthaError):
    """The user asked for something that cannot be done as asked (empty query, unknown id...)."""

    exit_code = 2


class StoreError(SamanthaError):
    """The database cannot be opened, is newer than this Samantha, or a write failed."""


class DatabaseBusy(StoreError):
    """Another process held the database's write lock for longer than Samantha waits."""


class DiskFull(StoreError):
    """The disk (or the user's quota) is full."""


class MessageNotSaved(StoreError):
    """The user's message could not be stored; the model was not called. The text is given back."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


class ModelError(SamanthaError):
    """The model backend failed: unreachable, refused, timed out, or the model file is bad."""

    #: Whether trying again later could succeed (a timeout or rate limit, not a bad key).
    retryable = False


class ModelUnavailable(ModelError):
    retryable = True


class ModelTimeout(ModelError):
    retryable = True


class ModelRateLimited(ModelError):
    retryable = True


class ModelAuthError(ModelError):
    pass


class ModelContextExceeded(ModelError):
    """The server refused the request as longer than the model's context."""

    n_prompt: int | None = None
    """The prompt's tokens, as the server counted them (when it said)."""
    n_ctx: int | None = None
    """The tokens the server's context holds (when it said)."""


class ModelFileError(ModelError):
    pass


class ImportRefused(SamanthaError):
    """An import file was refused; the database is left as it was."""

    exit_code = 2


# Why a database operation failed, in words

BUSY = "the database is busy (another Samantha is importing?)"
DISK_FULL = "the disk is full"
_BUSY_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")
_FULL_CODES = ("SQLITE_FULL",)


def reason(exc: BaseException) -> str:
    """Why a database operation failed, in words: busy, disk full, or SQLite's own sentence."""
    if isinstance(exc, DatabaseBusy):
        return BUSY
    if isinstance(exc, DiskFull):
        return DISK_FULL
    if isinstance(exc, StoreError):
        return exc.message.rstrip(".")
    name = getattr(exc, "sqlite_errorname", "") or ""  # extended codes too: SQLITE_BUSY_SNAPSHOT...
    text = str(exc).lower()
    if name.startswith(_BUSY_CODES) or "database is locked" in text or "database is busy" in text:
        return BUSY
    if name.startswith(_FULL_CODES) or "disk is full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return DISK_FULL
    return f"the database failed ({exc})"


def store_error(exc: BaseException, doing: str = "") -> StoreError:
    """The `StoreError` for a failed database operation: `DatabaseBusy`, `DiskFull` or a plain one."""
    why = reason(exc)
    sentence = f"{doing}: {why}." if doing else why[0].upper() + why[1:] + "."
    if why == BUSY:
        return DatabaseBusy(sentence)
    if why == DISK_FULL:
        return DiskFull(sentence)
    return StoreError(sentence)


def while_busy(step: Callable[[], object], seconds: float) -> None:
    """Run `step`, again while the database is busy, for up to `seconds`: several first opens at once race
    for the switch to WAL and the schema, and SQLite may refuse a waiting one at once (a lock it cannot
    wait for) rather than after its busy timeout. The steps given are idempotent, so a retry is safe."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if reason(exc) != BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
