"""Benchmarks (`make bench`). Each module here exposes `run(quick: bool) -> list[Row]`.

A row is a dict: {"area", "name", "value", "unit", "target" (str or None), "ok" (bool or None), "note"}.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]


def row(
    area: str,
    name: str,
    value: float,
    unit: str,
    target: str | None = None,
    ok: bool | None = None,
    note: str = "",
) -> Row:
    return {
        "area": area,
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "ok": ok,
        "note": note,
    }


def run_alone(run: Callable[[bool], list[Row]], description: str | None) -> None:
    """`python -m samantha.bench.<area> [--quick]`: one area's rows printed, in a temporary home (a
    bench never writes into the user's own)."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0] if description else None)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    quick = parser.parse_args().quick
    os.environ["SAMANTHA_HOME"] = tempfile.mkdtemp(prefix="samantha-bench-home-")
    for result in run(quick):
        print(result)
