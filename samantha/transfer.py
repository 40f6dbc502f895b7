"""Export and import: the user's whole memory as a file they can keep, read, and bring back.

JSON (the lossless format) and JSONL carry every column of conversations, messages, memories and
summaries verbatim, with a schema version, so export -> reset -> import gives back identical rows.
Exports stream row by row from one read snapshot (constant memory); files are created 0600, written
aside and renamed into place.
An import is one transaction: any problem refuses the whole file with the reason, and the database is
left exactly as it was. Records already present (same id) are skipped, so importing twice adds nothing.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TextIO

from samantha.errors import ImportRefused, UsageError
from samantha.files import replace_atomically
from samantha.store import Store
from samantha.textsafe import json_dumps, terminal_safe

FORMAT = "samantha-export"
#: 2 added the memories' slot, status, superseded_by, valid_from, valid_until and scope (all optional on
#: import, so version 1 files still import: their memories are current and scoped everywhere).
SCHEMA_VERSION = 2
Format = Literal["json", "jsonl", "markdown"]
FORMATS: tuple[Format, ...] = ("json", "jsonl", "markdown")


def _schema(columns: tuple[str, ...], optional: set[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    return columns, frozenset(columns) - optional


#: Export schema 1: table -> (columns, required columns), in the order records must be imported.
TABLES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "conversations": _schema(("id", "title", "created_at", "updated_at"), {"title"}),
    "messages": _schema(
        ("id", "conversation_id", "role", "content", "created_at", "model", "tokens", "status", "meta"),
        {"model", "tokens", "meta"},
    ),
    "memories": _schema(
        (
            "id",
            "content",
            "kind",
            "source",
            "message_id",
            "conversation_id",
            "created_at",
            "slot",
            "status",
            "superseded_by",
            "valid_from",
            "valid_until",
            "scope",
        ),
        {
            "message_id",
            "conversation_id",
            "slot",
            "status",
            "superseded_by",
            "valid_from",
            "valid_until",
            "scope",
        },
    ),
    "summaries": _schema(
        (
            "id",
            "conversation_id",
            "first_message_id",
            "last_message_id",
            "message_count",
            "content",
            "method",
            "created_at",
        ),
        {"method"},
    ),
}
#: JSONL record type -> table.
RECORD_TYPES = {
    "conversation": "conversations",
    "message": "messages",
    "memory": "memories",
    "summary": "summaries",
}
_INTEGER_COLUMNS = {"tokens", "message_count"}
_ALLOWED = {("messages", "role"): {"system", "user", "assistant"}}
_ALLOWED[("messages", "status")] = {"complete", "pending", "interrupted", "error", "cut"}
_ALLOWED[("memories", "status")] = {"current", "superseded"}
_ALLOWED[("memories", "scope")] = {"everywhere", "local"}
#: Which columns must name a row that exists (in the file before it, or in the database).
_REFERENCES = {
    ("messages", "conversation_id"): "conversations",
    ("memories", "message_id"): "messages",
    ("memories", "conversation_id"): "conversations",
    ("summaries", "conversation_id"): "conversations",
}


# Export


@contextmanager
def _snapshot(store: Store) -> Iterator[sqlite3.Connection]:
    """A read transaction, so the export is consistent while other processes write."""
    conn = store.db.conn
    if conn.in_transaction:
        yield conn
        return
    conn.execute("begin")
    try:
        yield conn
    finally:
        conn.rollback()


def _rows(
    conn: sqlite3.Connection, table: str, where: str = "", params: Iterable[Any] = ()
) -> Iterator[dict]:
    columns = TABLES[table][0]
    cursor = conn.execute(f"select {', '.join(columns)} from {table} {where} order by rowid", list(params))
    for values in cursor:
        yield dict(zip(columns, values, strict=True))


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {table: int(conn.execute(f"select count(*) from {table}").fetchone()[0]) for table in TABLES}


def _dumps(value: Any) -> str:
    return json_dumps(value)  # lossless, with no raw control character in the file


def export(store: Store, out: TextIO, fmt: Format = "json") -> dict[str, int]:
    """Write the whole memory to `out` in `fmt`, streaming; returns the counts written."""
    if fmt not in FORMATS:
        raise UsageError(f"Unknown export format {fmt!r}; use json, jsonl or markdown.")
    with _snapshot(store) as conn:
        counts = _counts(conn)
        header = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": counts,
        }
        if fmt == "json":
            _export_json(conn, out, header)
        elif fmt == "jsonl":
            _export_jsonl(conn, out, header)
        else:
            _export_markdown(conn, out, header)
    return counts


def _export_json(conn: sqlite3.Connection, out: TextIO, header: dict[str, Any]) -> None:
    # One record per line inside the arrays: readable, diffable, and written without holding it all.
    out.write(_dumps(header)[:-1])
    for table in TABLES:
        out.write(f',\n"{table}": [')
        first = True
        for row in _rows(conn, table):
            out.write(("\n" if first else ",\n") + _dumps(row))
            first = False
        out.write("\n]")
    out.write("\n}\n")


def _export_jsonl(conn: sqlite3.Connection, out: TextIO, header: dict[str, Any]) -> None:
    out.write(_dumps({"type": "header", **header}) + "\n")
    for record_type, table in RECORD_TYPES.items():
        for row in _rows(conn, table):
            out.write(_dumps({"type": record_type, **row}) + "\n")
    out.write(_dumps({"type": "end", "counts": header["counts"]}) + "\n")


def _export_markdown(conn: sqlite3.Connection, out: TextIO, header: dict[str, Any]) -> None:
    counts = header["counts"]
    out.write(f"# Samantha: everything remembered\n\nExported {header['exported_at']}: ")
    out.write(", ".join(f"{n} {table}" for table, n in counts.items()) + ".\n")
    out.write(
        "Markdown is for reading; use `--format json` for a file `samantha memory import` takes back.\n"
    )
    out.write("\n## Memories\n\n")
    for memory in _rows(conn, "memories"):
        source = f" (from message {memory['message_id']})" if memory["message_id"] else " (added by hand)"
        if memory["status"] == "superseded":
            source += f" (no longer true since {(memory['valid_until'] or '')[:10]})"
        if memory["scope"] == "local":
            source += " (local)"
        out.write(_shown(f"- {memory['created_at'][:10]}: {_inline(memory['content'])}{source}\n"))
    for conversation in _rows(conn, "conversations"):
        title = _inline(conversation["title"] or "Untitled")
        started = f"`{conversation['id']}`, started {conversation['created_at'][:16]}"
        out.write(_shown(f"\n## {title}\n\n{started}\n"))
        for summary in _rows(conn, "summaries", "where conversation_id = ?", [conversation["id"]]):
            out.write(f"\n> Summary of {summary['message_count']} earlier messages:\n")
            out.write(_shown("".join(f"> {line}\n" for line in summary["content"].splitlines())))
        messages = conn.execute(
            "select role, content, created_at, status from messages where conversation_id = ? "
            "order by created_at, rowid",
            [conversation["id"]],
        )
        for role, content, created_at, status in messages:
            who = {"user": "You", "assistant": "Samantha"}.get(role, role)
            note = "" if status == "complete" else f" ({status})"
            out.write(_shown(f"\n**{who}**, {created_at[:16]}{note}\n\n{content}\n"))


def _inline(text: str) -> str:
    return " ".join(text.split())


def _shown(text: str) -> str:
    """Markdown is for reading (in a terminal too): escape sequences are shown, never interpreted."""
    return terminal_safe(text)


def export_to_path(store: Store, path: Path, fmt: Format = "json") -> dict[str, int]:
    """Export to a file created 0600, written aside and renamed: a file already at `path` is replaced only
    by a complete export (never cut short by a full disk or a kill), and never Samantha's own database."""
    with replace_atomically(path) as out:
        return export(store, out, fmt)


# Import


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))


def import_file(store: Store, path: Path) -> ImportReport:
    """Bring back a JSON or JSONL export, all or nothing. Refusals raise `ImportRefused` with the reason."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise ImportRefused(f"Import refused: {path} does not exist.") from None
    except OSError as exc:
        raise ImportRefused(f"Import refused: cannot read {path}: {exc.strerror}.") from None
    with handle:
        # A byte-order mark (some Windows editors add one) is not part of the data.
        start = len(_BOM) if handle.read(len(_BOM)) == _BOM else 0
        handle.seek(start)
        header = _jsonl_header(handle.readline())
        handle.seek(start)
        importer = _Importer(store, path)
        try:
            _in_transaction(store, importer.jsonl if header is not None else importer.json_streaming, handle)
        except _Unusual:  # valid JSON perhaps, but not laid out as Samantha writes it: parse it whole
            handle.seek(start)
            importer = _Importer(store, path)
            _in_transaction(store, importer.json, handle)
        return importer.report


def _in_transaction(
    store: Store, read: Callable[[io.BufferedReader], None], handle: io.BufferedReader
) -> None:
    try:
        with store.transaction():
            read(handle)
    except sqlite3.Error as exc:
        raise ImportRefused(
            f"Import refused: the database rejected the data ({exc}); nothing was changed."
        ) from None


_BOM = b"\xef\xbb\xbf"
#: An export is a few levels deep; a file nested past what the parser can follow is not one.
TOO_DEEP = "is nested too deeply to be a Samantha export"
#: The longest reason an import refusal gives: it quotes the file's own data, which can be anything.
REASON_CHARS = 300


class _Unusual(Exception):
    """The JSON file is not laid out line by line as Samantha writes it."""


def _jsonl_header(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and value.get("type") == "header" else None


def _decode(data: bytes, path: Path, line: int | None = None) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"line {line}" if line is not None else f"byte {exc.start}"
        raise ImportRefused(f"Import refused: {path} is not UTF-8 text (at {where}).") from None


def _check_header(header: Any, path: Path) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ImportRefused(f'Import refused: {path} is not a Samantha export (no "format": "{FORMAT}").')
    version = header.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRefused(f"Import refused: {path} has an unknown schema version ({version!r}).")
    if version > SCHEMA_VERSION:
        raise ImportRefused(
            f"Import refused: {path} was written by a newer Samantha (schema version {version}; "
            f"this one reads up to {SCHEMA_VERSION})."
        )


class _Importer:
    def __init__(self, store: Store, path: Path) -> None:
        self.conn = store.db.conn
        self.path = path
        self.report = ImportReport()
        self.seen: dict[str, int] = dict.fromkeys(TABLES, 0)

    @cached_property
    def last_rowid(self) -> dict[str, int]:
        """Rows above these rowids were added by this import: an id found there is repeated in the file.
        Read at the first record, inside the import's transaction."""
        return {
            table: int(self.conn.execute(f"select coalesce(max(rowid), 0) from {table}").fetchone()[0])
            for table in TABLES
        }

    def refuse(self, reason: str) -> ImportRefused:
        # The reason quotes the file's own data: kept to one line of reasonable length whatever it holds.
        reason = " ".join(reason.split())
        if len(reason) > REASON_CHARS:
            reason = reason[: REASON_CHARS - 1] + "…"
        return ImportRefused(f"Import refused: {self.path} {reason}; nothing was changed.")

    def json(self, handle: io.BufferedReader) -> None:
        text = _decode(handle.read(), self.path)
        if not text.strip():
            raise self.refuse("is empty")
        try:
            document = json.loads(text)
        except RecursionError:
            raise self.refuse(TOO_DEEP) from None
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip()):
                raise self.refuse("is truncated (it ends in the middle of the data)") from None
            raise self.refuse(
                f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        _check_header(document, self.path)
        for table in TABLES:
            records = document.get(table, [])
            if not isinstance(records, list):
                raise self.refuse(f'has "{table}" that is not a list')
            for n, record in enumerate(records, start=1):
                self.add(table, record, f"{table} record {n}")
        self.check_counts(document.get("counts"))

    def json_streaming(self, handle: io.BufferedReader) -> None:
        """Read a JSON export as `export` lays it out (one record per line) in constant memory.

        Anything else raises `_Unusual`, and the file is then parsed whole (which also gives the exact
        reason a broken file is refused).
        """
        lines = iter(handle)

        def next_line() -> str:
            raw = next(lines, None)
            if raw is None or not raw.endswith(b"\n"):
                raise _Unusual
            try:
                return raw.decode("utf-8")[:-1]
            except UnicodeDecodeError:
                raise _Unusual from None

        def parse(text: str) -> Any:
            try:
                return json.loads(text)
            except (ValueError, RecursionError):
                raise _Unusual from None

        first = next_line()
        if not (first.startswith("{") and first.endswith(",")):
            raise _Unusual
        header = parse(first[:-1] + "}")
        if not isinstance(header, dict) or set(header) & set(TABLES):
            raise _Unusual
        _check_header(header, self.path)
        tables = list(TABLES)
        for index, table in enumerate(tables):
            if next_line() != f'"{table}": [':
                raise _Unusual
            number, more = 0, True
            while True:
                line = next_line()
                if line in ("]", "],"):
                    break
                if not more:
                    raise _Unusual  # a record not followed by a comma, then another
                more = line.endswith(",")
                number += 1
                self.add(table, parse(line[:-1] if more else line), f"{table} record {number}")
            if (number and more) or (line == "],") != (index < len(tables) - 1):
                raise _Unusual
        if next_line() != "}" or any(raw.strip() for raw in lines):
            raise _Unusual
        self.check_counts(header.get("counts"))

    def jsonl(self, handle: io.BufferedReader) -> None:
        ended = False
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if ended:
                raise self.refuse(f"has data after its end record (line {number})")
            if not raw.endswith(b"\n"):
                raise self.refuse(f"is truncated (line {number} is cut off)")
            try:
                record = json.loads(_decode(raw, self.path, number))
            except json.JSONDecodeError as exc:
                raise self.refuse(f"is not valid JSONL (line {number}: {exc.msg})") from None
            except RecursionError:
                raise self.refuse(f"{TOO_DEEP} (line {number})") from None
            if not isinstance(record, dict):
                raise self.refuse(f"has a line that is not a JSON object (line {number})")
            kind = record.pop("type", None)
            if number == 1:
                _check_header(record, self.path)
            elif kind == "end":
                self.check_counts(record.get("counts"))
                ended = True
            elif kind in RECORD_TYPES:
                self.add(RECORD_TYPES[kind], record, f"line {number}")
            else:
                raise self.refuse(f"has an unknown record type {kind!r} (line {number})")
        if not ended:
            raise self.refuse("is truncated (its end record is missing)")

    def check_counts(self, counts: Any) -> None:
        if counts is None:
            return
        if not isinstance(counts, dict) or any(counts.get(t, self.seen[t]) != self.seen[t] for t in TABLES):
            raise self.refuse(f"is incomplete: it announces {counts!r} records but holds {self.seen}")

    def add(self, table: str, record: Any, where: str) -> None:
        columns, required = TABLES[table]
        self.last_rowid  # noqa: B018 (read before this import adds a row)
        if not isinstance(record, dict):
            raise self.refuse(f"has a {table} entry that is not an object ({where})")
        missing = required - record.keys()
        if missing:
            raise self.refuse(f"has a {table} entry without {', '.join(sorted(missing))} ({where})")
        unknown = record.keys() - set(columns)
        if unknown:
            raise self.refuse(f"has unknown fields {', '.join(repr(f) for f in sorted(unknown))} ({where})")
        for column, value in record.items():
            if value is None and column not in required:
                continue
            expected = int if column in _INTEGER_COLUMNS else str
            if not isinstance(value, expected) or isinstance(value, bool):
                raise self.refuse(f"has a {column} that is not {expected.__name__} ({where})")
            allowed = _ALLOWED.get((table, column))
            if allowed and value not in allowed:
                raise self.refuse(f"has an unknown {column} {value!r} ({where})")
            target = _REFERENCES.get((table, column))
            if target and isinstance(value, str) and not self.exists(target, value):
                raise self.refuse(f"refers to a missing {target[:-1]} {value!r} ({where})")
        self.seen[table] += 1
        if table == "memories" and record.get("valid_from") is None:
            record = {**record, "valid_from": record["created_at"]}  # a version 1 file: true since then
        names = [c for c in columns if record.get(c) is not None or c in required]
        sql = f"insert or ignore into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})"
        added = self.conn.execute(sql, [record[c] for c in names]).rowcount
        if not added:
            here = self.conn.execute(f"select rowid from {table} where id = ?", [record["id"]]).fetchone()
            if here is not None and here[0] > self.last_rowid[table]:
                raise self.refuse(f"has two {table} with the id {record['id']!r} ({where})")
        self.report.added[table] += added
        self.report.skipped[table] += 1 - added

    def exists(self, table: str, row_id: str) -> bool:
        return self.conn.execute(f"select 1 from {table} where id = ?", [row_id]).fetchone() is not None
