"""The app's one door to the core: every call into store, memory, export and runtime goes through here.

The memory and export modules are built in parallel with the app, so their functions are looked up
defensively; if one is renamed, the fix is one line in this file. Nothing here imports Textual.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samantha.companion import Companion
    from samantha.config import Settings
    from samantha.llm.base import ChatModel
    from samantha.records import Conversation, Message
    from samantha.store import Store

#: Conversations loaded into the sidebar at a time.
PAGE_SIZE = 50
TITLE_CHARS = 60


def title_from(text: str) -> str:
    """A conversation title from its first message: one line, at most TITLE_CHARS characters."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


def _optional(module: str, *names: str) -> Callable[..., Any] | None:
    """The first of `names` found in `module`, or None while that module has not landed."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    for name in names:
        function = getattr(found, name, None)
        if callable(function):
            return function
    return None


def open_store(settings: Settings) -> Store:
    """The user's database (created and migrated if needed), as `runtime.open_store` opens it, without
    importing the model and retrieval code first: the sidebar need not wait for them."""
    from samantha import locations
    from samantha.store import Store

    locations.ensure_home()
    return Store.open(locations.database_path())


def build_companion(
    settings: Settings, *, store: Store, incognito: bool = False, model: ChatModel | None = None
) -> Companion:
    """The Companion the app talks to, over the user's `store`. Incognito: nothing is written (the core
    writes to a database in memory and only reads `store`)."""
    from samantha import runtime

    return runtime.build_companion(settings, model=model, store=store, incognito=incognito)


def in_memory_companion(companion: Companion) -> Companion:
    """Incognito over a ready core (tests pass one): the same model and retriever, writing to a database in
    memory, recalling from the real one."""
    from samantha.companion import Companion
    from samantha.recall import Recall
    from samantha.store import Store

    scratch = Store.open(None)
    recall = Recall(scratch, archive=companion.store)
    return Companion(
        companion.settings, scratch, companion.model, retriever=companion.retriever, recall=recall
    )


# Conversations


def conversations_page(
    store: Store, offset: int = 0, query: str = "", limit: int = PAGE_SIZE
) -> list[Conversation]:
    """Newest first; with `query`, only conversations whose title contains it (case-insensitive)."""
    if not query:
        return store.list_conversations(limit=limit, offset=offset)
    search = getattr(store, "search_conversations", None)
    if callable(search):
        try:
            return list(search(query, limit=limit, offset=offset))
        except TypeError:
            pass
    from samantha.records import Conversation

    sql = (
        "select * from conversations where instr(lower(coalesce(title, '')), lower(?)) > 0 "
        "order by updated_at desc limit ? offset ?"
    )
    return [Conversation(**row) for row in store.db.query(sql, [query, limit, offset])]


def conversations_mentioning(store: Store, query: str, limit: int = 200) -> list[Conversation]:
    """Conversations with a message matching `query` (the store's full-text search), newest first."""
    search = getattr(store, "search_messages", None)
    if not callable(search):
        return []
    try:
        hits = search(query, limit=limit)
    except Exception:  # a query the search cannot parse finds nothing, not an error on screen
        return []
    ids = list(dict.fromkeys(hit.conversation_id for hit in hits if hit.conversation_id))
    found = [c for c in (store.get_conversation(i) for i in ids) if c is not None]
    return sorted(found, key=lambda c: c.updated_at, reverse=True)


def merge_newest_first(*pages: list[Conversation]) -> list[Conversation]:
    seen: dict[str, Conversation] = {}
    for page in pages:
        for conversation in page:
            seen.setdefault(conversation.id, conversation)
    return sorted(seen.values(), key=lambda c: c.updated_at, reverse=True)


def conversation_messages(store: Store, conversation_id: str, limit: int = 200) -> list[Message]:
    return store.recent_messages(conversation_id, limit)


def has_history(store: Store) -> bool:
    return store.latest_conversation() is not None


_NAME = re.compile(r"(?:name is|이름은)\s+(.+?)[.。]?\s*$")


def user_name(store: Store) -> str | None:
    """The user's name, if a memory of kind `name` holds one ("The user's name is Mina.")."""
    list_all = getattr(store, "list_memories", None)
    if not callable(list_all):
        return None
    for memory in list_all():
        if getattr(memory, "kind", "") == "name":
            found = _NAME.search(str(getattr(memory, "content", "")))
            if found and len(found.group(1)) <= 40:
                return found.group(1)
    return None


# Memories (issue 4). Each returns a neutral shape so the panel does not depend on the memory module.


@dataclass
class MemoryItem:
    id: str
    text: str
    source: str
    """The message the memory came from, as the user wrote it (or '' when unknown)."""
    created_at: str = ""
    scope: str = "everywhere"
    """`local`: never sent to a remote endpoint."""
    status: str = "current"
    """`superseded` when a newer fact replaced it."""


def _field(obj: Any, *names: str, default: Any = "") -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def memories_available() -> bool:
    return _optional("samantha.memories", "list_memories") is not None


def list_memories(store: Store) -> list[MemoryItem]:
    """Newest first, each with the text of the message it came from."""
    function = _optional("samantha.memories", "list_memories")
    if function is None:
        return []
    items = []
    for entry in function(store):
        memory = getattr(entry, "memory", entry)
        source = getattr(entry, "source", None)
        items.append(
            MemoryItem(
                id=str(_field(memory, "id")),
                text=str(_field(memory, "content", "text")),
                source=str(getattr(source, "content", "") or ""),
                created_at=str(_field(memory, "created_at")),
                scope=str(_field(memory, "scope", default="everywhere")),
                status=str(_field(memory, "status", default="current")),
            )
        )
    return items


def set_memory_scope(store: Store, memory_id: str, scope: str) -> None:
    """`local` (never sent to a remote endpoint) or `everywhere`."""
    from samantha.memories import set_scope

    set_scope(store, memory_id, scope)


def forget_memory(store: Store, memory_id: str) -> None:
    function = _optional("samantha.memories", "forget_memory", "delete_memory", "forget")
    if function is None:
        raise RuntimeError("Memories are not available in this version.")
    function(store, memory_id)


def forget_all_memories(store: Store) -> int:
    """Forget every memory; returns how many there were."""
    function = _optional("samantha.memories", "forget_all", "forget_all_memories", "reset_memories")
    if function is not None:
        result = function(store)
        return int(result) if isinstance(result, int) else 0
    items = list_memories(store)
    for item in items:
        forget_memory(store, item.id)
    return len(items)


def reset_conversation(store: Store, conversation_id: str) -> None:
    store.delete_conversation(conversation_id)


def export_all(store: Store, folder: Path) -> Path:
    """Export everything (conversations, messages, memories, summaries) as lossless JSON into `folder`,
    readable by the user only; returns the file."""
    import time

    from samantha import transfer

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / time.strftime("samantha-export-%Y%m%d-%H%M%S.json")
    transfer.export_to_path(store, path, "json")
    return path
