"""Build hook: the index of the built-in reviews is built here and shipped inside the package, so a new
home answers film questions at once (see `samantha/retrieval/shipped.py`). It is rebuilt only when the
reviews, the indexing code or the language libraries changed since the last build."""

from __future__ import annotations

import sys
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ShippedIndexHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        sys.path.insert(0, self.root)
        try:
            from samantha.retrieval import shipped

            path = shipped.shipped_path()
            built = shipped.ensure_built(path)
        finally:
            sys.path.remove(self.root)
        self.app.display_info(f"shipped index {path.name}: {'built' if built else 'already current'}")
        if version == "standard":
            # The file is not in git (it is built), so the wheel takes it explicitly.
            build_data["force_include"][str(path)] = f"samantha/corpus/{path.name}"
