"""Probe benchmark: what looking for a local server costs when none is running (the usual first run).

Run: `python -m samantha.bench.probe [--quick]` (or through `make bench`).

With nothing configured, every start that needs the model first probes loopback for Ollama, llama.cpp,
LM Studio and vLLM (`samantha.llm.discovery`). Measured here on four ports known to be closed (bound, then
released), so a server running on the machine does not change the figure: the import of the discovery
code in a fresh interpreter, and `detect()` itself, repeated. Target: <= 150 ms in all, at the worst run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

from samantha.bench import Row, row

AREA = "probe"
TARGET_MS = 150.0


def _closed_ports(count: int) -> list[int]:
    ports = []
    for _ in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
    return ports


def _import_ms() -> float:
    """Milliseconds a fresh interpreter spends importing the discovery code (its own -X importtime), after
    the settings and the model interface, which every start loads whether it probes or not."""
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import samantha.config, samantha.llm, samantha.llm.discovery",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "samantha.llm.discovery":
            return int(parts[1]) / 1000  # cumulative microseconds
    return float("nan")


def run(quick: bool) -> list[Row]:
    from samantha.llm.discovery import detect

    rounds = 20 if quick else 100
    known = tuple(zip(("ollama", "llama.cpp", "lm-studio", "vllm"), _closed_ports(4), strict=True))
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        found = detect(known)
        times.append((time.perf_counter() - started) * 1000)
        assert not found
    imported = _import_ms()
    worst = max(times) + (imported if imported == imported else 0.0)
    load = os.getloadavg()[0]
    note = f"{rounds} rounds; load average {load:.2f}"
    return [
        row(AREA, "detect() with nothing listening, median", statistics.median(times), "ms", note=note),
        row(AREA, "detect() with nothing listening, worst", max(times), "ms", note=note),
        row(AREA, "import of the discovery code, fresh process", imported, "ms", note=f"load {load:.2f}"),
        row(
            AREA,
            "probe cost when nothing listens (import + worst detect)",
            worst,
            "ms",
            f"<= {TARGET_MS:g} ms",
            worst <= TARGET_MS,
            note,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samantha.bench.probe")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for found in run(args.quick):
        print(f"{found['name']}: {found['value']:.2f} {found['unit']}  {found['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
