"""Conversations and messages: the part of the store every turn uses."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from samantha.models import Conversation, Message, MessageStatus, Role
from samantha.store.database import open_database


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

    @classmethod
    def open(cls, path: Path | None) -> Store:
        return cls(open_database(path), path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        with self.db.conn:
            yield self.db

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

    def latest_conversation(self) -> Conversation | None:
        found = self.list_conversations(limit=1)
        return found[0] if found else None

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        with self.transaction():
            self.db.execute("update conversations set title = ? where id = ?", [title, conversation_id])

    def delete_conversation(self, conversation_id: str) -> None:
        with self.transaction():
            self.db.execute("delete from messages where conversation_id = ?", [conversation_id])
            self.db.execute("delete from conversations where id = ?", [conversation_id])

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
