"""The corpus index: a rebuildable SQLite cache beside the user's database (`corpus.db` in SAMANTHA_HOME).

It holds each document's content hash, its passages (text, English translation, title, source, position),
their Korean morphemes in an FTS5 table and their English words in another (BM25 on both sides), sentence-
encoder vectors as float32 blobs for passages and sentences in both languages, and the facts the reviews
state (`facts.py`), each with its passage. The shipped reviews are indexed on first use and again only
when a file's (or its translation's) content hash changes; a user's own `.txt`/`.md` files are kept here
with their text (and a model's translation, when one was made), so a rebuild never needs them.
`CorpusIndex.build_document` is the one place a document is turned into index rows.
A new home starts from the index shipped in the package when it is current (`shipped.open_index`),
so its first film question does not wait for the reviews to be indexed.
Every change is one transaction: a refused or failed file leaves the index as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import numpy as np

from samantha import locations
from samantha.errors import BUSY, DISK_FULL, UsageError, reason, store_error, while_busy
from samantha.retrieval import nlp, words
from samantha.retrieval.facts import Fact, facts_in_sentences
from samantha.retrieval.glossary import Glossary
from samantha.retrieval.text import Document, parse_document
from samantha.retrieval.translation import Translation, load_translation, sentence_key, translation_path

#: Bump when passages, terms or vectors are made differently: the index is then rebuilt.
INDEX_VERSION = "9"
USER_SUFFIXES = (".txt", ".md")
#: Folder beside the index with copies of the files the user added (`corpus add`).
ADDED_DIR = "corpus-added"
MAX_USER_FILE_BYTES = 2_000_000
#: How long a first open waits for another process opening the same fresh index (its WAL switch, its schema).
OPEN_WAIT_SECONDS = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, title TEXT NOT NULL, origin TEXT NOT NULL, sha256 TEXT NOT NULL,
    path TEXT, text TEXT, author TEXT, date TEXT, passages INTEGER NOT NULL, indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, position INTEGER NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, text_en TEXT NOT NULL DEFAULT '', vector BLOB NOT NULL, vector_en BLOB
);
CREATE INDEX IF NOT EXISTS passages_source ON passages(source);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY, passage_id INTEGER NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    text_en TEXT NOT NULL DEFAULT '', vector BLOB NOT NULL, vector_en BLOB,
    terms TEXT NOT NULL DEFAULT '', lemmas TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sentences_passage ON sentences(passage_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_terms USING fts5(terms, grams, tokenize = 'unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS passage_words_en USING fts5(text, tokenize = 'porter unicode61');
CREATE TABLE IF NOT EXISTS facts (
    id INTEGER PRIMARY KEY, passage_id INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
    value TEXT NOT NULL, evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS facts_passage ON facts(passage_id);
CREATE TABLE IF NOT EXISTS form_terms (form TEXT PRIMARY KEY, terms TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS english_forms (form TEXT PRIMARY KEY, lemma TEXT NOT NULL);
"""
#: Columns added to `documents` after version 6 (kept across rebuilds: user files live in that table).
DOCUMENT_COLUMNS = {
    "short_title": "TEXT",
    "short_title_en": "TEXT",
    "translation": "TEXT",  # a user file's model translation: JSON {normalised Korean sentence: English}
    "translated_by": "TEXT",  # who translated it: the project, a model's name, or NULL (not translated)
}


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


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite found the file corrupt or not a database at all (not busy, not a full disk)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return reason(exc) not in (BUSY, DISK_FULL)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CorpusIndex:
    """The index file. Opening it creates the tables; `sync()` brings the shipped reviews up to date."""

    def __init__(self, path: Path | None = None, corpus_dir: Path | None = None) -> None:
        self.path = path or locations.corpus_index_path()
        self.corpus_dir = corpus_dir or locations.corpus_dir()
        #: Copies of the user's own added files: the index is a cache, these are what it is rebuilt from.
        self.added_dir = self.path.with_name(ADDED_DIR)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        #: One connection shared by the threads of the app: every use goes through this lock.
        self.lock = threading.RLock()
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc):  # a full disk or a busy file is not a damaged index: keep it, say why
                raise store_error(exc, f"Cannot open the corpus index {self.path}") from None
            # The index is a cache: a damaged file is set aside (not deleted) and rebuilt.
            self.path.replace(self.path.with_name(self.path.name + ".damaged"))
            for suffix in ("-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            self.conn = self._open()
        # It holds the user's own notes: private, its WAL and shared-memory files too.
        for suffix in ("", "-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.chmod(0o600)
        #: Bumped on every change, so a retriever knows its in-memory copy is stale.
        self.generation = 0

    def _open(self) -> sqlite3.Connection:
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # created private, never 0644
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            # Several processes opening a fresh home at once race for these (as the store's first opens do).
            while_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"), OPEN_WAIT_SECONDS)
            self.conn = conn
            if self.version() not in (None, INDEX_VERSION):
                # Another version's cache: start afresh (user files are kept, their text is re-indexed).
                conn.executescript(
                    "DROP TABLE IF EXISTS passage_terms; DROP TABLE IF EXISTS passage_words_en; "
                    "DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS sentences; "
                    "DROP TABLE IF EXISTS facts;"
                )
            while_busy(lambda: conn.executescript(SCHEMA), OPEN_WAIT_SECONDS)
            have = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
            for column, kind in DOCUMENT_COLUMNS.items():
                if column not in have:
                    conn.execute(f"ALTER TABLE documents ADD COLUMN {column} {kind}")
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
    def builtin_translation(self, name: str) -> tuple[Translation | None, bytes]:
        """A shipped review's translation, and its file's bytes (part of the review's content hash)."""
        path = translation_path(self.corpus_dir, name)
        if not path.is_file():
            return None, b""
        return load_translation(path), path.read_bytes()

    @_locked
    def sync(self) -> SyncReport:
        """Index shipped reviews that are new or changed, drop those that are gone; rebuild everything
        (user files from their stored text) when the index was made by another version."""
        import time

        started = time.perf_counter()
        files = {p.name: p.read_bytes() for p in sorted(self.corpus_dir.glob("*.txt"))}
        translations = {name: self.builtin_translation(name) for name in files}
        digests = {name: sha256(data + translations[name][1]) for name, data in files.items()}
        known = dict(self.conn.execute("SELECT source, sha256 FROM documents WHERE origin = 'builtin'"))
        rebuild = self.version() != INDEX_VERSION
        todo = [name for name in files if rebuild or known.get(name) != digests[name]]
        removed = [name for name in known if name not in files]
        users = []
        if rebuild:
            users = self.conn.execute(
                "SELECT source, text, path, translation, translated_by FROM documents "
                "WHERE origin = 'user' AND text IS NOT NULL"
            ).fetchall()
        self._copy_users_files()  # files added before copies were kept get theirs now
        # The user's added files the index lacks (it was damaged, deleted, or replaced by the shipped one).
        indexed_users = {
            row[0] for row in self.conn.execute("SELECT source FROM documents WHERE origin = 'user'")
        }
        users += self._added_copies(exclude=indexed_users if not rebuild else {row[0] for row in users})
        if not todo and not removed and not rebuild and not users:
            return SyncReport([], [], time.perf_counter() - started)
        # Kiwi takes a second or two to load: let it load on the other core while vectors are computed.
        warming = nlp.warm_up_kiwi()
        prepared = [
            (name, build_document(name, files[name].decode("utf-8"), translations[name][0])) for name in todo
        ]
        warming.join()
        prepared_users = [
            (text, path, build_document(source, text, stored_translation(source, stored, by)))
            for source, text, path, stored, by in users
        ]
        with self.transaction() as conn:
            for name in removed:
                self._delete(conn, name)
            for name, parsed in prepared:
                self._write(conn, parsed, origin="builtin", digest=digests[name], path=None, text=None)
            for text, path, parsed in prepared_users:
                self._write(conn, parsed, "user", sha256(text.encode("utf-8")), path, text)
            _store_form_terms(conn)
            _store_english_forms(conn)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('version', ?)", (INDEX_VERSION,))
        indexed = todo + [s for s, *_ in users]
        return SyncReport(indexed, removed, time.perf_counter() - started)

    @_locked
    def add_file(self, path: Path, translator: Translator | None = None) -> tuple[DocumentInfo, bool]:
        """Index a user's `.txt`/`.md` file. Returns its entry and whether anything changed.

        Args:
            translator: makes the English side of a file not written in English (see `Translator`);
                without one such a file is indexed in its own language only.

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
        row = self.conn.execute(
            "SELECT sha256, translated_by FROM documents WHERE source = ?", (source,)
        ).fetchone()
        document = parse_document(source, text)
        if not document.chunks:
            raise UsageError(f"{path} has no text to index once page furniture is removed.")
        wants_translation = translator is not None and not is_english(text)
        if row and row[0] == digest and (not wants_translation or row[1]):
            return self._info(source), False
        where = str(path.resolve())
        if row:
            before = self.conn.execute("SELECT path FROM documents WHERE source = ?", (source,)).fetchone()[0]
            if before and before != where:
                raise UsageError(
                    f"Another file named {source} is already indexed (added from {before}); rename this "
                    f"one, or remove the other first with: samantha corpus remove {source}"
                )
        translation = None
        if wants_translation:
            assert translator is not None
            sentences = [s for chunk in document.chunks for s in chunk.sentences]
            translation = Translation(
                source,
                translator.name,
                dict(zip(map(sentence_key, sentences), translator(sentences), strict=True)),
            )
        parsed = build_document(source, text, translation)
        with self.transaction() as conn:
            self._write(conn, parsed, "user", digest, where, text)
            _store_form_terms(conn)
            _store_english_forms(conn)
            self._keep_copy(source, text)  # inside the transaction: no copy, no index entry
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
            _store_form_terms(conn)
            _store_english_forms(conn)
            (self.added_dir / source).unlink(missing_ok=True)

    def _keep_copy(self, source: str, text: str) -> None:
        """A private copy of a user's added file beside the index, so a rebuilt index still has it."""
        from samantha.files import replace_atomically

        self.added_dir.mkdir(mode=0o700, exist_ok=True)
        with replace_atomically(self.added_dir / source) as out:
            out.write(text)

    def _copy_users_files(self) -> None:
        rows = self.conn.execute(
            "SELECT source, text FROM documents WHERE origin = 'user' AND text IS NOT NULL"
        )
        for source, text in rows.fetchall():
            if not (self.added_dir / source).exists():
                try:
                    self._keep_copy(source, text)
                except UsageError:
                    return  # no room or no permission: the index still has the text

    def _added_copies(self, exclude: set[str]) -> list[tuple[str, str, None, None, None]]:
        """(source, text, and no path or translation) of the kept copies not in `exclude`."""
        if not self.added_dir.is_dir():
            return []
        found: list[tuple[str, str, None, None, None]] = []
        for copy in sorted(self.added_dir.iterdir()):
            if copy.name in exclude or copy.suffix.lower() not in USER_SUFFIXES or not copy.is_file():
                continue
            try:
                found.append((copy.name, copy.read_text(encoding="utf-8"), None, None, None))
            except (OSError, UnicodeDecodeError):
                continue  # unreadable: left where it is for the user to see
        return found

    def _info(self, source: str) -> DocumentInfo:
        row = self.conn.execute(
            "SELECT source, title, origin, passages, indexed_at FROM documents WHERE source = ?", (source,)
        ).fetchone()
        return DocumentInfo(*row)

    @staticmethod
    def _delete(conn: sqlite3.Connection, source: str) -> None:
        ids = [(r[0],) for r in conn.execute("SELECT id FROM passages WHERE source = ?", (source,))]
        conn.executemany("DELETE FROM passage_terms WHERE rowid = ?", ids)
        conn.executemany("DELETE FROM passage_words_en WHERE rowid = ?", ids)
        conn.executemany("DELETE FROM sentences WHERE passage_id = ?", ids)
        conn.executemany("DELETE FROM facts WHERE passage_id = ?", ids)
        conn.execute("DELETE FROM passages WHERE source = ?", (source,))
        conn.execute("DELETE FROM documents WHERE source = ?", (source,))

    def _write(
        self,
        conn: sqlite3.Connection,
        prepared: PreparedDocument,
        origin: str,
        digest: str,
        path: str | None,
        text: str | None,
    ) -> None:
        document, translation = prepared.document, prepared.translation
        self._delete(conn, document.source)
        user_translation = None
        if origin == "user" and translation is not None and translation.translator:
            user_translation = json.dumps(translation.sentences, ensure_ascii=False)
        conn.execute(
            "INSERT INTO documents(source, title, origin, sha256, path, text, author, date, passages, "
            "indexed_at, short_title, short_title_en, translation, translated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document.source, document.title, origin, digest, path, text, document.author, document.date,
             len(document.chunks), _now(), prepared.short_title, prepared.short_title_en, user_translation,
             translation.translator if translation else None),
        )  # fmt: skip
        s = 0
        for c, chunk in enumerate(document.chunks):
            vector_en = prepared.chunk_vectors_en[c]
            cursor = conn.execute(
                "INSERT INTO passages(source, position, title, text, text_en, vector, vector_en) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (document.source, chunk.position, document.title, chunk.text, prepared.chunk_texts_en[c],
                 prepared.chunk_vectors[c].tobytes(), vector_en.tobytes() if vector_en is not None else None),
            )  # fmt: skip
            passage_id = cursor.lastrowid
            conn.execute(
                "INSERT INTO passage_terms(rowid, terms, grams) VALUES (?, ?, ?)",
                (passage_id, prepared.chunk_terms[c], prepared.chunk_grams[c]),
            )
            if prepared.chunk_texts_en[c]:
                conn.execute(
                    "INSERT INTO passage_words_en(rowid, text) VALUES (?, ?)",
                    (passage_id, prepared.chunk_texts_en[c]),
                )
            for position, sentence in enumerate(chunk.sentences):
                english = prepared.sentence_texts_en[s]
                vector_en = prepared.sentence_vectors_en[s]
                conn.execute(
                    "INSERT INTO sentences(passage_id, position, text, text_en, vector, vector_en, terms, "
                    "lemmas) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (passage_id, position, sentence, english, prepared.sentence_vectors[s].tobytes(),
                     vector_en.tobytes() if vector_en is not None else None, prepared.sentence_terms[s],
                     prepared.sentence_lemmas[s]),
                )  # fmt: skip
                for fact in prepared.facts[s]:
                    conn.execute(
                        "INSERT INTO facts(passage_id, kind, subject, value, evidence) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (passage_id, fact.kind, fact.subject, fact.value, fact.evidence),
                    )
                s += 1


class Translator(Protocol):
    """Turns a document's sentences into English, one for one (a capable model; see `corpus add`)."""

    name: str

    def __call__(self, sentences: list[str]) -> list[str]: ...


_HANGUL = re.compile(r"[가-힣]")


def is_english(text: str) -> bool:
    """A document with no Hangul at all is taken to be in English: it is its own English side."""
    return not _HANGUL.search(text)


def stored_translation(source: str, stored: str | None, translated_by: str | None) -> Translation | None:
    """A user file's translation as kept in `documents` (made by a model when it was added)."""
    if not stored or not translated_by:
        return None
    return Translation(source, translated_by, json.loads(stored))


@dataclass
class PreparedDocument:
    """A document turned into index rows, before the transaction that writes them."""

    document: Document
    translation: Translation | None
    chunk_texts_en: list[str]
    chunk_vectors: np.ndarray
    chunk_vectors_en: list[np.ndarray | None]
    sentence_texts_en: list[str]
    sentence_vectors: np.ndarray
    sentence_vectors_en: list[np.ndarray | None]
    chunk_terms: list[str]
    chunk_grams: list[str]
    sentence_terms: list[str]
    sentence_lemmas: list[str]
    facts: list[list[Fact]]
    short_title: str
    short_title_en: str


def _mean_vectors(vectors: np.ndarray, counts: list[int]) -> np.ndarray:
    """Each group's normalised mean (a passage's vector from its sentences' vectors)."""
    out = np.zeros((len(counts), vectors.shape[1]), dtype=np.float32)
    start = 0
    for i, count in enumerate(counts):
        out[i] = vectors[start : start + count].sum(axis=0)
        start += count
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


def _store_english_forms(conn: sqlite3.Connection) -> None:
    """Every inflected form of the lemmas the English side uses ("made" -> "make"), so a question's words
    are lemmatised at query time with a table lookup instead of loading the whole English dictionary."""
    rows = conn.execute("SELECT lemmas FROM sentences").fetchall()
    lemmas = {lemma for (joined,) in rows for lemma in joined.split()}
    conn.execute("DELETE FROM english_forms")
    conn.executemany(
        "INSERT INTO english_forms(form, lemma) VALUES (?, ?)", sorted(words.forms_of(lemmas).items())
    )


def _store_form_terms(conn: sqlite3.Connection) -> None:
    """The search terms of every form of the glossary the corpus makes (`nlp.form_terms`), so a query
    that needs only these (an English one) is searched without loading Kiwi. A cache of a pure function:
    a form missing here is split by Kiwi at query time."""
    rows = conn.execute("SELECT title, text FROM passages ORDER BY id").fetchall()
    glossary = Glossary.build([*sorted({title for title, _ in rows}), *(text for _, text in rows)])
    forms = sorted({form for entry in glossary.entries for form in (*entry.forms, *entry.linked)})
    conn.execute("DELETE FROM form_terms")
    conn.executemany(
        "INSERT INTO form_terms(form, terms) VALUES (?, ?)",
        [(form, json.dumps(nlp.form_terms(form), ensure_ascii=False)) for form in forms],
    )


def build_document(source: str, text: str, translation: Translation | None = None) -> PreparedDocument:
    """Everything slow (parsing, morphemes, vectors, facts) for one document, in both languages: the one
    function every index build (first run, `corpus rebuild`, `corpus add`, a shipped prebuilt index) uses.

    The English side is the translation's (the shipped reviews', or a model's for a user file), or the
    text itself when it is written in English; without either the document has no English side.
    """
    document = parse_document(source, text)
    sentences = [s for c in document.chunks for s in c.sentences]
    if translation is not None:
        english = [translation.sentence(s) or "" for s in sentences]
    elif is_english(text):
        english = list(sentences)
    else:
        english = [""] * len(sentences)
    wanted = [i for i, e in enumerate(english) if e]
    vectors = nlp.encode(sentences + [english[i] for i in wanted])
    sentence_vectors = vectors[: len(sentences)]
    sentence_vectors_en: list[np.ndarray | None] = [None] * len(sentences)
    for k, i in enumerate(wanted):
        sentence_vectors_en[i] = vectors[len(sentences) + k]
    counts = [len(c.sentences) for c in document.chunks]
    # A passage's vector is the normalised mean of its sentences' vectors: as good in the eval as
    # encoding the passage again, at half the indexing time.
    chunk_vectors = _mean_vectors(sentence_vectors, counts)
    filled = np.stack([v if v is not None else np.zeros(512, np.float32) for v in sentence_vectors_en])
    chunk_vectors_en_all = _mean_vectors(filled, counts) if sentences else filled
    chunk_texts_en: list[str] = []
    chunk_vectors_en: list[np.ndarray | None] = []
    start = 0
    for i, count in enumerate(counts):
        parts = [e for e in english[start : start + count] if e]
        chunk_texts_en.append(" ".join(parts))
        chunk_vectors_en.append(chunk_vectors_en_all[i] if parts else None)
        start += count
    chunk_terms = [" ".join(nlp.terms(c.text)) for c in document.chunks]  # waits for Kiwi
    # Per sentence, for the answer step: the original's morphemes and the translation's lemmas.
    sentence_terms = [" ".join(dict.fromkeys(nlp.terms(s))) for s in sentences]
    sentence_lemmas = [" ".join(sorted(words.lemmas(e))) for e in english]
    chunk_grams = [" ".join(nlp.bigrams(c.text)) for c in document.chunks]
    glossary = Glossary.build([c.text for c in document.chunks])
    facts = facts_in_sentences(sentences, glossary)
    short = translation.short_title if translation is not None else {}
    return PreparedDocument(
        document=document,
        translation=translation,
        chunk_texts_en=chunk_texts_en,
        chunk_vectors=chunk_vectors,
        chunk_vectors_en=chunk_vectors_en,
        sentence_texts_en=english,
        sentence_vectors=sentence_vectors,
        sentence_vectors_en=sentence_vectors_en,
        chunk_terms=chunk_terms,
        chunk_grams=chunk_grams,
        sentence_terms=sentence_terms,
        sentence_lemmas=sentence_lemmas,
        facts=facts,
        short_title=short.get("ko") or document.title[:60],
        short_title_en=short.get("en") or (document.title[:60] if is_english(document.title) else ""),
    )
