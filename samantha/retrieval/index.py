"""The corpus index: a rebuildable SQLite cache beside the user's database (`corpus.db` in SAMANTHA_HOME).

It holds each document's content hash, its passages (text, title, source, position), their Korean
morphemes in an FTS5 table (BM25) and sentence-encoder vectors as float32 blobs, for passages and for
their sentences. The shipped reviews are indexed on first use and again only when a file's content hash
changes; a user's own `.txt`/`.md` files are kept here with their text, so a rebuild never needs them.
Every change is one transaction: a refused or failed file leaves the index as it was.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from samantha import locations
from samantha.errors import UsageError
from samantha.retrieval import nlp
from samantha.retrieval.text import Document, parse_document

#: Bump when passages, terms or vectors are made differently: the index is then rebuilt.
INDEX_VERSION = "6"
USER_SUFFIXES = (".txt", ".md")
MAX_USER_FILE_BYTES = 2_000_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, title TEXT NOT NULL, origin TEXT NOT NULL, sha256 TEXT NOT NULL,
    path TEXT, text TEXT, author TEXT, date TEXT, passages INTEGER NOT NULL, indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, position INTEGER NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_source ON passages(source);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY, passage_id INTEGER NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_passage ON sentences(passage_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_terms USING fts5(terms, grams, tokenize = 'unicode61');
"""


@dataclass
class DocumentInfo:
    source: str
    title: str
    origin: str
    passages: int
    indexed_at: str


@dataclass
class SyncReport:
    indexed: list[str]
    removed: list[str]
    seconds: float


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """Run a CorpusIndex method under its connection lock."""

    @functools.wraps(method)
    def wrapper(self: CorpusIndex, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return cast(_F, wrapper)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CorpusIndex:
    """The index file. Opening it creates the tables; `sync()` brings the shipped reviews up to date."""

    def __init__(self, path: Path | None = None, corpus_dir: Path | None = None) -> None:
        self.path = path or locations.corpus_index_path()
        self.corpus_dir = corpus_dir or locations.corpus_dir()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        #: One connection shared by the threads of the app: every use goes through this lock.
        self.lock = threading.RLock()
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError:
            # The index is a cache: a damaged file is set aside (not deleted) and rebuilt.
            self.path.replace(self.path.with_name(self.path.name + ".damaged"))
            for suffix in ("-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            self.conn = self._open()
        #: Bumped on every change, so a retriever knows its in-memory copy is stale.
        self.generation = 0

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            self.conn = conn
            if self.version() not in (None, INDEX_VERSION):
                # Another version's cache: start afresh (user files are kept, their text is re-indexed).
                conn.executescript(
                    "DROP TABLE IF EXISTS passage_terms; DELETE FROM passages; DELETE FROM sentences;"
                )
            conn.executescript(SCHEMA)
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read, under the connection's lock."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            self.generation += 1

    # ---- reading ----
    @_locked
    def documents(self) -> list[DocumentInfo]:
        rows = self.conn.execute(
            "SELECT source, title, origin, passages, indexed_at FROM documents ORDER BY origin, source"
        ).fetchall()
        return [DocumentInfo(*row) for row in rows]

    @_locked
    def version(self) -> str | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    # ---- writing ----
    @_locked
    def sync(self) -> SyncReport:
        """Index shipped reviews that are new or changed, drop those that are gone; rebuild everything
        (user files from their stored text) when the index was made by another version."""
        import time

        started = time.perf_counter()
        files = {p.name: p.read_bytes() for p in sorted(self.corpus_dir.glob("*.txt"))}
        known = dict(self.conn.execute("SELECT source, sha256 FROM documents WHERE origin = 'builtin'"))
        rebuild = self.version() != INDEX_VERSION
        todo = [name for name, data in files.items() if rebuild or known.get(name) != sha256(data)]
        removed = [name for name in known if name not in files]
        users = []
        if rebuild:
            users = self.conn.execute(
                "SELECT source, text, path FROM documents WHERE origin = 'user' AND text IS NOT NULL"
            ).fetchall()
        if not todo and not removed and not rebuild:
            return SyncReport([], [], time.perf_counter() - started)
        # Kiwi takes a second or two to load: let it load on the other core while vectors are computed.
        warming = nlp.warm_up_kiwi()
        prepared = [(name, files[name], self._prepare(name, files[name].decode("utf-8"))) for name in todo]
        warming.join()
        prepared_users = [(s, t, p, self._prepare(s, t)) for s, t, p in users]
        with self.transaction() as conn:
            for name in removed:
                self._delete(conn, name)
            for _name, data, parsed in prepared:
                self._write(conn, parsed, origin="builtin", digest=sha256(data), path=None, text=None)
            for _source, text, path, parsed in prepared_users:
                self._write(conn, parsed, "user", sha256(text.encode("utf-8")), path, text)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('version', ?)", (INDEX_VERSION,))
        indexed = todo + [s for s, *_ in users]
        return SyncReport(indexed, removed, time.perf_counter() - started)

    @_locked
    def add_file(self, path: Path) -> tuple[DocumentInfo, bool]:
        """Index a user's `.txt`/`.md` file. Returns its entry and whether anything changed.

        Raises:
            UsageError: the file is missing, not text, not UTF-8, empty, too big or has no prose.
        """
        source = path.name
        if path.suffix.lower() not in USER_SUFFIXES:
            raise UsageError(f"{path} is not a .txt or .md file; only plain text or Markdown can be added.")
        try:
            if not path.is_file():
                raise UsageError(f"{path} does not exist or is not a file.")
            if path.stat().st_size > MAX_USER_FILE_BYTES:
                raise UsageError(f"{path} is larger than {MAX_USER_FILE_BYTES // 1_000_000} MB.")
            data = path.read_bytes()  # read once: from here on the file may change or vanish
        except FileNotFoundError:
            raise UsageError(f"{path} disappeared before it could be read; nothing was added.") from None
        except OSError as exc:
            raise UsageError(f"{path} could not be read ({exc.strerror}); nothing was added.") from None
        if b"\x00" in data:
            raise UsageError(f"{path} looks like a binary file, not text; nothing was added.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 text; save it as UTF-8 and add it again.") from None
        if not text.strip():
            raise UsageError(f"{path} is empty; nothing was added.")
        builtin = {p.name for p in self.corpus_dir.glob("*.txt")}
        if source in builtin:
            raise UsageError(f"{source} has the name of a shipped review; rename it and add it again.")
        digest = sha256(data)
        row = self.conn.execute("SELECT sha256 FROM documents WHERE source = ?", (source,)).fetchone()
        parsed = self._prepare(source, text)
        if not parsed.document.chunks:
            raise UsageError(f"{path} has no text to index once page furniture is removed.")
        if row and row[0] == digest:
            return self._info(source), False
        with self.transaction() as conn:
            self._write(conn, parsed, "user", digest, str(path.resolve()), text)
        return self._info(source), True

    @_locked
    def remove(self, source: str) -> None:
        row = self.conn.execute("SELECT origin FROM documents WHERE source = ?", (source,)).fetchone()
        if row is None:
            raise UsageError(f"No indexed file is called {source}.")
        if row[0] != "user":
            raise UsageError(f"{source} is a shipped review and cannot be removed.")
        with self.transaction() as conn:
            self._delete(conn, source)

    def _info(self, source: str) -> DocumentInfo:
        row = self.conn.execute(
            "SELECT source, title, origin, passages, indexed_at FROM documents WHERE source = ?", (source,)
        ).fetchone()
        return DocumentInfo(*row)

    @staticmethod
    def _prepare(source: str, text: str) -> _Prepared:
        """Everything slow (parsing, morphemes, vectors) happens here, before the transaction opens."""
        document = parse_document(source, text)
        sentence_texts = [s for c in document.chunks for s in c.sentences]
        sentence_vectors = nlp.encode(sentence_texts)
        # A passage's vector is the normalised mean of its sentences' vectors: as good in the eval as
        # encoding the passage again, at half the indexing time.
        chunk_vectors = np.zeros((len(document.chunks), sentence_vectors.shape[1]), dtype=np.float32)
        start = 0
        for i, chunk in enumerate(document.chunks):
            chunk_vectors[i] = sentence_vectors[start : start + len(chunk.sentences)].sum(axis=0)
            start += len(chunk.sentences)
        chunk_vectors /= np.maximum(np.linalg.norm(chunk_vectors, axis=1, keepdims=True), 1e-12)
        chunk_terms = [" ".join(nlp.terms(c.text)) for c in document.chunks]  # waits for Kiwi
        chunk_grams = [" ".join(nlp.bigrams(c.text)) for c in document.chunks]
        return _Prepared(document, chunk_vectors, sentence_vectors, chunk_terms, chunk_grams)

    @staticmethod
    def _delete(conn: sqlite3.Connection, source: str) -> None:
        ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE source = ?", (source,))]
        conn.executemany("DELETE FROM passage_terms WHERE rowid = ?", [(i,) for i in ids])
        conn.executemany("DELETE FROM sentences WHERE passage_id = ?", [(i,) for i in ids])
        conn.execute("DELETE FROM passages WHERE source = ?", (source,))
        conn.execute("DELETE FROM documents WHERE source = ?", (source,))

    def _write(
        self,
        conn: sqlite3.Connection,
        prepared: _Prepared,
        origin: str,
        digest: str,
        path: str | None,
        text: str | None,
    ) -> None:
        document = prepared.document
        self._delete(conn, document.source)
        conn.execute(
            "INSERT INTO documents(source, title, origin, sha256, path, text, author, date, passages, "
            "indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document.source, document.title, origin, digest, path, text, document.author, document.date,
             len(document.chunks), _now()),
        )  # fmt: skip
        s = 0
        for chunk, vector, chunk_terms, grams in zip(
            document.chunks, prepared.chunk_vectors, prepared.chunk_terms, prepared.chunk_grams, strict=True
        ):
            cursor = conn.execute(
                "INSERT INTO passages(source, position, title, text, vector) VALUES (?, ?, ?, ?, ?)",
                (document.source, chunk.position, document.title, chunk.text, vector.tobytes()),
            )
            passage_id = cursor.lastrowid
            conn.execute(
                "INSERT INTO passage_terms(rowid, terms, grams) VALUES (?, ?, ?)",
                (passage_id, chunk_terms, grams),
            )
            for position, sentence in enumerate(chunk.sentences):
                conn.execute(
                    "INSERT INTO sentences(passage_id, position, text, vector) VALUES (?, ?, ?, ?)",
                    (passage_id, position, sentence, prepared.sentence_vectors[s].tobytes()),
                )
                s += 1


@dataclass
class _Prepared:
    document: Document
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    chunk_terms: list[str]
    chunk_grams: list[str]
