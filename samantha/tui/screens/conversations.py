"""The conversations side of the chat screen: the sidebar (pages, filter), opening a past conversation,
starting a new one, renaming and deleting. `ChatScreen` adds the turn itself on top of this."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from samantha.textsafe import terminal_safe
from samantha.tui import services
from samantha.tui.screens.dialogs import ConfirmScreen, RenameScreen
from samantha.tui.widgets.chat_view import ChatView
from samantha.tui.widgets.prompt import PromptInput
from samantha.tui.widgets.sidebar import Sidebar
from samantha.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from samantha.context import ContextPlan
    from samantha.records import Conversation
    from samantha.records import Message as StoredMessage
    from samantha.store import Store


class ConversationsScreen(Screen[None]):
    """Everything about which conversation is open; the I/O runs in thread workers."""

    @dataclass
    class ConversationsLoaded(Message):
        conversations: list[Conversation]
        append: bool
        next_offset: int | None

    @dataclass
    class HistoryLoaded(Message):
        conversation_id: str
        messages: list[StoredMessage]

    @dataclass
    class Changed(Message):
        """A conversation was renamed or deleted; `note` is told to the user."""

        note: str
        deleted: str | None = None

    def __init__(self, *, incognito: bool = False) -> None:
        super().__init__(id="chat-screen")
        self.store: Store | None = None
        """The user's database (sidebar, history, memories, export); incognito, the core writes elsewhere."""
        self.incognito = incognito
        self.conversation_id: str | None = None
        self.streaming = False
        self.last_context: ContextPlan | None = None

    # Widgets

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one("#prompt", PromptInput)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    # Sidebar

    def reload_sidebar(self) -> None:
        if self.store is not None:
            self.load_conversations(self.store, 0, self.sidebar.query_text, False)

    @work(thread=True, exclusive=True, group="sidebar", exit_on_error=False)
    def load_conversations(self, store: Store, offset: int, query: str, append: bool) -> None:
        page = services.conversations_page(store, offset, query)
        more = offset + len(page) if len(page) == services.PAGE_SIZE else None
        if query and offset == 0:  # also conversations where the words were said, not only titled
            page = services.merge_newest_first(page, services.conversations_mentioning(store, query))
        self.post_message(self.ConversationsLoaded(page, append, more))

    @on(ConversationsLoaded)
    def _conversations(self, event: ConversationsLoaded) -> None:
        self.sidebar.show(event.conversations, append=event.append, next_offset=event.next_offset)
        if self.conversation_id:
            self.sidebar.highlight(self.conversation_id)
        drawn = getattr(self.app, "sidebar_drawn", None)
        if isinstance(drawn, threading.Event) and not drawn.is_set():
            self.call_after_refresh(drawn.set)

    @on(Sidebar.FilterChanged)
    def _filter(self, event: Sidebar.FilterChanged) -> None:
        if self.store is not None:
            self.load_conversations(self.store, 0, event.query, False)

    @on(Sidebar.MoreWanted)
    def _more(self, event: Sidebar.MoreWanted) -> None:
        if self.store is not None:
            self.load_conversations(self.store, event.offset, event.query, True)

    @on(Sidebar.Opened)
    def _open(self, event: Sidebar.Opened) -> None:
        if self.streaming:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        if self.store is not None:
            self.load_history(self.store, event.conversation_id)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self, store: Store, conversation_id: str) -> None:
        messages = services.conversation_messages(store, conversation_id)
        self.post_message(self.HistoryLoaded(conversation_id, messages))

    @on(HistoryLoaded)
    def _history(self, event: HistoryLoaded) -> None:
        from samantha.records import Citation

        self.conversation_id = event.conversation_id
        self.last_context = None
        self.chat.remove_children()
        for message in event.messages:
            if message.role not in ("user", "assistant"):
                continue
            citations = [Citation(**c) for c in message.meta.get("citations", []) if isinstance(c, dict)]
            status = "complete" if message.status == "pending" else message.status
            bubble = self.chat.add(message.role, message.content, status=status, citations=bool(citations))
            bubble.message_id = message.id
            bubble.citations = citations
        self.prompt.focus()
        if self.incognito:
            # The incognito core writes elsewhere: what is said now starts a new, unsaved conversation.
            self.conversation_id = None
            for bubble in self.chat.bubbles():
                bubble.message_id = None
            self.notify("Incognito: this conversation is shown as it was; what you write now is not saved.")

    def action_new_conversation(self) -> None:
        if self.streaming:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        self.conversation_id = None
        self.last_context = None
        self.chat.remove_children()
        self.chat.add("assistant", "A fresh page. What's on your mind?").add_class("greeting")
        self.prompt.focus()

    def action_toggle_sidebar(self) -> None:
        self.sidebar.display = not self.sidebar.display

    def action_find(self) -> None:
        self.sidebar.display = True
        self.query_one("#filter", Input).focus()

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def _target(self) -> str | None:
        """The conversation a rename/delete applies to: the highlighted one in the sidebar when it has
        focus, else the open one."""
        if self.sidebar.has_focus_within:
            return self.sidebar.highlighted_id() or self.conversation_id
        return self.conversation_id

    def action_rename(self) -> None:
        target = self._target()
        if target is None or self.store is None:
            self.notify("Pick a conversation first.")
            return
        conversation = self.store.get_conversation(target)
        title = conversation.title if conversation and conversation.title else ""

        def renamed(new_title: str | None) -> None:
            if new_title:
                self.change(target, new_title)

        self.app.push_screen(RenameScreen(title), renamed)

    def action_delete(self) -> None:
        target = self._target()
        if target is None or self.store is None:
            self.notify("Pick a conversation first.")
            return
        if self.streaming and target == self.conversation_id:
            self.notify("I'm still answering; press Esc to stop me first.", severity="warning")
            return
        conversation = self.store.get_conversation(target)
        title = (conversation.title if conversation else None) or "this conversation"

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(target, None)

        question = f"Delete “{terminal_safe(title)}” and all its messages? This cannot be undone."
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, group="change", exit_on_error=False)
    def change(self, conversation_id: str, title: str | None) -> None:
        """Rename (title given) or delete (title None) a conversation."""
        store = self.store
        assert store is not None
        if title is None:
            services.reset_conversation(store, conversation_id)
            self.post_message(self.Changed("Conversation deleted.", deleted=conversation_id))
        else:
            store.rename_conversation(conversation_id, title)
            self.post_message(self.Changed("Conversation renamed."))

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        if event.deleted and event.deleted == self.conversation_id:
            self.action_new_conversation()
        self.notify(event.note)
        self.reload_sidebar()

    def action_delete_current(self) -> None:
        if self.sidebar.has_focus_within:
            self.prompt.focus()
        self.action_delete()
