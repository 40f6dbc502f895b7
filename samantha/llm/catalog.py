"""Every model Samantha can use now, and the short list of models worth downloading.

`samantha models` lists: the built-in model, GGUF files under `$SAMANTHA_HOME/models` (and a configured
`model_path`), the configured endpoint's models and those of local servers found on loopback, each as
`{"backend", "base_url", "model", "context_window", "source", "active"}`.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from samantha import locations
from samantha.config import Settings
from samantha.errors import ModelFileError
from samantha.llm.base import ChatModel

Source = Literal["configured", "detected", "built-in"]


@dataclass(frozen=True)
class Recommended:
    """A small instruct model that speaks Korean and English, as one GGUF file on the hub."""

    name: str
    repo: str
    filename: str
    size: str
    licence: str
    parameters: float
    """Billions of parameters."""
    note: str

    @property
    def ref(self) -> str:
        return f"{self.repo}/{self.filename}"


#: Chosen for Korean and English conversation on a CPU, smallest first; Q4_K_M quantisation throughout.
RECOMMENDED: tuple[Recommended, ...] = (
    Recommended(
        "qwen2.5-1.5b",
        "bartowski/Qwen2.5-1.5B-Instruct-GGUF",
        "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf",
        "1.0 GB",
        "Apache-2.0",
        1.5,
        "quick on a laptop CPU; fair Korean",
    ),
    Recommended(
        "exaone3.5-2.4b",
        "bartowski/EXAONE-3.5-2.4B-Instruct-GGUF",
        "EXAONE-3.5-2.4B-Instruct-Q4_K_M.gguf",
        "1.6 GB",
        "EXAONE AI Model License 1.1 (non-commercial)",
        2.4,
        "LG AI Research's bilingual model: the best Korean of the list",
    ),
    Recommended(
        "qwen2.5-3b",
        "bartowski/Qwen2.5-3B-Instruct-GGUF",
        "Qwen2.5-3B-Instruct-Q4_K_M.gguf",
        "1.9 GB",
        "Qwen Research License (non-commercial)",
        3.0,
        "better English and Korean, twice as slow as 1.5B",
    ),
)


def recommended(name: str) -> Recommended | None:
    wanted = name.strip().lower()
    return next((r for r in RECOMMENDED if r.name == wanted), None)


def models_dir() -> Path:
    """Where `samantha models pull` puts GGUF files."""
    return locations.home_dir() / "models"


def local_files() -> list[Path]:
    """Finished GGUF files under the models folder (partial downloads end in `.part`), by name."""
    folder = models_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.gguf") if p.is_file() and not p.name.startswith("."))


def find_local(name: str) -> Path | None:
    """A downloaded file by short name (`qwen2.5-1.5b`), file name or `REPO/FILE.gguf`."""
    choice = recommended(name)
    filename = choice.filename if choice else Path(name).name
    for path in local_files():
        if path.name == filename or path.stem == name:
            return path
    return None


@dataclass
class Listed:
    backend: str
    base_url: str | None
    model: str
    context_window: int | None
    source: Source
    active: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def available(settings: Settings, *, detect: bool = True) -> list[Listed]:
    """Every usable model now, the one a new conversation would use marked `active`."""
    from samantha.llm.embedded import DEFAULT_CONTEXT, bundled_model_path

    context = settings.context_window or DEFAULT_CONTEXT
    found: list[Listed] = []
    with contextlib.suppress(ModelFileError):  # the package is missing: the rest is still listed
        found.append(Listed("embedded", None, bundled_model_path().stem, context, "built-in"))
    for path in local_files():
        found.append(Listed("embedded", None, str(path), context, "built-in"))
    if settings.model_path is not None and not any(f.model == str(settings.model_path) for f in found):
        found.append(Listed("embedded", None, str(settings.model_path), context, "configured"))

    active: Listed | None = None
    if settings.uses_endpoint:
        active = _endpoint_models(settings, found)
    elif settings.model_path is not None:
        active = next(f for f in found if f.model == str(settings.model_path))
    if detect and settings.detect and settings.backend == "auto" and not settings.uses_endpoint:
        from samantha.llm.discovery import detect as probe

        for server in probe():
            for index, model in enumerate(server.info.models):
                entry = Listed(
                    server.kind,
                    server.base_url,
                    model.id,
                    settings.context_window or model.context_window,
                    "detected",
                )
                found.append(entry)
                if active is None and settings.model_path is None and index == 0:
                    active = entry
    if active is None and found and found[0].source == "built-in":
        active = found[0]
    if active is not None:
        active.active = True
    return found


def short_name(entry: Listed) -> str:
    """What a user types to pick `entry` (`/model NAME`): a model file's name without `.gguf`, else the
    model's own name."""
    return Path(entry.model).stem if entry.model.endswith(".gguf") else entry.model


def find(entries: list[Listed], name: str) -> Listed | None:
    """The entry `name` picks: its short name or full name, or "built-in" for the built-in model."""
    name = name.strip()
    for entry in entries:
        if name in (entry.model, short_name(entry), Path(entry.model).name):
            return entry
    if name == "built-in":
        return next((e for e in entries if e.source == "built-in"), None)
    return None


def model_for(entry: Listed, settings: Settings) -> ChatModel:
    """The model behind one entry of `available()`, for switching to it without a restart
    (`Companion.use_model`). A built-in file is loaded on its first reply, an endpoint asked on its first."""
    if entry.backend == "embedded":
        from samantha.llm.embedded import EmbeddedModel, bundled_model_path

        path = Path(entry.model) if Path(entry.model).suffix == ".gguf" else None
        if path is not None and path == bundled_model_path():
            path = None
        return EmbeddedModel(path, context_window=settings.context_window, threads=settings.threads)
    from samantha.llm.openai_backend import OpenAIModel

    chosen = settings.model_copy(
        update={"backend": "openai", "base_url": entry.base_url, "model": entry.model}
    )
    model = OpenAIModel(chosen)
    model.backend, model.source = entry.backend, entry.source
    return model


def _endpoint_models(settings: Settings, found: list[Listed]) -> Listed:
    """Add the configured endpoint's models to `found`; return the one in use."""
    from samantha.llm.openai_backend import DEFAULT_ENDPOINT_CONTEXT, OpenAIModel

    model = OpenAIModel(settings)
    info = model.info
    base_url = model.base_url
    chosen = settings.model or (info.models[0].id if info.models else None)
    active: Listed | None = None
    for listed in info.models:
        entry = Listed(
            info.kind if info.reachable else "openai",
            base_url,
            listed.id,
            settings.context_window or listed.context_window or DEFAULT_ENDPOINT_CONTEXT,
            "configured",
        )
        found.append(entry)
        if chosen is not None and info.model(chosen) is listed:
            active = entry
    if active is None:
        # Not listed (OpenAI itself, an unreachable server, or a name the server lacks): shown as set.
        active = Listed(
            "openai", base_url, chosen or "(first model at the endpoint)", model.context_window, "configured"
        )
        found.append(active)
    return active
