"""One chat turn, start to finish, in one place (`Companion._run`).

message in -> saved -> context assembled (persona, memories, passages, history, within the budget)
-> reply source chosen (`reply_source`: the model, or an answer composed from the reviews) -> streamed
and recorded as it arrives (`reply_recorder`) -> claims and citations checked -> reply finished (complete,
or interrupted with what arrived) -> `TurnResult`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from samantha.citations import CheckedAnswer, check_citations
from samantha.config import Settings
from samantha.context import ContextPlan, Section, assemble, number_passages
from samantha.errors import MessageNotSaved, ModelError, StoreError, reason
from samantha.llm.base import ChatModel
from samantha.llm.openai_backend import redact_url
from samantha.llm.stopping import stoppable
from samantha.prompt_files import load_prompt
from samantha.recall import Recall
from samantha.records import Citation, Message, MessageStatus, Passage
from samantha.reply_recorder import ReplyRecorder
from samantha.reply_source import QUOTED_FROM_REVIEWS, choose_reply_source
from samantha.retrieval import Retriever
from samantha.retrieval.claims import Claim, all_supported
from samantha.store import Store
from samantha.validation import check_text


@dataclass
class TurnResult:
    conversation_id: str
    user_message: Message
    reply: Message | None
    answer: str
    citations: list[Citation] = field(default_factory=list)
    supported: bool = True
    status: str = "complete"
    context: ContextPlan | None = None
    model: str = ""
    """Who wrote the answer: the model's name, or `QUOTED_FROM_REVIEWS` when no model was called."""
    claims: list[Claim] = field(default_factory=list)
    """A film answer's factual claims, each checked against the reviews (`samantha.retrieval.claims`);
    the app and the CLI mark those whose status is not "supported"."""

    @classmethod
    def of(
        cls,
        turn: Turn,
        user_message: Message,
        plan: ContextPlan,
        reply: Message | None,
        checked: CheckedAnswer,
        claims: list[Claim],
        status: MessageStatus,
        author: str,
    ) -> TurnResult:
        return cls(
            conversation_id=turn.conversation_id,
            user_message=user_message,
            reply=reply,
            answer=checked.answer,
            citations=checked.citations,
            # Without passages an answer is unsupported only when it cites passages it was never given.
            supported=checked.supported and all_supported(claims) if plan.passages else not checked.invalid,
            status=status,
            context=plan,
            model=author,
            claims=claims,
        )


def message_not_saved(exc: StoreError, text: str) -> MessageNotSaved:
    """The error telling the user their message `text` was not stored, and why (busy database, full disk)."""
    return MessageNotSaved(f"Your message was not saved: {reason(exc)}.", text)


class Turn:
    """A turn in progress: iterate it for the reply's pieces; `result` is set once it ends."""

    def __init__(self, companion: Companion, conversation_id: str, text: str) -> None:
        self.companion = companion
        self.conversation_id = conversation_id
        self.text = text
        self.result: TurnResult | None = None
        self.context: ContextPlan | None = None
        self.stopped = threading.Event()
        self._reader: int | None = None
        self._iterator = companion._run(self)

    def __iter__(self) -> Iterator[str]:
        self._reader = threading.get_ident()
        return self._iterator

    def cancel(self) -> None:
        """Stop the reply; what arrived is kept and marked interrupted.

        Safe from any thread: from the one iterating, the turn ends here; from another (the app's Esc,
        while its worker waits for the model), the iteration ends within `stopping.POLL_SECONDS`.
        """
        self.stopped.set()
        if self._reader in (None, threading.get_ident()):
            self._iterator.close()  # type: ignore[attr-defined]

    def run(self) -> TurnResult:
        """Consume the whole reply and return the result."""
        for _ in self:
            pass
        assert self.result is not None
        return self.result


class Companion:
    """Samantha's core: the same object drives the CLI, the app and the tests."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        model: ChatModel,
        retriever: Retriever | None = None,
        recall: Recall | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.model = model
        self.retriever = retriever
        self.recall = recall or Recall(store)
        self.persona = load_prompt(settings.persona)
        self.film_prompt = load_prompt("film")

    def use_model(self, model: ChatModel) -> None:
        """Switch the model for the turns that follow (the app's /model); a turn in progress keeps its own,
        and each reply records the model that wrote it."""
        self.model = model

    def new_conversation(self, title: str | None = None) -> str:
        return self.store.create_conversation(title).id

    def turn(self, conversation_id: str, text: str) -> Turn:
        check_text(text)
        return Turn(self, conversation_id, text)

    def preview(self, conversation_id: str | None, text: str) -> ContextPlan:
        """The context a turn with `text` would send to the model, built the same way, with nothing saved
        or sent (`samantha ask --dry-run`)."""
        check_text(text)
        window = self.recall.history_window
        history = self.store.recent_messages(conversation_id, window) if conversation_id else []
        return self.build_context(conversation_id or "", text, history)

    def outbound(self, plan: ContextPlan) -> dict[str, Any]:
        """What `plan` sends, and where: whether it leaves this machine, and which memories stay home."""
        remote = self.recall.remote
        base_url = getattr(self.model, "base_url", None)
        return {
            "model": self.model.name,
            "backend": self.model.backend,
            "endpoint": redact_url(base_url) if base_url else None,
            "leaves_machine": remote,
            "remote_memory": self.recall.remote_memory,
            "messages": plan.messages,
            "parts": [{"kind": part.kind, "tokens": part.tokens} for part in plan.parts],
            "kept_home": [{"id": m.id, "text": m.content} for m in self.recall.withheld] if remote else [],
        }

    def build_context(self, conversation_id: str, text: str, history: list[Message]) -> ContextPlan:
        passages = self.retriever.passages_for_turn(text) if self.retriever else []
        sections = self.recall.sections_for_turn(conversation_id, text)
        if passages:
            heading = self.film_prompt.split("{passages}")[0].strip()
            sections.append(Section("passages", heading, number_passages(passages)))
        budget = self.model.context_window - self.settings.max_reply_tokens
        plan = assemble(
            persona=self.persona,
            user_text=text,
            history=history,
            sections=sections,
            budget=budget,
            count=self.model.count_tokens,
            passages=passages,
        )
        plan.leaves_machine = self.recall.remote
        plan.kept_home = [m.content for m in self.recall.withheld] if self.recall.remote else []
        return plan

    def check_claims(self, text: str, passages: list[Passage]) -> list[Claim]:
        """A film answer's claims, each checked against the reviews (none without passages or text)."""
        if self.retriever is None or not passages or not text.strip():
            return []
        return self.retriever.check_claims(text, passages)

    def _run(self, turn: Turn) -> Iterator[str]:
        """Message saved -> context -> reply source -> streamed and recorded -> checked -> result."""
        store = self.store
        history = store.recent_messages(turn.conversation_id, self.recall.history_window)
        # Saved before the model is called: whatever happens next, the user's words are kept. If they
        # cannot be (a busy database, a full disk), the model is not called and the user is told so.
        try:
            user_message = store.add_message(turn.conversation_id, "user", turn.text)
        except StoreError as exc:
            store.discard_if_empty(turn.conversation_id)
            raise message_not_saved(exc, turn.text) from None
        plan = self.build_context(turn.conversation_id, turn.text, history)
        turn.context = plan
        if plan.dropped_history:
            self.recall.history_dropped(turn.conversation_id, plan.dropped_history)

        source = choose_reply_source(turn.text, plan, self.model, self.retriever, self.settings)
        recorder = ReplyRecorder(store, turn.conversation_id, source.author)
        status: MessageStatus = "interrupted"
        body = ""  # the reply before any addendum: what its claims are checked on
        claims: list[Claim] | None = None
        question = None
        try:
            # Stoppable: a stop ends the reply at once, even while the model is still reading its prompt.
            for piece in stoppable(source.pieces(), turn.stopped):
                recorder.add(piece)
                yield piece
                if turn.stopped.is_set():
                    break
            if turn.stopped.is_set():
                return  # saved below as interrupted
            if not recorder.pieces:  # a stream that ended without a word is a failure, never an empty reply
                raise ModelError("The model sent an empty reply.")
            body = recorder.text
            if source.kind == "model":
                claims = self.check_claims(body, source.passages)  # the addendum marks the unsupported
            for piece in source.addendum(body, claims):
                recorder.add(piece)
                yield piece
            # Unclear whether the message changes a fact ("I'm in Seoul this week")? Ask, once, briefly.
            question = self.recall.question_for(user_message)
            if question is not None:
                piece = f"\n\n{question.text}"
                recorder.add(piece)
                yield piece
            # A reply stopped at the length limit is whole but unfinished: marked, so it can be continued.
            status = "cut" if source.kind == "model" and self.model.finish_reason == "length" else "complete"
        finally:
            if claims is None:
                claims = self.check_claims(body or recorder.text, source.passages)
            checked = check_citations(recorder.text, source.passages, attribute=source.attribute_citations)
            meta = {
                "citations": [c.model_dump() for c in checked.citations],
                "supported": checked.supported and all_supported(claims),
                "claims": [c.as_dict() for c in claims],
            }
            if question is not None:
                meta["memory_question"] = question.payload
            reply = recorder.finish(status, tokens=self.model.count_tokens(checked.answer), meta=meta)
            turn.result = TurnResult.of(
                turn, user_message, plan, reply, checked, claims, status, source.author()
            )
            if status in ("complete", "cut"):
                self.recall.after_turn(user_message, reply)


__all__ = ["QUOTED_FROM_REVIEWS", "Companion", "ModelError", "Turn", "TurnResult"]
