"""Recall by meaning, measured: is the right fact among the first three memories recall picks?

    python -m samantha.bench.recall_eval [--set heldout|dev] [--words-only] [--misses]

The facts (`data/memory_facts.jsonl`, English and Korean) are stored as memories; each question
(`data/memory_questions_{dev,heldout}.jsonl`) is a paraphrase naming its fact. The held-out set was
written before recall by meaning was tuned, and only ever measured; tuning used the dev set.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from samantha.bench import Row, row
from samantha.recall import Recall
from samantha.store import Store

DATA = Path(__file__).parent / "data"
SETS = ("dev", "heldout")
TOP = 3
TARGET = 0.9


def _read(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Outcome:
    question: str
    fact: str
    lang: str
    top: list[str]

    @property
    def hit(self) -> bool:
        return self.fact in self.top[:TOP]


def evaluate(question_set: str = "heldout", *, by_meaning: bool = True) -> list[Outcome]:
    """Each question of the set, with the facts recall put first."""
    store = Store.open(None)
    ids: dict[str, str] = {}
    for fact in _read("memory_facts.jsonl"):
        ids[store.add_memory(fact["text"], kind="fact", source="manual").id] = fact["id"]
    recall = Recall(store, by_meaning=by_meaning)
    outcomes = []
    for item in _read(f"memory_questions_{question_set}.jsonl"):
        picked = recall.memories_for(item["question"])
        outcomes.append(Outcome(item["question"], item["fact"], item["lang"], [ids[m.id] for m in picked]))
    store.close()
    return outcomes


def share(outcomes: list[Outcome], lang: str | None = None) -> float:
    chosen = [o for o in outcomes if lang is None or o.lang == lang]
    return sum(o.hit for o in chosen) / len(chosen) if chosen else 0.0


def run(quick: bool) -> list[Row]:
    rows = []
    for by_meaning in (True, False):
        outcomes = evaluate("heldout", by_meaning=by_meaning)
        how = "meaning + words" if by_meaning else "words only"
        note = f"{len(outcomes)} questions; en {share(outcomes, 'en'):.2f}, ko {share(outcomes, 'ko'):.2f}"
        value = share(outcomes)
        target = f">= {TARGET}" if by_meaning else None
        ok = value >= TARGET if by_meaning else None
        rows.append(
            row("memory", f"recall: right fact in top {TOP} ({how}), held-out", value, "", target, ok, note)
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", choices=SETS, default="heldout")
    parser.add_argument("--words-only", action="store_true", help="recall by shared words alone")
    parser.add_argument("--misses", action="store_true", help="list the questions whose fact was missed")
    args = parser.parse_args()
    outcomes = evaluate(args.set, by_meaning=not args.words_only)
    for lang in ("en", "ko", None):
        chosen = [o for o in outcomes if lang is None or o.lang == lang]
        print(f"{lang or 'all':<4} {share(outcomes, lang):.3f} ({sum(o.hit for o in chosen)}/{len(chosen)})")
    if args.misses:
        for outcome in outcomes:
            if not outcome.hit:
                print(f"  miss: {outcome.question} -> wanted {outcome.fact}, got {outcome.top[:TOP]}")


if __name__ == "__main__":
    main()
