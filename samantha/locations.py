"""Where Samantha keeps things: one module, one override (`SAMANTHA_HOME`) that tests point elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


def _running_from_checkout() -> bool:
    return (CHECKOUT_DIR / "pyproject.toml").is_file() and (CHECKOUT_DIR / "memory").is_dir()


def home_dir() -> Path:
    """The folder holding the database, exports and the corpus index.

    `SAMANTHA_HOME` wins; from a checkout it is `memory/`; otherwise the XDG data folder.
    """
    override = os.environ.get("SAMANTHA_HOME")
    if override:
        return Path(override).expanduser()
    if _running_from_checkout():
        return CHECKOUT_DIR / "memory"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "samantha"


def ensure_home() -> Path:
    path = home_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def database_path() -> Path:
    return home_dir() / "samantha.db"


def corpus_index_path() -> Path:
    return home_dir() / "corpus.db"


def cache_dir() -> Path:
    """Things worth keeping between runs that can be rebuilt at any time (the persona read by the model)."""
    return home_dir() / "cache"


def config_path() -> Path:
    """The optional TOML config: `SAMANTHA_CONFIG`, else `config.toml` in the home, else the XDG config."""
    override = os.environ.get("SAMANTHA_CONFIG")
    if override:
        return Path(override).expanduser()
    in_home = home_dir() / "config.toml"
    if in_home.exists() or os.environ.get("SAMANTHA_HOME"):
        return in_home
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(xdg) / "samantha" / "config.toml"


def prompts_dir() -> Path:
    """Persona and prompt templates: inside the package when installed as a wheel, else the checkout's."""
    packaged = PACKAGE_DIR / "prompts"
    return packaged if packaged.is_dir() else CHECKOUT_DIR / "prompts"


def corpus_dir() -> Path:
    """The five Korean reviews of *Her*, shipped as package data."""
    return PACKAGE_DIR / "corpus"
