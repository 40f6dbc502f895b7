"""Conversation benchmark: small talk on the built-in model, as a user meets it.

Run: `python -m samantha.bench.conversation [--quick]` (or through `make bench`).

Each round is a whole Samantha turn (a `Companion` with the bundled SmolLM2-135M, a SQLite store, the
router, the compact persona and the shaping) for an English small-talk message; the first round is a
warm-up and is not counted. Figures: p95 of the time to the first piece the user sees and to the whole
reply (targets 0.5 s and 2.5 s on a 2-core machine), and the prompt tokens per turn for small talk,
memory and film questions (the small model's prompt is meant to stay well under 1,000 tokens).
"""

from __future__ import annotations

import os
import statistics
import time

from samantha.bench import Row, row, run_alone
from samantha.bench.model import percentile

AREA = "conversation"
FIRST_TOKEN_TARGET_S = 0.5
WHOLE_REPLY_TARGET_S = 2.5
PROMPT_TARGET_TOKENS = 1000
#: Small talk for timing (not the eval's conversations, and not the messages the sampling was tuned on).
MESSAGES = (
    "I just got home from work.",
    "It was a long day today.",
    "I'm thinking about learning to paint.",
    "My cat knocked over my coffee this morning.",
    "I can't decide what to cook for dinner.",
    "I walked by the sea this evening.",
    "I miss my grandmother.",
    "Tell me something nice.",
)


def run(quick: bool = False) -> list[Row]:
    from samantha.companion import Companion
    from samantha.config import load_settings
    from samantha.llm.embedded import EmbeddedModel
    from samantha.runtime import create_retriever
    from samantha.store import Store

    settings = load_settings()
    model = EmbeddedModel()
    store = Store.open(None)
    companion = Companion(settings, store, model, retriever=create_retriever())
    intro = companion.new_conversation()
    companion.turn(intro, "Hi, I'm Mina and I live in Busan.").run()
    rounds = 6 if quick else 3 * len(MESSAGES)
    first_times: list[float] = []
    whole_times: list[float] = []
    prompt_tokens: dict[str, list[int]] = {"chat": [], "memory": [], "film": []}
    conversation = companion.new_conversation()
    for n in range(rounds + 1):
        text = MESSAGES[n % len(MESSAGES)]
        started = time.perf_counter()
        first = None
        turn = companion.turn(conversation, text)
        for _ in turn:
            if first is None:
                first = time.perf_counter() - started
        whole = time.perf_counter() - started
        if n == 0:
            continue  # warm-up: the model loads
        first_times.append(first if first is not None else whole)
        whole_times.append(whole)
        if turn.context is not None:
            prompt_tokens["chat"].append(turn.context.used)
        if n % 4 == 0:
            conversation = companion.new_conversation()  # a long conversation is not what is measured
    for kind, question in (("memory", "What's my name?"), ("film", "Who directed Her?")):
        turn = companion.turn(companion.new_conversation(), question)
        turn.run()
        if turn.context is not None:
            prompt_tokens[kind].append(turn.context.used)
    load = os.getloadavg()[0]
    note = f"{len(whole_times)} turns after a warm-up; load average {load:.2f}"
    rows = [
        row(
            AREA,
            "small talk on the built-in model: first piece shown (p95)",
            round(percentile(first_times, 95), 3),
            "s",
            f"<= {FIRST_TOKEN_TARGET_S:g} s",
            percentile(first_times, 95) <= FIRST_TOKEN_TARGET_S,
            f"median {statistics.median(first_times):.3f} s; "
            "the first sentence is checked before it is shown; " + note,
        ),
        row(
            AREA,
            "small talk on the built-in model: whole reply (p95)",
            round(percentile(whole_times, 95), 3),
            "s",
            f"<= {WHOLE_REPLY_TARGET_S:g} s",
            percentile(whole_times, 95) <= WHOLE_REPLY_TARGET_S,
            f"median {statistics.median(whole_times):.3f} s; " + note,
        ),
    ]
    for kind, counted in prompt_tokens.items():
        if counted:
            biggest = max(counted)
            rows.append(
                row(
                    AREA,
                    f"prompt tokens per turn, {kind} (max)",
                    biggest,
                    "tokens",
                    f"< {PROMPT_TARGET_TOKENS}" if kind == "chat" else None,
                    biggest < PROMPT_TARGET_TOKENS if kind == "chat" else None,
                    f"median {statistics.median(counted):g} over {len(counted)} turns"
                    + (
                        "; a memory answer on the built-in model is composed, the prompt is only counted"
                        if kind == "memory"
                        else ""
                    )
                    + (
                        "; a film answer on the built-in model is quoted, the prompt is only counted"
                        if kind == "film"
                        else ""
                    ),
                )
            )
    return rows


if __name__ == "__main__":
    run_alone(run, __doc__)
