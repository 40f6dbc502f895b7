"""`make bench`: run every benchmark module there is, print one table, write JSON and a Markdown page.

    python -m samantha.bench [--quick] [--only model,memory] [--no-docs]

Modules: samantha.bench.{model,conversation,retrieval,memory,tui,cold}, each with `run(quick) -> list[Row]`.
Results go to
`bench-results/latest.json` and `docs/benchmarks.md` (the page the README links). Nothing touches the
user's data: SAMANTHA_HOME points at a temporary folder for the whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from samantha import locations
from samantha.bench import Row, cold, conversation, memory, model, probe, retrieval, row, tui

MODULES = {
    "model": model,
    "conversation": conversation,
    "retrieval": retrieval,
    "memory": memory,
    "tui": tui,
    "cold": cold,
    "probe": probe,
}
RESULTS = Path("bench-results") / "latest.json"
PAGE = Path("docs") / "benchmarks.md"


def _machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=locations.CHECKOUT_DIR,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
    }


def run_modules(names: list[str], quick: bool) -> tuple[list[Row], dict[str, float]]:
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for name in names:
        module = MODULES[name]
        print(f"[{name}] running{' (quick)' if quick else ''}...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            found = module.run(quick)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            found = [
                row(name, "benchmark failed", float("nan"), "", None, False, f"{type(exc).__name__}: {exc}")
            ]
        seconds[name] = round(time.perf_counter() - started, 1)
        rows.extend(found)
    return rows, seconds


def _value(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def _cells(r: Row) -> tuple[Any, ...]:
    """A row as the columns both the printed table and the Markdown page show."""
    return (
        r["area"],
        r["name"],
        _value(r["value"]),
        r["unit"],
        r["target"] or "",
        _verdict(r["ok"]),
        r["note"],
    )


def table(rows: list[Row]) -> str:
    header = ("area", "figure", "value", "unit", "target", "", "note")
    lines = [header] + [_cells(r) for r in rows]
    widths = [min(max(len(str(line[i])) for line in lines), 72) for i in range(len(header) - 1)]
    out = []
    for line in lines:
        cells = [str(c)[:72].ljust(w) for c, w in zip(line[:-1], widths, strict=True)]
        out.append("  ".join(cells) + "  " + str(line[-1]))
    return "\n".join(out)


def markdown(rows: list[Row], meta: dict[str, Any], quick: bool, seconds: dict[str, float]) -> str:
    def cell(text: Any) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Benchmarks",
        "",
        "The latest figures from `make bench` (written by `python -m samantha.bench`; do not edit by hand).",
        "",
        f"- Measured {meta['date']} at commit `{meta['commit'] or 'unknown'}`"
        + (" with `--quick` (fewer rounds: indicative only)" if quick else ""),
        f"- Machine: {meta['cpu']}, {meta['cores']} cores; Python {meta['python']}; {meta['platform']}",
        "- Time per module: " + ", ".join(f"{k} {v:g} s" for k, v in seconds.items()),
        "",
        "| area | figure | value | unit | target | | note |",
        "| --- | --- | ---: | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append("| " + " | ".join(cell(x) for x in _cells(r)) + " |")
    lines += growth(rows)
    lines += [
        "",
        "## How to reproduce",
        "",
        "```sh",
        "make bench                       # every benchmark; writes bench-results/latest.json and this page",
        ".venv/bin/python -m samantha.bench --quick          # a fast pass with fewer rounds",
        ".venv/bin/python -m samantha.bench --only model     # one area: model, retrieval, memory, tui, cold",
        ".venv/bin/python -m samantha.bench.model [--quick]  # a module on its own prints its rows",
        "```",
        "",
        "Nothing is downloaded and nothing touches your data: the run uses a temporary `SAMANTHA_HOME`.",
        "Run it on an idle machine: on 2 shared cores figures move by several percent between runs.",
        "",
        "## What is measured",
        "",
        "- **model**: the embedded SmolLM2-135M through a whole Samantha turn (message saved, context",
        "  assembled, reply streamed and saved) against raw `llama-cpp-python` on exactly the same messages,",
        "  temperature 0, alternating order; decode tokens/s ratio (median of paired ratios) and the p95",
        "  of the paired differences in time to first token. Start-up: wall time of `samantha --help` in",
        "  fresh processes.",
        "- **cold**: what a user waits for when each command is a fresh process (`search`, `ask --json` on a",
        "  film question, `ask` small talk to first and last token on the built-in model and on an endpoint,",
        "  the first `ask` in a fresh home, the app to its first frame and to its first reply), medians over",
        "  fresh processes with the load average, each beside what a user would otherwise run (`llm -m",
        "  SmolLM2` on the same weights, the bare `openai` SDK) and the ratio.",
        "- **retrieval**, **memory**, **tui**, **probe**: see each module's docstring in `samantha/bench/`.",
        "",
    ]
    return "\n".join(lines)


_AT_SIZE = re.compile(r"^(?P<figure>.+) @ (?P<size>[\d,]+) messages$")


def growth(rows: list[Row]) -> list[str]:
    """Figures measured at several database sizes, one line per figure, so the growth curve shows."""
    curves: dict[str, dict[int, Row]] = {}
    for r in rows:
        match = _AT_SIZE.match(str(r["name"]))
        if match:
            curves.setdefault(match["figure"], {})[int(match["size"].replace(",", ""))] = r
    sizes = sorted({size for curve in curves.values() for size in curve})
    if len(sizes) < 2:
        return []
    lines = [
        "",
        "## Growth with the number of stored messages",
        "",
        "| figure | " + " | ".join(f"{size:,}" for size in sizes) + " | unit |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " | --- |",
    ]
    for figure, curve in curves.items():
        unit = next(iter(curve.values()))["unit"]
        cells = [_value(curve[size]["value"]) if size in curve else "" for size in sizes]
        lines.append(f"| {figure} | " + " | ".join(cells) + f" | {unit} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samantha.bench", description="Samantha's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller data: a fast pass")
    parser.add_argument("--only", help="comma-separated areas to run: " + ",".join(MODULES))
    parser.add_argument("--no-docs", action="store_true", help=f"do not rewrite {PAGE}")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(MODULES)
    unknown = sorted(set(names) - set(MODULES))
    if unknown:
        parser.error(f"unknown area(s): {', '.join(unknown)}")

    # Never the user's data: every module runs against a temporary home.
    home = tempfile.mkdtemp(prefix="samantha-bench-home-")
    os.environ["SAMANTHA_HOME"] = home
    for name in ("SAMANTHA_BASE_URL", "SAMANTHA_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        os.environ.pop(name, None)

    meta = _machine()
    rows, seconds = run_modules(names, args.quick)
    print(table(rows))
    out_dir = locations.CHECKOUT_DIR if (locations.CHECKOUT_DIR / "pyproject.toml").is_file() else Path.cwd()
    results = out_dir / RESULTS
    results.parent.mkdir(parents=True, exist_ok=True)
    payload = {**meta, "quick": args.quick, "seconds": seconds, "rows": rows}
    results.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nWrote {results}", file=sys.stderr)
    if not args.no_docs:
        page = out_dir / PAGE
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(markdown(rows, meta, args.quick, seconds))
        print(f"Wrote {page}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
