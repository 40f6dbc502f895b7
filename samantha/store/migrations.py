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
    """Bring `db` up to date; refuse a database written by a newer Samantha."""
    known = [fn.__name__ for fn in MIGRATIONS]
    if "_migrations" not in db.table_names():
        db.table("_migrations").create({"name": str, "applied_at": str}, pk="name")
    applied = {row["name"] for row in db["_migrations"].rows}
    unknown = applied - set(known)
    if unknown:
        raise StoreError(
            "This database was written by a newer version of Samantha "
            f"(it has migration {sorted(unknown)[-1]}); upgrade Samantha to open it."
        )
    for fn in MIGRATIONS:
        if fn.__name__ in applied:
            continue
        with db.conn:
            fn(db)
            db.table("_migrations").insert({"name": fn.__name__, "applied_at": datetime.now(UTC).isoformat()})


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
