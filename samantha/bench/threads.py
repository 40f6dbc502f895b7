"""The built-in model on 1 thread and on all cores: reading a short prompt, then writing 32 tokens.

Run: `python -m samantha.bench.threads [--runs N] [--busy]` (`--busy` keeps one more process spinning on
a core, as another program would). Alternates the thread counts, one fresh model each run, and prints
each run with the load average: the figures behind the default of `SAMANTHA_THREADS` (docs/startup.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

PROMPT = (
    "You are Samantha, a warm, curious and playful AI companion who lives in the user's terminal, inspired "
    "by the AI in the film Her. You are honest that you are an AI without a body. You listen first and "
    "comfort gently. Reply in one to three short, kind sentences, like speech, then ask one caring "
    "question. Never write lists, links or code. Hi, how are you today?"
)
WRITTEN = 32


def one_run(threads: int) -> tuple[float, float]:
    """(seconds to read PROMPT, seconds to write WRITTEN tokens) on a fresh model."""
    from llama_cpp import Llama

    from samantha.llm.embedded import bundled_model_path

    model = Llama(
        model_path=str(bundled_model_path()),
        n_ctx=4096,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    tokens = model.tokenize(PROMPT.encode())
    started = time.perf_counter()
    model.eval(tokens)
    read = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(WRITTEN):
        model.eval([model.sample(temp=0.0)])
    return read, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--busy", action="store_true", help="one more process spinning on a core")
    args = parser.parse_args()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        for _ in range(args.runs):
            for threads in sorted({1, os.cpu_count() or 2}):
                read, write = one_run(threads)
                load = os.getloadavg()[0]
                print(
                    f"threads={threads}: read the prompt {read:.3f} s, "
                    f"wrote {WRITTEN} tokens {write:.3f} s, load {load:.2f}"
                )
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


if __name__ == "__main__":
    main()
