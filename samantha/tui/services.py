"""The app's one door to the core: `ChatService`, a typed object every screen and widget talks through.

Screens never call the store, the memory module or export directly; they ask the service, which knows
which database is the user's (the sidebar, history, memories) and which Companion takes the turns
(incognito: one writing to a database in memory). Nothing here imports Textual, and every method may
block (database, model): the app calls them from thread workers.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from samantha import runtime
from samantha.titles import title_from

if TYPE_CHECKING:
    from samantha.companion import Companion, Turn
    from samantha.config import Settings
    from samantha.llm.base import ChatModel
    from samantha.llm.catalog import Listed
    from samantha.memories import MemoryWithSource
    from samantha.records import Conversation, Message
    from samantha.store import Store

#: Conversations loaded into the sidebar at a time.
PAGE_SIZE = 50

_NAME = re.compile(r"(?:name is|이름은)\s+(.+?)[.。]?\s*$")

#: Seconds without a first message after which the app loads the retrieval models anyway.
RETRIEVAL_AFTER_IDLE_SECONDS = 5.0
#: The longest the retrieval models wait for the first reply to end.
FIRST_REPLY_WAIT_SECONDS = 60.0


@dataclass
class Page:
    """A page of the sidebar: conversations, and the offset of the next page (None when none is left)."""

    conversations: list[Conversation]
    next_offset: int | None


@dataclass
class ModelFacts:
    """What the app says about the model it runs on (status bar, /model)."""

    name: str
    backend: str
    context_window: int
    reply_tokens: int
    small_model_notice: str | None

    @property
    def budget(self) -> int:
        """Tokens the context may use; the rest is kept for the reply."""
        return self.context_window - self.reply_tokens


class ChatService:
    """The core as the app sees it.

    Args:
        settings: the user's settings.
        companion: a ready core (tests pass one with a scripted model); else `start` builds one.
    """

    def __init__(self, settings: Settings, *, companion: Companion | None = None) -> None:
        self.settings = settings
        self.given_companion = companion
        self.store: Store | None = companion.store if companion is not None else None
        """The user's database; incognito, the companion writes elsewhere and only reads this one."""
        self.companion: Companion | None = None
        self.chosen: Listed | None = None
        """The model `/model NAME` switched to, if any."""
        self.first_turn: Turn | None = None
        self._first_message = threading.Event()

    # Start-up and incognito

    def open_store(self) -> Store:
        """The user's database (opened once; fast, so the sidebar comes before the model)."""
        if self.store is None:
            self.store = runtime.open_store(self.settings)
        return self.store

    def build_companion(self, *, incognito: bool, model: ChatModel | None = None) -> Companion:
        """The core for this mode: the given one (or an incognito copy of it), else one built from the
        settings over the user's database. Slow the first time (model and retrieval load)."""
        if self.given_companion is not None:
            given = self.given_companion
            return runtime.incognito_copy(given) if incognito else given
        # Incognito without the database open yet (the plain chat): runtime opens it read-only, if it exists.
        store = self.store if incognito else self.open_store()
        companion = runtime.build_companion(self.settings, store=store, incognito=incognito, model=model)
        if model is None:  # a new model: it loads while the user types (retrieval after the first reply)
            from samantha import preload

            preload.start(
                companion.model,
                persona=preload.chat_persona(self.settings, companion.model),
                retrieval_after=self.after_the_first_reply,
            )
        return companion

    def after_the_first_reply(self) -> None:
        """Wait until the session's first reply is over, or RETRIEVAL_AFTER_IDLE_SECONDS pass without a
        message. The retrieval models load then: on 2 cores, loading them during the first reply made
        its first token wait twice as long (2.4 s against 1.2 s). A film question before then loads
        what it needs itself."""
        if not self._first_message.wait(RETRIEVAL_AFTER_IDLE_SECONDS):
            return
        deadline = time.monotonic() + FIRST_REPLY_WAIT_SECONDS
        turn = self.first_turn
        while turn is not None and turn.result is None and not turn.stopped.is_set():
            if time.monotonic() > deadline:  # a reply that failed before it had a result
                return
            time.sleep(0.1)

    def attach(self, companion: Companion | None) -> None:
        self.companion = companion

    def model_facts(self) -> ModelFacts | None:
        if self.companion is None:
            return None
        model = self.companion.model
        return ModelFacts(
            name=model.name,
            backend=model.backend,
            context_window=model.context_window,
            reply_tokens=self.companion.settings.max_reply_tokens,
            small_model_notice=model.small_model_notice,
        )

    def switch_model(self, name: str) -> str:
        """`/model NAME`: the next replies come from that model, without a restart; with no name, the
        models there are to switch to. Returns what to tell the user; an unknown name is a UsageError."""
        from samantha.errors import UsageError
        from samantha.llm import catalog

        entries = catalog.available(self.settings)
        if not name.strip():
            current = self.companion.model.name if self.companion else ""
            lines = [
                f"{'*' if entry is self.chosen or (self.chosen is None and entry.active) else ' '} "
                f"{catalog.short_name(entry)}  ({entry.backend}, {entry.source})"
                for entry in entries
            ]
            return "\n".join([f"Now: {current}", *lines, "/model NAME switches to one of these."])
        entry = catalog.find(entries, name)
        if entry is None:
            names = ", ".join(catalog.short_name(e) for e in entries)
            raise UsageError(f"There is no model called {name.strip()!r} here; the models are: {names}.")
        if self.companion is None:
            raise UsageError("I'm still waking up; switch models in a moment.")
        self.companion.use_model(catalog.model_for(entry, self.settings))
        self.chosen = entry
        return f"Switched to {catalog.short_name(entry)} ({entry.backend}); the next replies come from it."

    # Conversations (the user's database)

    def conversations(self, offset: int = 0, query: str = "") -> Page:
        """Newest first; with `query`, those whose title contains it, and on the first page also those
        where it was said."""
        store = self.open_store()
        if query:
            page = store.search_conversations(query, limit=PAGE_SIZE, offset=offset)
        else:
            page = store.list_conversations(limit=PAGE_SIZE, offset=offset)
        next_offset = offset + len(page) if len(page) == PAGE_SIZE else None
        if query and offset == 0:
            page = _newest_first(page, store.conversations_mentioning(query))
        return Page(page, next_offset)

    def history(self, conversation_id: str, limit: int = 200) -> list[Message]:
        return self.open_store().recent_messages(conversation_id, limit)

    def title(self, conversation_id: str) -> str | None:
        conversation = self.open_store().get_conversation(conversation_id)
        return conversation.title if conversation else None

    def rename(self, conversation_id: str, title: str) -> None:
        self.open_store().rename_conversation(conversation_id, title)

    def delete(self, conversation_id: str) -> None:
        self.open_store().delete_conversation(conversation_id)

    def latest_title(self) -> str | None:
        """The newest conversation's title ('' when untitled), None for a first-time user."""
        latest = self.open_store().latest_conversation()
        return None if latest is None else latest.title or ""

    def user_name(self) -> str | None:
        """The user's name, if a memory of kind `name` holds one ("The user's name is Mina.")."""
        for memory in self.open_store().list_memories():
            if memory.kind == "name":
                found = _NAME.search(memory.content)
                if found and len(found.group(1)) <= 40:
                    return found.group(1)
        return None

    # Turns (the companion's database: the user's, or incognito's in memory)

    def start_turn(self, conversation_id: str | None, text: str, replace: list[str]) -> tuple[str, Turn]:
        """Start a turn: the replaced messages (regenerate, retry) go first, a new conversation is titled
        from `text`. Returns the conversation and the turn to iterate."""
        companion = self.companion
        assert companion is not None, "the core is not ready"
        for message_id in replace:
            companion.store.delete_message(message_id)
        if conversation_id is None:
            from samantha.companion import message_not_saved
            from samantha.errors import StoreError

            try:
                conversation_id = companion.new_conversation(title_from(text))
            except StoreError as exc:  # busy database, full disk: the text must not be lost
                raise message_not_saved(exc, text) from None
        turn = companion.turn(conversation_id, text)
        if self.first_turn is None:
            self.first_turn = turn
            self._first_message.set()
        return conversation_id, turn

    # Memories and export (the user's database)

    def memories(self) -> list[MemoryWithSource]:
        from samantha.memories import list_memories

        return list_memories(self.open_store())

    def forget(self, memory_id: str) -> None:
        from samantha.memories import forget_memory

        forget_memory(self.open_store(), memory_id)

    def set_memory_scope(self, memory_id: str, scope: str) -> None:
        """`local` (never sent to a remote endpoint) or `everywhere`."""
        from samantha.memories import set_scope

        set_scope(self.open_store(), memory_id, scope)

    def forget_all(self) -> int:
        """Forget every memory; returns how many there were."""
        from samantha.memories import forget_all_memories

        return forget_all_memories(self.open_store())

    def export(self, folder: Path) -> Path:
        """Everything (conversations, messages, memories, summaries) as lossless JSON in a new file in
        `folder`, readable by the user only."""
        from samantha.transfer import export_to_path

        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / time.strftime("samantha-export-%Y%m%d-%H%M%S.json")
        export_to_path(self.open_store(), path, "json")
        return path

    def export_folder(self) -> Path:
        from samantha import locations

        return locations.home_dir() / "exports"


def _newest_first(*pages: list[Conversation]) -> list[Conversation]:
    seen: dict[str, Conversation] = {}
    for page in pages:
        for conversation in page:
            seen.setdefault(conversation.id, conversation)
    return sorted(seen.values(), key=lambda c: c.updated_at, reverse=True)
