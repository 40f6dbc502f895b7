"""Model benchmark: the embedded model through Samantha vs raw llama-cpp-python, and start-up time.

Run: `python -m samantha.bench.model [--quick]` (or through `make bench`).

In one run, on the same prompt: each round runs one whole Samantha turn (a `Companion` with the embedded
model and a SQLite store: the user's message saved, context assembled, the reply streamed, flushed and
saved), then feeds exactly the messages Samantha sent to a second, raw `llama_cpp.Llama` of the same file
and settings. Temperature 0, so both generate the same tokens. Figures: the decode speed ratio (median of
the paired ratios of Samantha's tokens/s over raw tokens/s, target >= 0.95) and Samantha's extra time to
first token (p95 of the paired differences, target <= 30 ms). Film retrieval is left out here (its
latency is the retrieval benchmark's). The order alternates between rounds, so warm-up and cache effects
fall on both alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from samantha.bench import Row, row, run_alone

AREA = "model"
RATIO_TARGET = 0.95
EXTRA_TTFT_TARGET_MS = 30.0
HELP_TARGET_S = 0.3
STOP_TARGET_MS = 300.0
QUESTION = "Tell me a short story about a letter writer who falls in love with a voice."


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _time_stream(pieces: Any, started: float) -> tuple[float, float, int]:
    """(time to first piece, decode tokens/s after the first piece, pieces) for an iterator of pieces."""
    first = end = 0.0
    count = 0
    for _ in pieces:
        end = time.perf_counter()
        if count == 0:
            first = end
        count += 1
    if count == 0:
        return float("nan"), float("nan"), 0
    rate = (count - 1) / (end - first) if count > 1 and end > first else float("nan")
    return first - started, rate, count


def compare_embedded(rounds: int, max_tokens: int) -> dict[str, Any]:
    from llama_cpp import Llama

    from samantha.companion import Companion
    from samantha.config import load_settings
    from samantha.llm.embedded import REPEAT_PENALTY, TOP_P, EmbeddedModel
    from samantha.store import Store

    settings = load_settings(temperature=0.0, max_reply_tokens=max_tokens)
    model = EmbeddedModel(
        settings.model_path, context_window=settings.context_window, threads=settings.threads
    )
    raw = Llama(
        model_path=str(model.path), n_ctx=model.context_window, n_threads=model.threads, verbose=False
    )
    model.llama  # load before timing  # noqa: B018
    with tempfile.TemporaryDirectory(prefix="samantha-bench-") as folder:
        samantha_ttft, raw_ttft, samantha_rate, raw_rate, tokens = [], [], [], [], []
        opened: list[Store] = []

        def through_samantha() -> tuple[float, float, int, list[Any]]:
            # A fresh database per round, so recall brings back nothing and the prompt stays the same.
            store = Store.open(Path(folder) / f"round{len(opened)}.db")
            opened.append(store)
            companion = Companion(settings, store, model)
            conversation = companion.new_conversation()
            started = time.perf_counter()
            turn = companion.turn(conversation, QUESTION)
            ttft, rate, count = _time_stream(turn, started)
            assert turn.context is not None
            return ttft, rate, count, turn.context.messages

        def through_raw(messages: list[Any]) -> tuple[float, float, int]:
            started = time.perf_counter()
            chunks: Any = raw.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.0,
                stream=True,
                repeat_penalty=REPEAT_PENALTY,
                top_p=TOP_P,
            )
            pieces = (c for c in chunks if c["choices"][0]["delta"].get("content"))
            return _time_stream(pieces, started)

        # Warm-up: both instances see the prompt once, so llama.cpp's prompt cache helps both alike.
        _, _, _, messages = through_samantha()
        through_raw(messages)
        for n in range(rounds):
            if n % 2 == 0:
                s_ttft, s_rate, s_count, same = through_samantha()
                r_ttft, r_rate, r_count = through_raw(messages)
            else:
                r_ttft, r_rate, r_count = through_raw(messages)
                s_ttft, s_rate, s_count, same = through_samantha()
            if same != messages:
                raise RuntimeError(
                    "Samantha's prompt changed between rounds; the comparison would be unfair."
                )
            samantha_ttft.append(s_ttft)
            raw_ttft.append(r_ttft)
            samantha_rate.append(s_rate)
            raw_rate.append(r_rate)
            tokens.append((s_count, r_count))
        for store in opened:
            store.close()
    extra = [(s - r) * 1000 for s, r in zip(samantha_ttft, raw_ttft, strict=True)]
    return {
        # The median of paired ratios: each pair ran back to back, so load from elsewhere hits both alike.
        "ratio": statistics.median(s / r for s, r in zip(samantha_rate, raw_rate, strict=True)),
        "samantha_rate": statistics.median(samantha_rate),
        "raw_rate": statistics.median(raw_rate),
        "extra_ttft_p95": percentile(extra, 95),
        "extra_ttft_median": statistics.median(extra),
        "raw_ttft_median": statistics.median(raw_ttft) * 1000,
        "tokens": tokens,
        "rounds": rounds,
    }


def help_startup(runs: int) -> list[float]:
    """Wall time of `samantha --help` in a fresh process, `runs` times after one warm-up."""
    script = Path(sys.executable).parent / "samantha"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "samantha"]
    times = []
    for n in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True, stdin=subprocess.DEVNULL)
        if n:
            times.append(time.perf_counter() - started)
    return times


def stop_latency(rounds: int) -> list[float]:
    """Milliseconds from a stop (`Turn.cancel()` from another thread, as the app's Esc does) to the end of
    the turn (the reply saved as interrupted), on the embedded model. The stops fall at spread-out
    moments: while the prompt is read (no token yet) and while tokens stream."""
    import threading

    from samantha.companion import Companion
    from samantha.config import load_settings
    from samantha.llm.embedded import EmbeddedModel
    from samantha.store import Store

    settings = load_settings()
    model = EmbeddedModel()
    model.count_tokens("warm up")  # loads the model before the first round
    latencies = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "stop.db")
        companion = Companion(settings, store, model)
        for n in range(rounds):
            conversation = companion.new_conversation("stop")
            turn = companion.turn(conversation, f"{QUESTION} (round {n})")
            worker = threading.Thread(target=turn.run, daemon=True)
            worker.start()
            time.sleep(0.05 + (n % 6) * 0.25)  # 0.05 to 1.3 s in: reading the prompt, then streaming
            stopped = time.perf_counter()
            turn.cancel()
            worker.join(30)
            latencies.append((time.perf_counter() - stopped) * 1000)
        store.close()
    return latencies


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    rounds, max_tokens = (4, 48) if quick else (12, 128)
    found = compare_embedded(rounds, max_tokens)
    same = all(s == r for s, r in found["tokens"])
    note = f"{rounds} paired rounds, {max_tokens} tokens max, temperature 0"
    note += "" if same else "; token counts differed between the two"
    rows.append(
        row(
            AREA,
            "embedded tokens/s, Samantha ÷ raw llama-cpp-python",
            round(found["ratio"], 3),
            "ratio",
            f">= {RATIO_TARGET}",
            found["ratio"] >= RATIO_TARGET,
            f"median of paired ratios; {found['samantha_rate']:.1f} vs {found['raw_rate']:.1f} tokens/s; "
            + note,
        )
    )
    rows.append(
        row(
            AREA,
            "extra time to first token through Samantha (p95)",
            round(found["extra_ttft_p95"], 1),
            "ms",
            f"<= {EXTRA_TTFT_TARGET_MS:g} ms",
            found["extra_ttft_p95"] <= EXTRA_TTFT_TARGET_MS,
            f"median {found['extra_ttft_median']:.1f} ms over raw's {found['raw_ttft_median']:.0f} ms; "
            "includes saving the message, context assembly and the pending reply; no film retrieval",
        )
    )
    stops = stop_latency(6 if quick else 24)
    stop_p95 = percentile(stops, 95)
    rows.append(
        row(
            AREA,
            "stop a built-in model reply (p95)",
            round(stop_p95, 1),
            "ms",
            f"<= {STOP_TARGET_MS:g} ms",
            stop_p95 <= STOP_TARGET_MS,
            f"median {statistics.median(stops):.1f} ms over {len(stops)} stops, from 0.05 to 1.3 s into a "
            "turn (while the prompt is read and while tokens stream); Turn.cancel() from another thread",
        )
    )
    times = help_startup(5 if quick else 15)
    median = statistics.median(times)
    rows.append(
        row(
            AREA,
            "start-up of `samantha --help` (median)",
            round(median, 3),
            "s",
            f"<= {HELP_TARGET_S:g} s",
            median <= HELP_TARGET_S,
            f"p95 {percentile(times, 95):.3f} s over {len(times)} fresh processes",
        )
    )
    return rows


if __name__ == "__main__":
    run_alone(run, __doc__)
