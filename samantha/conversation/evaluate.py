"""`samantha eval --chat`: scripted conversations run through the real turn, scored per check.

The conversations (`conversations.jsonl`, English and Korean: introductions, recall in a new conversation,
questions to Samantha, comfort, film questions in the middle of chat) run in order against one store in
memory (so recall crosses conversations, and nothing touches the user's database), on the backend the
settings choose. Checks per turn, each counted only where it applies:

- routed: the turn went the way the script says (film, memory, self, chat);
- language: the reply is in the user's language (quoted review text aside);
- short: small talk is at most three sentences; no_link: it has no URL, list or markup;
- recalled: a memory question's answer gives the remembered facts and cites them [mN];
  unknown_said: with nothing remembered, she says she doesn't know (cites nothing);
- film_fact: a film answer gives the reviews' fact; no_quotes: talk to Samantha gets no review quotes;
- no_repeat: no sentence says again what an earlier one said;
- first and last token times.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from samantha.conversation.route import language_of
from samantha.conversation.shape import _LIST_OR_MARKUP, _URL, repeats

CHECKS = (
    "routed",
    "language",
    "short",
    "no_link",
    "recalled",
    "unknown_said",
    "film_fact",
    "no_quotes",
    "no_repeat",
)
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」')
_SENTENCE_END = re.compile(r"[.!?。…]+(?=\s|$)")
_DONT_KNOW = re.compile(r"(?i)haven't told|don't know|don't think you've|don't remember|아직|못 들었")


@dataclass
class ScriptedTurn:
    say: str
    kind: str
    recall: list[str] = field(default_factory=list)
    film: list[str] = field(default_factory=list)
    unknown: bool = False


@dataclass
class Script:
    id: str
    lang: str
    turns: list[ScriptedTurn]
    fresh_store: bool = False


def load_conversations() -> list[Script]:
    raw = resources.files("samantha.conversation").joinpath("conversations.jsonl").read_text(encoding="utf-8")
    scripts = []
    for line in raw.splitlines():
        if line.strip():
            data = json.loads(line)
            turns = [ScriptedTurn(**t) for t in data.pop("turns")]
            scripts.append(Script(turns=turns, **data))
    return scripts


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.!?。…])\s+", text.strip()) if p.strip()]
    return parts


def reply_language(text: str) -> str:
    """The reply's language, with quoted review text and citation marks left out."""
    bare = re.sub(r"\[m?\d+\]", "", _QUOTED.sub("", text))
    return language_of(bare) if bare.strip() else language_of(text)


@dataclass
class TurnScore:
    conversation: str
    say: str
    kind: str
    routed_as: str
    reply: str
    checks: dict[str, bool]
    first_token: float
    last_token: float


def score_turn(turn: ScriptedTurn, lang: str, route: str, reply: str, cited_memories: int) -> dict[str, bool]:
    """The checks that apply to one turn, each True or False."""
    checks: dict[str, bool] = {"routed": route == turn.kind}
    user_lang = language_of(turn.say)
    checks["language"] = reply_language(reply) == user_lang
    said = sentences(reply)
    checks["no_repeat"] = not any(repeats(s, said[:i]) for i, s in enumerate(said) if i)
    if turn.kind in ("chat", "self"):
        checks["short"] = len(said) <= 3
        checks["no_link"] = not (
            _URL.search(reply) or any(_LIST_OR_MARKUP.search(line) for line in reply.splitlines())
        )
    if turn.kind == "self":
        checks["no_quotes"] = "From the reviews" not in reply and not re.search(r"\[\d+\]", reply)
    if turn.recall:
        lowered = reply.lower()
        checks["recalled"] = all(fact.lower() in lowered for fact in turn.recall) and cited_memories > 0
    if turn.unknown:
        checks["unknown_said"] = bool(_DONT_KNOW.search(reply)) and cited_memories == 0
    if turn.film:
        checks["film_fact"] = any(fact.lower() in reply.lower() for fact in turn.film)
    return checks


@dataclass
class ChatReport:
    model: str
    turns: list[TurnScore]
    seconds: float

    def rate(self, check: str, lang: str | None = None) -> tuple[int, int]:
        relevant = [
            t for t in self.turns if check in t.checks and (lang is None or language_of(t.say) == lang)
        ]
        return sum(t.checks[check] for t in relevant), len(relevant)

    def routing_by_kind(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for kind in ("film", "memory", "self", "chat"):
            mine = [t for t in self.turns if t.kind == kind]
            out[kind] = (sum(t.checks["routed"] for t in mine), len(mine))
        return out

    def timings(self, kinds: tuple[str, ...] = ("chat", "self")) -> dict[str, float]:
        first = [t.first_token for t in self.turns if t.kind in kinds]
        last = [t.last_token for t in self.turns if t.kind in kinds]
        if not first:
            return {}
        return {
            "first_token_p50": round(percentile(first, 50), 3),
            "first_token_p95": round(percentile(first, 95), 3),
            "last_token_p50": round(percentile(last, 50), 3),
            "last_token_p95": round(percentile(last, 95), 3),
        }

    def as_dict(self) -> dict[str, Any]:
        checks = {}
        for check in CHECKS:
            row = {}
            for lang in ("en", "ko", None):
                ok, n = self.rate(check, lang)
                row[lang or "all"] = {"passed": ok, "turns": n, "rate": round(ok / n, 3) if n else None}
            checks[check] = row
        return {
            "model": self.model,
            "turns": len(self.turns),
            "seconds": round(self.seconds, 1),
            "checks": checks,
            "routing_by_kind": {k: {"passed": a, "turns": b} for k, (a, b) in self.routing_by_kind().items()},
            "small_talk_timing": self.timings(),
            "failures": [
                {
                    "conversation": t.conversation,
                    "say": t.say,
                    "routed": t.routed_as,
                    "reply": t.reply,
                    "failed": [c for c, ok in t.checks.items() if not ok],
                }
                for t in self.turns
                if not all(t.checks.values())
            ],
        }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_conversations(make_companion: Any, scripts: list[Script] | None = None) -> ChatReport:
    """Run every script through a Companion from `make_companion(store)`; one store unless a script asks
    for a fresh one (a user she has never met)."""
    from samantha.store import Store

    scripts = scripts if scripts is not None else load_conversations()
    started = time.perf_counter()
    store = Store.open(None)
    companion = make_companion(
        store
    )  # a samantha.companion.Companion (not imported: it imports this package)
    scores: list[TurnScore] = []
    for script in scripts:
        if script.fresh_store:
            fresh = Store.open(None)
            runner = make_companion(fresh)
        else:
            runner = companion
        conversation = runner.new_conversation(script.id)
        for turn in script.turns:
            begun = time.perf_counter()
            first = None
            handle = runner.turn(conversation, turn.say)
            for _ in handle:
                if first is None:
                    first = time.perf_counter() - begun
            last = time.perf_counter() - begun
            result = handle.result
            assert result is not None
            checks = score_turn(turn, script.lang, result.route, result.answer, len(result.memories))
            scores.append(
                TurnScore(
                    script.id, turn.say, turn.kind, result.route, result.answer, checks, first or last, last
                )
            )
    return ChatReport(companion.model.name, scores, time.perf_counter() - started)


def format_chat_report(report: ChatReport) -> str:
    lines = [f"Conversation eval: {len(report.turns)} turns on {report.model} ({report.seconds:.0f} s)"]
    lines.append(f"  {'check':<14}{'en':>9}{'ko':>9}{'all':>9}")
    for check in CHECKS:
        cells = []
        for lang in ("en", "ko", None):
            ok, n = report.rate(check, lang)
            cells.append(f"{ok}/{n}" if n else "-")
        lines.append(f"  {check:<14}{cells[0]:>9}{cells[1]:>9}{cells[2]:>9}")
    lines.append(
        "  routing by kind: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in report.routing_by_kind().items())
    )
    timing = report.timings()
    if timing:
        lines.append(
            "  small talk: first token p50 {first_token_p50:.2f} s, p95 {first_token_p95:.2f} s; "
            "whole reply p50 {last_token_p50:.2f} s, p95 {last_token_p95:.2f} s".format(**timing)
        )
    for t in report.turns:
        failed = [c for c, ok in t.checks.items() if not ok]
        if failed:
            lines.append(
                f"  FAIL {','.join(failed)} [{t.conversation}] {t.say!r} -> ({t.routed_as}) {t.reply[:120]!r}"
            )
    return "\n".join(lines)
