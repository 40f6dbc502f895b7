"""Numbered schema migrations, recorded in `_migrations` so each runs once.

Add a migration by appending a function named `mNNN_what` decorated with `@migration`. Never edit one that
has shipped: users' databases already ran it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from samantha.errors import StoreError

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


def migrate(db: sqlite_utils.Database) -> None:
    """Bring `db` up to date; refuse a database written by a newer Samantha.

    Each migration is one transaction, and what is applied is read inside it, under the write lock
    (`BEGIN IMMEDIATE` first): two processes opening a fresh home at once would otherwise both see
    nothing applied and both create the same tables.
    """
    if is_current(db):
        return  # the usual case: a read, no lock taken
    for fn in MIGRATIONS:
        # An explicit BEGIN: Python's sqlite3 would run CREATE statements outside any transaction.
        db.conn.execute("begin immediate")
        try:
            db.execute("create table if not exists _migrations (name text primary key, applied_at text)")
            applied = {row[0] for row in db.execute("select name from _migrations").fetchall()}
            unknown = applied - {known.__name__ for known in MIGRATIONS}
            if unknown:
                raise StoreError(
                    "This database was written by a newer version of Samantha "
                    f"(it has migration {sorted(unknown)[-1]}); upgrade Samantha to open it."
                )
            if fn.__name__ not in applied:
                fn(db)
                db.execute(
                    "insert into _migrations (name, applied_at) values (?, ?)",
                    [fn.__name__, datetime.now(UTC).isoformat()],
                )
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()


def is_current(db: sqlite_utils.Database) -> bool:
    """Whether `db` has run exactly the migrations this Samantha knows."""
    if "_migrations" not in db.table_names():
        return False
    applied = {row[0] for row in db.execute("select name from _migrations").fetchall()}
    return applied == {fn.__name__ for fn in MIGRATIONS}


@migration
def m001_conversations_and_messages(db: sqlite_utils.Database) -> None:
    db.table("conversations").create(
        {"id": str, "title": str, "created_at": str, "updated_at": str},
        pk="id",
    )
    db.table("messages").create(
        {
            "id": str,
            "conversation_id": str,
            "role": str,
            "content": str,
            "created_at": str,
            "model": str,
            "tokens": int,
            "status": str,
            "meta": str,
        },
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
        not_null={"conversation_id", "role", "content", "created_at", "status"},
        defaults={"status": "complete", "meta": "{}"},
    )
    db.table("messages").create_index(["conversation_id", "created_at"])
    db.table("conversations").create_index(["updated_at"])


#: FTS5 tokenizer for messages and memories. unicode61 splits Korean on spaces like English; a Korean
#: word carries its particles ("이름은"), so queries use prefix terms ("이름"*) to find it.
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
#: Prefix indexes (in characters) for 1-3 syllable Korean stems: without them "사람"* merges the
#: doclists of every "사람..." word on each query (milliseconds at a million messages, not microseconds).
FTS_PREFIX = "1 2 3"


def _fts_with_triggers(db: sqlite_utils.Database, table: str) -> None:
    """An external-content FTS5 index over `table.content`, kept in sync by triggers."""
    fts = f"{table}_fts"
    db.execute(
        f"create virtual table {fts} using fts5(content, content='{table}', content_rowid='rowid', "
        f"tokenize='{FTS_TOKENIZER}', prefix='{FTS_PREFIX}')"
    )
    db.execute(
        f"create trigger {table}_ai after insert on {table} begin "
        f"insert into {fts}(rowid, content) values (new.rowid, new.content); end"
    )
    db.execute(
        f"create trigger {table}_ad after delete on {table} begin "
        f"insert into {fts}({fts}, rowid, content) values ('delete', old.rowid, old.content); end"
    )
    db.execute(
        f"create trigger {table}_au after update of content on {table} begin "
        f"insert into {fts}({fts}, rowid, content) values ('delete', old.rowid, old.content); "
        f"insert into {fts}(rowid, content) values (new.rowid, new.content); end"
    )
    db.execute(f"insert into {fts}({fts}) values ('rebuild')")


@migration
def m002_memories_summaries_search(db: sqlite_utils.Database) -> None:
    # Long-term memories: facts about the user, each tied to the user message it came from (none when
    # the user added it by hand). Forgetting that message forgets the memory too.
    db.execute(
        """create table memories (
            id text primary key,
            content text not null,
            kind text not null default 'fact',
            source text not null default 'manual',
            message_id text references messages(id) on delete cascade,
            conversation_id text references conversations(id) on delete cascade,
            created_at text not null
        )"""
    )
    db.execute("create index memories_message on memories(message_id)")
    db.execute("create index memories_conversation on memories(conversation_id)")
    # Rolling summaries of older turns, with the range of messages each covers.
    db.execute(
        """create table summaries (
            id text primary key,
            conversation_id text not null references conversations(id) on delete cascade,
            first_message_id text not null,
            last_message_id text not null,
            message_count integer not null,
            content text not null,
            method text not null default 'extractive',
            created_at text not null
        )"""
    )
    db.execute("create index summaries_conversation on summaries(conversation_id, created_at)")
    # Replies a crash left 'pending' are found without scanning every message.
    db.execute("create index messages_pending on messages(status) where status = 'pending'")
    _fts_with_triggers(db, "messages")
    _fts_with_triggers(db, "memories")


@migration
def m003_memories_by_date(db: sqlite_utils.Database) -> None:
    # Recall lists the newest memories every turn.
    db.execute("create index memories_created on memories(created_at)")


@migration
def m004_facts_that_change_and_scopes(db: sqlite_utils.Database) -> None:
    # Facts that change: a new fact about the same thing (its `slot`: home, work, name, partner) supersedes
    # the old one, which is kept with the date it stopped being true and a link to what replaced it.
    # Scope: `local` memories are never sent to a remote endpoint.
    for column in (
        "slot text",
        "status text not null default 'current'",
        "superseded_by text",
        "valid_from text",
        "valid_until text",
        "scope text not null default 'everywhere'",
    ):
        db.execute(f"alter table memories add column {column}")
    db.execute("update memories set valid_from = created_at")
    # Existing facts get the slot the patterns give them now; none is superseded retroactively.
    db.execute("update memories set slot = 'name' where kind = 'name'")
    db.execute("update memories set slot = 'work' where kind = 'work'")
    db.execute(
        "update memories set slot = 'home' where kind = 'home' and content not like 'The user is from %'"
    )
    db.execute(
        "update memories set slot = 'origin' where kind = 'home' and content like 'The user is from %'"
    )
    db.execute("create index memories_slot on memories(slot, status)")
    db.execute("create index memories_superseded_by on memories(superseded_by)")
    # Forgetting a fact (or the message it came from) makes the one it replaced current again.
    db.execute(
        "create trigger memories_unsupersede after delete on memories begin "
        "update memories set status = 'current', superseded_by = null, valid_until = null "
        "where superseded_by = old.id; end"
    )
    # Cached sentence embeddings of memories, for recall by meaning (derived data: never exported).
    db.execute(
        """create table memory_vectors (
            memory_id text primary key references memories(id) on delete cascade,
            model text not null,
            vector blob not null
        )"""
    )
