"""Benchmarks (`make bench`). Each module here exposes `run(quick: bool) -> list[Row]`.

A row is a dict: {"area", "name", "value", "unit", "target" (str or None), "ok" (bool or None), "note"}.
"""

from __future__ import annotations

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
