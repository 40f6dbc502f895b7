"""Conversations and messages: the part of the store every turn uses."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from samantha.errors import BUSY, DISK_FULL, StoreError, reason, store_error
from samantha.records import (
    Conversation,
    Memory,
    MemoryScope,
    Message,
    MessageStatus,
    Role,
    SearchHit,
    Summary,
)
from samantha.store.database import open_database, open_readonly
from samantha.store.search import query_terms

#: A search term matching more rows than this is too common to rank by BM25 quickly (about 1 µs a row).
RANK_CAP = 5000
#: In an any-word search (recall) only words matching at most this many rows are distinctive enough...
DISTINCT_CAP = 1000
#: ...and the rarest few of them are used (the message itself, saved already, counts once in each).
ANY_TERMS = 8


def new_id() -> str:
    """A time-ordered id: 12 hex digits of milliseconds, then 12 random ones."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(6)}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _message(row: dict[str, Any]) -> Message:
    meta = row.get("meta") or "{}"
    return Message(**{**row, "meta": json.loads(meta)})


class Store:
    """The user's database. Each public write is one transaction, committed before it returns."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        self._common: dict[tuple[str, str], int] = {}

    @classmethod
    def open(cls, path: Path | None) -> Store:
        """Open (creating and migrating) the database; replies a crash left pending become interrupted."""
        store = cls(open_database(path), path)
        store.mark_pending_interrupted()
        return store

    @classmethod
    def open_readonly(cls, path: Path) -> Store | None:
        """The database at `path` for reading only (incognito recall), or None if there is none usable."""
        db = open_readonly(path)
        return cls(db, path) if db is not None else None

    def mark_pending_interrupted(self) -> int:
        """Replies left 'pending' (the process died mid-reply) become 'interrupted'; uses a partial index."""
        if self.db.execute("select 1 from messages where status = 'pending' limit 1").fetchone() is None:
            return 0  # the usual case: no write, so opening never waits for another process's lock
        with self.transaction():
            cursor = self.db.execute("update messages set status = 'interrupted' where status = 'pending'")
        return cursor.rowcount

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction, begun at once (so schema changes are inside it too); nests."""
        conn = self.db.conn
        if conn.in_transaction:  # the outer transaction commits
            yield self.db
            return
        try:
            conn.execute("begin immediate")
        except sqlite3.OperationalError as exc:  # another process kept the lock past the wait: busy
            raise store_error(exc) from None
        try:
            yield self.db
            conn.commit()
        except BaseException as exc:
            if conn.in_transaction:
                conn.rollback()
            if isinstance(exc, sqlite3.OperationalError) and reason(exc) in (BUSY, DISK_FULL):
                raise store_error(exc) from None
            raise

    def close(self) -> None:
        self.db.conn.close()

    # Conversations

    def create_conversation(self, title: str | None = None) -> Conversation:
        stamp = now()
        conversation = Conversation(id=new_id(), title=title, created_at=stamp, updated_at=stamp)
        with self.transaction():
            self.db.table("conversations").insert(conversation.model_dump())
        return conversation

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        rows = list(self.db.query("select * from conversations where id = ?", [conversation_id]))
        return Conversation(**rows[0]) if rows else None

    def list_conversations(self, limit: int = 100, offset: int = 0) -> list[Conversation]:
        sql = "select * from conversations order by updated_at desc limit ? offset ?"
        return [Conversation(**row) for row in self.db.query(sql, [limit, offset])]

    def search_conversations(self, text: str, *, limit: int = 100, offset: int = 0) -> list[Conversation]:
        """Conversations whose title contains `text` (case-insensitive), newest first."""
        sql = (
            "select * from conversations where instr(lower(coalesce(title, '')), lower(?)) > 0 "
            "order by updated_at desc limit ? offset ?"
        )
        return [Conversation(**row) for row in self.db.query(sql, [text, limit, offset])]

    def conversations_mentioning(self, text: str, *, limit: int = 200) -> list[Conversation]:
        """Conversations with a message matching `text` (the messages' full-text search), newest first.

        Words the search cannot use (punctuation only, stopwords) find nothing rather than an error.
        """
        try:
            hits = self.search_messages(text, limit=limit)
        except sqlite3.OperationalError:  # an FTS query it cannot parse
            return []
        ids = list(dict.fromkeys(hit.conversation_id for hit in hits if hit.conversation_id))
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        sql = f"select * from conversations where id in ({marks}) order by updated_at desc"
        return [Conversation(**row) for row in self.db.query(sql, ids)]

    def latest_conversation(self) -> Conversation | None:
        found = self.list_conversations(limit=1)
        return found[0] if found else None

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        with self.transaction():
            self.db.execute("update conversations set title = ? where id = ?", [title, conversation_id])

    def delete_conversation(self, conversation_id: str) -> None:
        """Delete a conversation with its messages, summaries and the memories that came from it."""
        with self.transaction():
            self.db.execute("delete from messages where conversation_id = ?", [conversation_id])
            self.db.execute("delete from conversations where id = ?", [conversation_id])

    def discard_if_empty(self, conversation_id: str) -> None:
        """Delete the conversation if it has no message (its first message could not be saved).

        Best effort: when even this fails (the database is still busy), the empty conversation stays."""
        try:
            with self.transaction():
                self.db.execute(
                    "delete from conversations where id = ? and not exists "
                    "(select 1 from messages where conversation_id = ?)",
                    [conversation_id, conversation_id],
                )
        except (StoreError, sqlite3.Error):
            pass

    def count_conversations(self) -> int:
        return int(self.db.execute("select count(*) from conversations").fetchone()[0])

    # Messages

    def add_message(
        self,
        conversation_id: str,
        role: Role,
        content: str,
        *,
        status: MessageStatus = "complete",
        model: str | None = None,
        tokens: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Message:
        message = Message(
            id=new_id(),
            conversation_id=conversation_id,
            role=role,
            content=content,
            created_at=now(),
            model=model,
            tokens=tokens,
            status=status,
            meta=meta or {},
        )
        row = {**message.model_dump(), "meta": json.dumps(message.meta, ensure_ascii=False)}
        with self.transaction():
            self.db.table("messages").insert(row)
            self.db.execute(
                "update conversations set updated_at = ? where id = ?", [message.created_at, conversation_id]
            )
        return message

    def update_message(
        self,
        message_id: str,
        *,
        content: str | None = None,
        status: MessageStatus | None = None,
        tokens: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        changes: dict[str, Any] = {}
        if content is not None:
            changes["content"] = content
        if status is not None:
            changes["status"] = status
        if tokens is not None:
            changes["tokens"] = tokens
        if meta is not None:
            changes["meta"] = json.dumps(meta, ensure_ascii=False)
        if not changes:
            return
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self.transaction():
            self.db.execute(
                f"update messages set {assignments} where id = ?", [*changes.values(), message_id]
            )

    def get_message(self, message_id: str) -> Message | None:
        rows = list(self.db.query("select * from messages where id = ?", [message_id]))
        return _message(rows[0]) if rows else None

    def delete_message(self, message_id: str) -> None:
        with self.transaction():
            self.db.execute("delete from messages where id = ?", [message_id])

    def recent_messages(self, conversation_id: str, limit: int = 50) -> list[Message]:
        """The last `limit` messages of a conversation, oldest first."""
        sql = (
            "select * from (select rowid as _r, * from messages where conversation_id = ? "
            "order by created_at desc, _r desc limit ?) order by created_at, _r"
        )
        rows = self.db.query(sql, [conversation_id, limit])
        return [_message({k: v for k, v in row.items() if k != "_r"}) for row in rows]

    def count_messages(self) -> int:
        return int(self.db.execute("select count(*) from messages").fetchone()[0])

    def messages_between(self, conversation_id: str, first_id: str, last_id: str) -> list[Message]:
        """Messages of a conversation from `first_id` to `last_id` inclusive, oldest first."""
        sql = (
            "select * from messages where conversation_id = ? and created_at between "
            "(select created_at from messages where id = ?) and "
            "(select created_at from messages where id = ?) "
            "order by created_at, rowid"
        )
        return [_message(row) for row in self.db.query(sql, [conversation_id, first_id, last_id])]

    def count_between(self, conversation_id: str, first_id: str, last_id: str) -> int:
        """How many messages of a conversation lie from `first_id` to `last_id` inclusive."""
        sql = (
            "select count(*) from messages where conversation_id = ? and created_at between "
            "(select created_at from messages where id = ?) and "
            "(select created_at from messages where id = ?)"
        )
        return int(self.db.execute(sql, [conversation_id, first_id, last_id]).fetchone()[0])

    def messages_before_window(
        self, conversation_id: str, window: int, after: Message | None, limit: int = 1000
    ) -> list[Message]:
        """Messages older than the newest `window` and newer than `after`, oldest first (`limit` at most)."""
        cutoff = self.db.execute(
            "select created_at, rowid from messages where conversation_id = ? "
            "order by created_at desc, rowid desc limit 1 offset ?",
            [conversation_id, window],
        ).fetchone()
        if cutoff is None:
            return []
        sql = (
            "select * from messages where conversation_id = ? and (created_at, rowid) <= (?, ?) "
            "and content != '' and role in ('user', 'assistant')"
        )
        params: list[Any] = [conversation_id, *cutoff]
        if after is not None:
            sql += " and (created_at, rowid) > (select created_at, rowid from messages where id = ?)"
            params.append(after.id)
        sql += " order by created_at, rowid limit ?"
        params.append(limit)
        return [_message(row) for row in self.db.query(sql, params)]

    # Memories

    def add_memory(
        self,
        content: str,
        *,
        kind: str = "fact",
        source: str = "manual",
        message_id: str | None = None,
        conversation_id: str | None = None,
        slot: str | None = None,
        scope: MemoryScope = "everywhere",
        valid_from: str | None = None,
        supersedes: list[str] | None = None,
    ) -> Memory:
        """Add a memory; the memories in `supersedes` stop being current as of its `valid_from`, in the
        same transaction, each keeping a link to it."""
        stamp = now()
        memory = Memory(
            id=new_id(),
            content=content,
            kind=kind,
            source=source,
            message_id=message_id,
            conversation_id=conversation_id,
            created_at=stamp,
            slot=slot,
            scope=scope,
            valid_from=valid_from or stamp,
        )
        with self.transaction():
            self.db.table("memories").insert(memory.model_dump())
            for old_id in supersedes or []:
                self.db.execute(
                    "update memories set status = 'superseded', superseded_by = ?, valid_until = ? "
                    "where id = ? and status = 'current'",
                    [memory.id, memory.valid_from, old_id],
                )
        return memory

    def get_memory(self, memory_id: str) -> Memory | None:
        rows = list(self.db.query("select * from memories where id = ?", [memory_id]))
        return Memory(**rows[0]) if rows else None

    def find_memory(self, content: str, *, current_only: bool = False) -> Memory | None:
        """A memory with exactly this content (ignoring case), to avoid remembering a fact twice."""
        sql = "select * from memories where lower(content) = lower(?)"
        if current_only:
            sql += " and status = 'current'"
        rows = list(self.db.query(sql + " limit 1", [content]))
        return Memory(**rows[0]) if rows else None

    def current_in_slot(self, slot: str) -> list[Memory]:
        """The current facts about `slot` (normally one), newest first."""
        sql = (
            "select * from memories where slot = ? and status = 'current' "
            "order by created_at desc, rowid desc"
        )
        return [Memory(**row) for row in self.db.query(sql, [slot])]

    def list_memories(self, limit: int | None = None, *, current_only: bool = False) -> list[Memory]:
        """Memories, newest first (only those still true with `current_only`)."""
        sql = "select * from memories"
        if current_only:
            sql += " where status = 'current'"
        sql += " order by created_at desc, rowid desc"
        params: list[Any] = []
        if limit is not None:
            sql += " limit ?"
            params.append(limit)
        return [Memory(**row) for row in self.db.query(sql, params)]

    def current_memory_ids(self, limit: int) -> list[tuple[str, str]]:
        """(id, scope) of the newest current memories: plain tuples, read for recall every turn."""
        sql = (
            "select id, scope from memories where status = 'current' "
            "order by created_at desc, rowid desc limit ?"
        )
        return [(row[0], row[1]) for row in self.db.execute(sql, [limit])]

    def memory_hits(self, memory_ids: list[str]) -> dict[str, SearchHit]:
        """These memories as light records (id, text, date, scope), by id."""
        found: dict[str, SearchHit] = {}
        for start in range(0, len(memory_ids), 500):
            chunk = memory_ids[start : start + 500]
            sql = (
                "select id, content, created_at, conversation_id, scope from memories "
                f"where id in ({', '.join('?' * len(chunk))})"
            )
            for row in self.db.execute(sql, chunk):
                found[row[0]] = SearchHit(
                    kind="memory",
                    id=row[0],
                    content=row[1],
                    created_at=row[2],
                    conversation_id=row[3],
                    scope=row[4],
                )
        return found

    def memory_line(self, memory_id: str) -> list[Memory]:
        """The line of changes `memory_id` belongs to, oldest first: what it replaced, what replaced it."""
        line: list[Memory] = []
        seen: set[str] = set()
        memory = self.get_memory(memory_id)
        while memory is not None and memory.id not in seen:  # back to the first version
            line.insert(0, memory)
            seen.add(memory.id)
            sql = "select * from memories where superseded_by = ? limit 1"
            rows = list(self.db.query(sql, [memory.id]))
            memory = Memory(**rows[0]) if rows else None
        memory = line[-1] if line else None
        while memory is not None and memory.superseded_by and memory.superseded_by not in seen:
            memory = self.get_memory(memory.superseded_by)
            if memory is not None:
                line.append(memory)
                seen.add(memory.id)
        return line

    def set_memory_scope(self, memory_id: str, scope: MemoryScope) -> bool:
        with self.transaction():
            cursor = self.db.execute("update memories set scope = ? where id = ?", [scope, memory_id])
        return cursor.rowcount > 0

    def memory_vectors(self, model: str, memory_ids: list[str]) -> dict[str, bytes]:
        """Cached embeddings of these memories by `model` (recall by meaning)."""
        found: dict[str, bytes] = {}
        for start in range(0, len(memory_ids), 500):
            chunk = memory_ids[start : start + 500]
            sql = (
                f"select memory_id, vector from memory_vectors where model = ? "
                f"and memory_id in ({', '.join('?' * len(chunk))})"
            )
            found.update(self.db.execute(sql, [model, *chunk]).fetchall())
        return found

    def save_memory_vectors(self, model: str, vectors: dict[str, bytes]) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "insert or replace into memory_vectors (memory_id, model, vector) "
                "select ?, ?, ? where exists (select 1 from memories where id = ?)",
                [(memory_id, model, vector, memory_id) for memory_id, vector in vectors.items()],
            )

    def delete_memory(self, memory_id: str) -> bool:
        with self.transaction():
            cursor = self.db.execute("delete from memories where id = ?", [memory_id])
        return cursor.rowcount > 0

    def delete_memories(self, memory_ids: list[str] | None = None) -> int:
        """Delete these memories, or all of them when `memory_ids` is None."""
        with self.transaction():
            if memory_ids is None:
                cursor = self.db.execute("delete from memories")
            else:
                total = 0
                for memory_id in memory_ids:
                    total += self.db.execute("delete from memories where id = ?", [memory_id]).rowcount
                return total
        return cursor.rowcount

    def count_memories(self) -> int:
        return int(self.db.execute("select count(*) from memories").fetchone()[0])

    # Summaries

    def add_summary(
        self,
        conversation_id: str,
        first_message_id: str,
        last_message_id: str,
        message_count: int,
        content: str,
        method: str = "extractive",
    ) -> Summary:
        summary = Summary(
            id=new_id(),
            conversation_id=conversation_id,
            first_message_id=first_message_id,
            last_message_id=last_message_id,
            message_count=message_count,
            content=content,
            method=method,
            created_at=now(),
        )
        with self.transaction():
            self.db.table("summaries").insert(summary.model_dump())
        return summary

    def latest_summary(self, conversation_id: str) -> Summary | None:
        sql = "select * from summaries where conversation_id = ? order by created_at desc, rowid desc limit 1"
        rows = list(self.db.query(sql, [conversation_id]))
        return Summary(**rows[0]) if rows else None

    def list_summaries(self, conversation_id: str | None = None) -> list[Summary]:
        if conversation_id is None:
            rows = self.db.query("select * from summaries order by created_at, rowid")
        else:
            sql = "select * from summaries where conversation_id = ? order by created_at, rowid"
            rows = self.db.query(sql, [conversation_id])
        return [Summary(**row) for row in rows]

    def count_summaries(self) -> int:
        return int(self.db.execute("select count(*) from summaries").fetchone()[0])

    # Search

    def _count_upto(self, table: str, match: str, cap: int) -> int:
        """Rows matching `match`, counted up to `cap + 1` (a bounded probe)."""
        if (table, match) in self._common and self._common[(table, match)] > cap:
            return self._common[(table, match)]
        sql = f"select count(*) from (select rowid from {table}_fts where {table}_fts match ? limit ?)"
        count = int(self.db.execute(sql, [match, cap + 1]).fetchone()[0])
        if count > cap and len(self._common) < 10_000:
            # A word this common stays common: remember it for the life of this Store.
            self._common[(table, match)] = count
        return count

    def _plan(self, table: str, text: str, any_term: bool) -> tuple[str, bool] | None:
        """The FTS5 expression for `text` and whether to rank it by BM25 (else newest first).

        Every word: all must match; ranked unless even the rarest matches more than `RANK_CAP` rows.
        Any word (recall): only the few most distinctive words count, those matching at most
        `DISTINCT_CAP` rows; a message sharing only common words with the query is not relevant.
        """
        terms = query_terms(text)
        if not terms:
            return None
        if any_term:
            counts = {term: self._count_upto(table, term, DISTINCT_CAP) for term in terms}
            rare = sorted((t for t in terms if 0 < counts[t] <= DISTINCT_CAP), key=counts.__getitem__)
            chosen = rare[:ANY_TERMS]
            total = 0
            for n, term in enumerate(chosen):  # rank at most about 2 * DISTINCT_CAP rows
                total += counts[term]
                if total > 2 * DISTINCT_CAP:
                    chosen = chosen[: max(n, 1)]
                    break
            return (" OR ".join(chosen), True) if chosen else None
        counts = {term: self._count_upto(table, term, RANK_CAP) for term in terms}
        if not all(counts.values()):
            return None  # every term must match
        match = " AND ".join(terms)
        if min(counts.values()) <= RANK_CAP:
            return match, True
        return match, self._count_upto(table, match, RANK_CAP) <= RANK_CAP

    def search_messages(
        self,
        text: str,
        *,
        limit: int = 20,
        exclude_conversation: str | None = None,
        any_term: bool = False,
    ) -> list[SearchHit]:
        """Messages matching `text` (every word, or any with `any_term`), best first.

        Korean words match with their particles ("이름" finds "이름은"). Very common words are ranked
        newest first instead of by BM25, so a search stays fast on a million messages.
        """
        want = limit * 4 if exclude_conversation else limit
        hits = [
            hit
            for hit, row in self._fts_search("messages", "role, status", text, want, any_term)
            if hit.conversation_id != exclude_conversation and row["status"] != "pending"
        ]
        return hits[:limit]

    def search_memories(
        self, text: str, *, limit: int = 20, any_term: bool = False, current_only: bool = False
    ) -> list[SearchHit]:
        """Memories matching `text`, best first (only those still true with `current_only`)."""
        columns = "null as role, t.scope, t.status"
        want = limit * 2 if current_only else limit
        found = self._fts_search("memories", columns, text, want, any_term)
        return [hit for hit, row in found if not current_only or row["status"] == "current"][:limit]

    def _fts_search(
        self, table: str, columns: str, text: str, limit: int, any_term: bool
    ) -> list[tuple[SearchHit, dict[str, Any]]]:
        """Rows of `table` (messages or memories) matching `text` through its FTS5 index, best first.

        Each hit comes with its row, which also holds the extra `columns` asked for (SQL, with `role`).
        """
        plan = self._plan(table, text, any_term)
        if plan is None:
            return []
        match, ranked = plan
        order = "rank" if ranked else "rowid desc"
        sql = (
            f"select t.id, t.content, t.created_at, t.conversation_id, {columns}, f.score from "
            f"(select rowid, rank as score from {table}_fts where {table}_fts match ? order by {order} "
            f"limit ?) f join {table} t on t.rowid = f.rowid"
        )
        kind: Literal["message", "memory"] = "message" if table == "messages" else "memory"
        found = [
            (
                SearchHit(
                    kind=kind,
                    id=row["id"],
                    content=row["content"],
                    created_at=row["created_at"],
                    conversation_id=row["conversation_id"],
                    role=row["role"],
                    score=-float(row["score"]) if ranked else 0.0,
                    scope=row.get("scope") or "everywhere",
                ),
                row,
            )
            for row in self.db.query(sql, [match, limit])
        ]
        if ranked:
            found.sort(key=lambda pair: -pair[0].score)
        return found

    # Whole database

    def size_bytes(self) -> int:
        """Bytes on disk: the database file and its write-ahead log."""
        if self.path is None:
            page_size = self.db.execute("pragma page_size").fetchone()[0]
            return int(self.db.execute("pragma page_count").fetchone()[0]) * int(page_size)
        total = 0
        for suffix in ("", "-wal"):
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                total += side.stat().st_size
        return total

    def stats(self) -> dict[str, int]:
        return {
            "conversations": self.count_conversations(),
            "messages": self.count_messages(),
            "memories": self.count_memories(),
            "summaries": self.count_summaries(),
            "bytes": self.size_bytes(),
        }

    def reset_all(self) -> None:
        """Delete everything, leaving an empty, working database (schema, indexes and triggers kept).

        The search triggers are set aside while the tables are emptied, so clearing a million messages
        takes seconds, not minutes; the search indexes are emptied at once instead.
        """
        sql = "select name, sql from sqlite_master where type = 'trigger' and tbl_name in (?, ?)"
        triggers = self.db.execute(sql, ["messages", "memories"]).fetchall()
        self._common.clear()
        try:
            with self.transaction():
                for name, _ in triggers:
                    self.db.execute(f"drop trigger {name}")
                for table in ("summaries", "memories", "messages", "conversations"):
                    self.db.execute(f"delete from {table}")
                for table in ("messages", "memories"):
                    self.db.execute(f"insert into {table}_fts({table}_fts) values ('delete-all')")
                for _, sql in triggers:
                    self.db.execute(sql)
        except sqlite3.Error as exc:
            raise StoreError(f"The database could not be reset: {exc}.") from None
        if self.path is not None:
            self.db.execute("vacuum")
            self.db.execute("pragma wal_checkpoint(truncate)")
