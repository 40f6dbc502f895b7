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
from samantha.conversation import recollect
from samantha.conversation.examples import nearest_examples
from samantha.conversation.korean import korean_reply
from samantha.conversation.recollect import CitedMemory
from samantha.conversation.route import Route
from samantha.conversation.route import route as route_message
from samantha.conversation.shape import (
    SMALL_HISTORY_MESSAGES,
    SMALL_REPLY_TOKENS,
    SMALL_TALK_TEMPERATURE,
    Shaper,
    compact_persona,
)
from samantha.conversation.sources import (
    COMPOSED_FROM_MEMORIES,
    COMPOSED_IN_KOREAN,
    composed,
    memory_follow_up,
)
from samantha.errors import MessageNotSaved, ModelError, StoreError, reason
from samantha.llm.base import ChatModel
from samantha.llm.openai_backend import redact_url
from samantha.llm.stopping import stoppable
from samantha.prompt_files import load_prompt
from samantha.recall import Recall
from samantha.records import Citation, Memory, Message, MessageStatus, Passage
from samantha.reply_recorder import ReplyRecorder
from samantha.reply_source import QUOTED_FROM_REVIEWS, ReplySource, choose_reply_source
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
    route: str = ""
    """What kind of message it was: `film`, `memory`, `self` or `chat` (samantha.conversation.route)."""
    memories: list[CitedMemory] = field(default_factory=list)
    """The memories the answer cites as [mN], checked."""

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
        route: str = "",
        memories: list[CitedMemory] | None = None,
        invalid_memories: bool = False,
    ) -> TurnResult:
        return cls(
            conversation_id=turn.conversation_id,
            user_message=user_message,
            reply=reply,
            answer=checked.answer,
            citations=checked.citations,
            # Without passages an answer is unsupported only when it cites passages it was never given.
            supported=(checked.supported and all_supported(claims) if plan.passages else not checked.invalid)
            and not invalid_memories,
            status=status,
            context=plan,
            model=author,
            claims=claims,
            route=route,
            memories=memories or [],
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
        self.small_persona = compact_persona(settings.persona)
        self.film_prompt = load_prompt("film")

    def use_model(self, model: ChatModel) -> None:
        """Switch the model for the turns that follow (the app's /model); a turn in progress keeps its own,
        and each reply records the model that wrote it."""
        self.model = model

    @property
    def small(self) -> bool:
        """Whether the model is small: short shaped small talk, composed memory and Korean answers."""
        size = self.settings.model_size
        return size == "small" or (size == "auto" and bool(self.model.small_model_notice))

    def choose_route(self, text: str) -> tuple[Route, list[Passage]]:
        """The message's kind, and for a film question the passages to answer it from."""
        found: list[Passage] = []

        def reviews_gate(message: str) -> bool:
            nonlocal found
            found = self.retriever.passages_for_turn(message) if self.retriever else []
            return bool(found)

        chosen = route_message(text, reviews_gate, nearest_examples())
        if chosen.kind != "film":
            return chosen, []
        if not found and self.retriever is not None:
            # The rules know it is a film question even when the gate hesitates: the reviews decide
            # whether they answer it (the grounded answer says so when they don't).
            found = self.retriever.passages_for_turn(text) or self.retriever.search(text, 5)
        return chosen, found

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
        base_url = self.model.base_url
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

    def build_context(
        self,
        conversation_id: str,
        text: str,
        history: list[Message],
        *,
        route: Route | None = None,
        passages: list[Passage] | None = None,
        memories: list[Memory] | None = None,
    ) -> ContextPlan:
        """What the model sees; without a route (a preview, older callers) the message is routed here.

        A small model's small talk gets the compact persona, the user's name and the last exchange; a
        capable model's question about the user gets the memories as numbered data.
        """
        if route is None:
            route, passages = self.choose_route(text)
        passages = passages or []
        budget = self.model.context_window - self.settings.max_reply_tokens
        if self.small and route.kind in ("chat", "self"):
            name = recollect.user_name(self.recall.known_facts())
            plan = assemble(
                persona=self.small_persona,
                user_text=text,
                history=history[-SMALL_HISTORY_MESSAGES:],
                sections=[Section("memories", "About the user:", [f"Their name is {name}."])] if name else [],
                budget=budget,
                count=self.model.count_tokens,
            )
            plan.leaves_machine = self.recall.remote
            return plan
        sections = self.recall.sections_for_turn(conversation_id, text)
        if memories:
            sections = [s for s in sections if s.kind != "memories"]
            sections.append(
                Section("memories", recollect.MEMORIES_DATA_HEADING, recollect.numbered(memories))
            )
        if passages:
            heading = self.film_prompt.split("{passages}")[0].strip()
            sections.append(Section("passages", heading, number_passages(passages)))
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

    def choose_source(
        self,
        text: str,
        route: Route,
        plan: ContextPlan,
        history: list[Message],
        recollection: recollect.Recollection | None,
        numbered: list[Memory],
    ) -> ReplySource:
        """Where the reply comes from, by route: composed (a small model's memory answers and Korean
        chat), the small model shaped to a few clean sentences, or the model / the reviews as before."""
        if recollection is not None and self.small:
            return composed(recollection.text, COMPOSED_FROM_MEMORIES)
        if self.small and route.kind in ("chat", "self"):
            if route.lang == "ko":
                replies = [m for m in history if m.role == "assistant"]
                reply = korean_reply(
                    text,
                    name=recollect.user_name(self.recall.known_facts()),
                    about_her=route.kind == "self",
                    turn_index=len(replies),
                    explained=any(m.model == COMPOSED_IN_KOREAN for m in replies),
                )
                return composed(reply, COMPOSED_IN_KOREAN)
            model = self.model
            return ReplySource(
                kind="model",
                pieces=lambda: Shaper().shape(
                    model.stream(
                        plan.messages, max_tokens=SMALL_REPLY_TOKENS, temperature=SMALL_TALK_TEMPERATURE
                    )
                ),
                author=lambda: model.name,
                passages=[],
                ends_whole=True,
            )
        source = choose_reply_source(text, plan, self.model, self.retriever, self.settings)
        if recollection is not None:
            source.follow_up = memory_follow_up(recollection, numbered)
        return source

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
        route, passages = self.choose_route(turn.text)
        # Questions about the user are answered from what she remembers: composed on a small model, else
        # given to the model as numbered memories ([m1] is the first that answers) and checked.
        recollection, numbered = None, []
        if route.kind == "memory":
            known = self.recall.known_facts()
            recollection = recollect.compose(turn.text, route.lang, known)
            numbered = (
                [c.memory for c in recollection.cited]
                if self.small
                else recollect.given_for_model(turn.text, known)
            )
        plan = self.build_context(
            turn.conversation_id,
            turn.text,
            history,
            route=route,
            passages=passages,
            memories=numbered if route.kind == "memory" and not self.small else None,
        )
        turn.context = plan
        if plan.dropped_history:
            self.recall.history_dropped(turn.conversation_id, plan.dropped_history)

        source = self.choose_source(turn.text, route, plan, history, recollection, numbered)
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
            length_limit = source.kind == "model" and self.model.finish_reason == "length"
            status = "cut" if length_limit and not source.ends_whole else "complete"
        finally:
            if claims is None:
                claims = self.check_claims(body or recorder.text, source.passages)
            checked = check_citations(recorder.text, source.passages, attribute=source.attribute_citations)
            cited_memories, invalid_memories = recollect.check_memory_citations(recorder.text, numbered)
            meta = {
                "citations": [c.model_dump() for c in checked.citations],
                "supported": checked.supported and all_supported(claims),
                "claims": [c.as_dict() for c in claims],
                "route": route.kind,
                "memories": [c.as_json() for c in cited_memories],
            }
            if question is not None:
                meta["memory_question"] = question.payload
            reply = recorder.finish(status, tokens=self.model.count_tokens(checked.answer), meta=meta)
            turn.result = TurnResult.of(
                turn,
                user_message,
                plan,
                reply,
                checked,
                claims,
                status,
                source.author(),
                route=route.kind,
                memories=cited_memories,
                invalid_memories=bool(invalid_memories),
            )
            if status in ("complete", "cut"):
                self.recall.after_turn(user_message, reply)


__all__ = [
    "COMPOSED_FROM_MEMORIES",
    "COMPOSED_IN_KOREAN",
    "QUOTED_FROM_REVIEWS",
    "Companion",
    "ModelError",
    "Turn",
    "TurnResult",
]
