"""Writing the user's files so that none is ever destroyed.

Every file Samantha writes for the user (exports, anything that replaces a file that may already exist)
is written to a temporary file in the same folder, flushed to disk, then renamed over the target: a full
disk, a kill or a crash midway leaves the previous file exactly as it was. And no command ever writes
onto Samantha's own database, its WAL or shared-memory files, or the corpus index.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from samantha import locations
from samantha.errors import UsageError

#: Files beside a SQLite database that are part of it.
SIDE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def own_files() -> list[Path]:
    """The database and the corpus index, with their side files: never a target for a user's write."""
    return [
        Path(f"{base}{suffix}")
        for base in (locations.database_path(), locations.corpus_index_path())
        for suffix in SIDE_SUFFIXES
    ]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts
    except OSError:
        return False


def refuse_own_files(path: Path) -> None:
    """Raise `UsageError` when `path` (symlinks, `..` and hard links followed) is one of Samantha's files."""
    target = path.expanduser()
    for own in own_files():
        if _same_file(target, own):
            raise UsageError(
                f"Refusing to write to {path}: it is Samantha's own {_what(own)}; choose another file name."
            )


def _what(own: Path) -> str:
    return "corpus index" if own.name.startswith(locations.corpus_index_path().name) else "database"


def why_not_written(exc: OSError) -> str:
    """The reason a write failed, in words ("the disk is full" rather than an errno)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    return exc.strerror or str(exc)


@contextmanager
def replace_atomically(path: Path, *, mode: int = 0o600) -> Iterator[TextIO]:
    """A UTF-8 text file that replaces `path` only once completely written and flushed to disk.

    Until then `path` is untouched; on any failure the temporary file is removed and a `path` that
    existed keeps its old content. The new file is created `mode` (0600: readable by the user only).
    """
    refuse_own_files(path)
    target = path.expanduser()
    if target.is_symlink():
        target = target.resolve()  # replace the file the link points to, and keep the link
    existed = target.exists()
    if target.is_dir():
        raise UsageError(f"Cannot write {path}: it is a folder.")
    kept = " (the file that was there is unchanged)" if existed else ""
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise UsageError(f"Cannot write {path}: {why_not_written(exc)}.") from None
    try:
        os.fchmod(fd, mode)
        with io.open(fd, "w", encoding="utf-8", newline="\n") as out:  # noqa: UP020 (an fd, not a path)
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"Cannot write {path}: {why_not_written(exc)}{kept}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A scratch path beside `path` to write a cache file to: renamed into place when the block ends
    without an error, removed otherwise, so processes starting at once never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    try:
        yield Path(scratch)
        os.replace(scratch, path)
    finally:
        Path(scratch).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
