"""Migrations: an older database is upgraded in place, a newer one refused, a failed one leaves no trace."""

from __future__ import annotations

import sqlite3
import stat

import pytest
import sqlite_utils

from samantha.errors import StoreError
from samantha.store import Store
from samantha.store import migrations as migrations_module
from samantha.store.migrations import MIGRATIONS


def make_m001_database(path):
    """A database as the first release wrote it: only m001, with a reply a crash left pending."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.table("_migrations").create({"name": str, "applied_at": str}, pk="name")
    MIGRATIONS[0](db)
    db.table("_migrations").insert({"name": MIGRATIONS[0].__name__, "applied_at": "2026-01-01"})
    db.table("conversations").insert(
        {"id": "c1", "title": "old", "created_at": "2026-01-01", "updated_at": "x"}
    )
    base = {"conversation_id": "c1", "status": "complete"}
    rows = [
        {**base, "id": "m1", "role": "user", "content": "내 이름은 지수야", "created_at": "1"},
        {
            **base,
            "id": "m2",
            "role": "assistant",
            "content": "half a rep",
            "created_at": "2",
            "status": "pending",
        },
    ]
    db.table("messages").insert_all(rows)
    db.conn.commit()
    db.conn.close()


def test_an_old_database_is_upgraded_and_its_messages_become_searchable(db_path):
    make_m001_database(db_path)
    store = Store.open(db_path)
    applied = [row["name"] for row in store.db["_migrations"].rows]
    assert applied == [fn.__name__ for fn in MIGRATIONS]
    assert {"memories", "summaries", "messages_fts", "memories_fts"} <= set(store.db.table_names())
    assert [hit.id for hit in store.search_messages("이름")] == ["m1"]
    # The crash-left pending reply is marked interrupted on open, and kept.
    assert store.get_message("m2").status == "interrupted"
    assert store.get_message("m2").content == "half a rep"
    store.close()


def test_reopening_runs_nothing_twice(db_path):
    Store.open(db_path).close()
    store = Store.open(db_path)
    assert store.db.execute("select count(*) from _migrations").fetchone()[0] == len(MIGRATIONS)
    store.close()


def test_a_newer_database_is_refused_and_left_alone(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("insert into _migrations values ('m999_from_the_future', 'later')")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer version of Samantha"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_a_failing_migration_leaves_no_half_done_schema(db_path, monkeypatch):
    def m900_broken(db):
        db.execute("create table half_done (x)")
        raise sqlite3.OperationalError("boom")

    monkeypatch.setattr(migrations_module, "MIGRATIONS", [*MIGRATIONS, m900_broken])
    with pytest.raises(StoreError):
        Store.open(db_path)
    conn = sqlite3.connect(db_path)
    tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    names = {row[0] for row in conn.execute("select name from _migrations")}
    conn.close()
    assert "half_done" not in tables
    assert "m900_broken" not in names


def test_the_database_is_private(db_path):
    store = Store.open(db_path)
    store.add_message(store.create_conversation().id, "user", "hello")
    for path in db_path.parent.glob("samantha.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize(
    "sql",
    [
        "select 1 from messages where status = 'pending' limit 1",
        "update messages set status = 'interrupted' where status = 'pending'",
    ],
)
def test_finding_pending_replies_uses_the_partial_index(store, sql):
    plan = store.db.execute(f"explain query plan {sql}").fetchall()
    assert any("messages_pending" in str(row) for row in plan)


def test_m004_gives_existing_memories_their_slot_dates_and_scope(db_path):
    """A database from before facts could change: its memories stay current, true since they were made."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(db_path)
    db.table("_migrations").create({"name": str, "applied_at": str}, pk="name")
    shipped = [fn for fn in MIGRATIONS if fn.__name__ < "m004"]
    for fn in shipped:
        fn(db)
        db.table("_migrations").insert({"name": fn.__name__, "applied_at": "2026-01-01"})
    rows = [
        ("a", "The user lives in Busan.", "home"),
        ("b", "The user is from Canada.", "home"),
        ("c", "The user's name is Theo.", "name"),
        ("d", "The user loves tea.", "likes"),
    ]
    for memory_id, content, kind in rows:
        db.execute(
            "insert into memories (id, content, kind, created_at) values (?, ?, ?, ?)",
            [memory_id, content, kind, f"2026-01-0{len(memory_id)}"],
        )
    db.conn.commit()
    db.conn.close()
    store = Store.open(db_path)
    found = {m.id: m for m in store.list_memories()}
    assert {k: m.slot for k, m in found.items()} == {"a": "home", "b": "origin", "c": "name", "d": None}
    assert all(m.status == "current" and m.scope == "everywhere" for m in found.values())
    assert all(m.valid_from == m.created_at and m.valid_until is None for m in found.values())
    store.close()
