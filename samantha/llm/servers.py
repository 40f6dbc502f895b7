"""Asking an OpenAI-compatible server what it has: its models, each one's context size, and what it is.

Each local server says it in its own way, so each is asked in its own words:
- every one: `GET /v1/models` (vLLM adds `max_model_len`; llama.cpp adds `meta.n_params`);
- llama.cpp server: `GET /props` (`default_generation_settings.n_ctx`, the context of one slot);
- Ollama: `GET /api/version`, then `POST /api/show` per model (`num_ctx` if the model sets it, else the
  server's default, since Ollama silently cuts longer prompts to it);
- LM Studio: `GET /api/v0/models` (`loaded_context_length`, else `max_context_length`).

Nothing here raises: a server that cannot be asked gives an empty `ServerInfo`, and the chat request
that follows reports the real problem in one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: Ollama answers with this many tokens of context unless a model or the server sets `num_ctx`.
OLLAMA_DEFAULT_CONTEXT = 4096
#: Models listed by Ollama that are asked for their details; a long list is not worth a request each.
MAX_MODELS_DESCRIBED = 20


@dataclass
class ServerModel:
    id: str
    context_window: int | None = None
    """Tokens of prompt and reply together, as the server will actually run the model; None if unknown."""
    parameters: float | None = None
    """Billions of parameters, when the server tells (Ollama, llama.cpp)."""


@dataclass
class ServerInfo:
    base_url: str
    kind: str = "openai-compatible"
    """`ollama`, `llama.cpp`, `lm-studio`, `vllm`, or `openai-compatible` when it does not say."""
    models: list[ServerModel] = field(default_factory=list)
    reachable: bool = False
    """Whether `/v1/models` answered with a model list (even an empty one)."""

    def model(self, name: str) -> ServerModel | None:
        """The listed model called `name` (Ollama's `name` means `name:latest`)."""
        for candidate in self.models:
            if candidate.id == name or candidate.id == f"{name}:latest":
                return candidate
        return None

    @property
    def names(self) -> list[str]:
        return [m.id for m in self.models]


def server_root(base_url: str) -> str:
    """`http://host:port` (plus any path prefix) without the trailing `/v1`, where native APIs live."""
    parts = urlsplit(base_url.rstrip("/"))
    path = parts.path[:-3] if parts.path.endswith("/v1") else parts.path
    return urlunsplit(parts._replace(path=path, query="", fragment="")).rstrip("/")


def describe_server(
    base_url: str, *, api_key: str | None = None, timeout: float = 3.0, kind_hint: str | None = None
) -> ServerInfo:
    """What the server at `base_url` (an OpenAI-style base URL ending in `/v1`) has, asked within `timeout`
    seconds per request. `kind_hint` (from the port it was found on) is checked, never trusted."""
    info = ServerInfo(base_url=base_url)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        http = http_module()
        client = http.Client(timeout=timeout, headers=headers, follow_redirects=False)
    except Exception:
        return info
    with client:

        def get_json(url: str, method: str = "GET", body: Any = None) -> Any:
            try:
                response = client.request(method, url, json=body)
                if response.status_code != 200:
                    return None
                return response.json()
            except Exception:  # refused, timed out, not JSON: this server does not speak that dialect
                return None

        listed = get_json(base_url.rstrip("/") + "/models")
        if not isinstance(listed, dict) or not isinstance(listed.get("data"), list):
            return info
        info.reachable = True
        entries = [e for e in listed["data"] if isinstance(e, dict) and isinstance(e.get("id"), str)]
        info.models = [_from_listing(entry) for entry in entries]
        root = server_root(base_url)
        if any(entry.get("max_model_len") for entry in entries):
            info.kind = "vllm"
            return info
        for kind in _dialect_order(kind_hint):
            if _ASK[kind](info, root, get_json):
                info.kind = kind
                break
    return info


def _from_listing(entry: dict[str, Any]) -> ServerModel:
    model = ServerModel(id=entry["id"])
    if isinstance(entry.get("max_model_len"), int):
        model.context_window = entry["max_model_len"]
    meta = entry.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("n_params"), int | float):
        model.parameters = meta["n_params"] / 1e9
    if model.parameters is None:
        model.parameters = parameters_from_name(model.id)
    return model


def _dialect_order(kind_hint: str | None) -> list[str]:
    order = ["llama.cpp", "ollama", "lm-studio"]
    if kind_hint in order:
        order.remove(kind_hint)
        order.insert(0, kind_hint)
    return order


def _ask_llama_cpp(info: ServerInfo, root: str, get_json: Any) -> bool:
    props = get_json(root + "/props")
    if not isinstance(props, dict) or "default_generation_settings" not in props:
        return False
    settings = props.get("default_generation_settings") or {}
    n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
    if isinstance(n_ctx, int) and n_ctx > 0:
        for model in info.models:  # the server runs one model; every listed name is that model
            model.context_window = n_ctx
    return True


def _ask_ollama(info: ServerInfo, root: str, get_json: Any) -> bool:
    version = get_json(root + "/api/version")
    if not isinstance(version, dict) or "version" not in version:
        return False
    for model in info.models[:MAX_MODELS_DESCRIBED]:
        shown = get_json(root + "/api/show", "POST", {"model": model.id})
        if not isinstance(shown, dict):
            continue
        model.context_window = _ollama_context(shown)
        size = (shown.get("details") or {}).get("parameter_size")
        model.parameters = parameters_from_name(str(size or "")) or model.parameters
    return True


def _ollama_context(shown: dict[str, Any]) -> int:
    """The context Ollama will run the model with: its `num_ctx` parameter, else the server default
    (never more than the model was trained for)."""
    found = re.search(r"^\s*num_ctx\s+(\d+)", str(shown.get("parameters") or ""), re.MULTILINE)
    if found:
        return int(found.group(1))
    trained = [
        value
        for key, value in (shown.get("model_info") or {}).items()
        if key.endswith(".context_length") and isinstance(value, int)
    ]
    return min([OLLAMA_DEFAULT_CONTEXT, *trained])


def _ask_lm_studio(info: ServerInfo, root: str, get_json: Any) -> bool:
    listed = get_json(root + "/api/v0/models")
    if not isinstance(listed, dict) or not isinstance(listed.get("data"), list):
        return False
    by_id = {e.get("id"): e for e in listed["data"] if isinstance(e, dict)}
    for model in info.models:
        entry = by_id.get(model.id) or {}
        context = entry.get("loaded_context_length") or entry.get("max_context_length")
        if isinstance(context, int) and context > 0:
            model.context_window = context
    return True


def http_module() -> Any:
    """The HTTP library the `openai` SDK brings: `httpx2` (openai >= 3) or the older `httpx`."""
    try:
        import httpx2

        return httpx2
    except ImportError:
        import httpx

        return httpx


_ASK = {"llama.cpp": _ask_llama_cpp, "ollama": _ask_ollama, "lm-studio": _ask_lm_studio}

_SIZE = re.compile(r"(?<![0-9.])(\d+(?:\.\d+)?)\s*([bBmM])(?![a-zA-Z])")


def parameters_from_name(name: str) -> float | None:
    """Billions of parameters read from a model's name: `qwen2.5:0.5b`, `Qwen2.5-1.5B-Instruct`,
    `SmolLM2-135M-Instruct`, `3.2B`; None when the name does not say."""
    found = _SIZE.findall(name)
    if not found:
        return None
    number, unit = found[-1]
    value = float(number)
    return value / 1000 if unit in "mM" else value
