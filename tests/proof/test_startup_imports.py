"""`samantha --help` starts fast (<= 0.3 s, measured by `make bench`) because the command line loads the
heavy parts only when a command runs. This guards that structure; the speed itself is benchmarked."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlite_utils", "pydantic_settings", "openai", "llama_cpp", "textual", "numpy", "kiwipiepy")


def test_cli_loads_no_heavy_module_at_start_up() -> None:
    code = "import sys, samantha.cli; print(','.join(sorted(m for m in sys.modules if '.' not in m)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    modules = set(loaded.strip().split(","))
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
