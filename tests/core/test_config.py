"""Settings from env vars, the TOML file and the SDK's own variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.config import load_settings
from samantha.errors import ConfigError


def test_defaults_use_the_embedded_model(settings):
    assert settings.uses_endpoint is False
    assert settings.timeout == 30


def test_env_vars_configure_an_endpoint(monkeypatch):
    monkeypatch.setenv("SAMANTHA_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("SAMANTHA_MODEL", "llama3.1")
    monkeypatch.setenv("SAMANTHA_TIMEOUT", "5")
    settings = load_settings()
    assert settings.uses_endpoint
    assert (settings.base_url, settings.model, settings.timeout) == (
        "http://127.0.0.1:11434/v1",
        "llama3.1",
        5,
    )


def test_openai_variables_are_honoured_but_samantha_wins(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai.invalid/v1")
    settings = load_settings()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-openai"
    assert settings.base_url == "http://openai.invalid/v1"
    monkeypatch.setenv("SAMANTHA_API_KEY", "sk-samantha")
    assert load_settings().api_key.get_secret_value() == "sk-samantha"  # type: ignore[union-attr]


def test_the_key_never_shows_in_repr(monkeypatch):
    monkeypatch.setenv("SAMANTHA_API_KEY", "sk-very-secret")
    settings = load_settings()
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in settings.model_dump_json()


def test_toml_file_in_home(samantha_home: Path):
    samantha_home.mkdir(parents=True)
    (samantha_home / "config.toml").write_text(
        'model = "qwen2.5"\ntimeout = 12\n[ui]\ntheme = "nord"\n[ui.keymap]\nstop = "ctrl+c"\n',
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.model == "qwen2.5" and settings.timeout == 12
    assert settings.ui.theme == "nord" and settings.ui.keymap == {"stop": "ctrl+c"}


def test_env_beats_toml(samantha_home: Path, monkeypatch):
    samantha_home.mkdir(parents=True)
    (samantha_home / "config.toml").write_text('model = "from-file"\n', encoding="utf-8")
    monkeypatch.setenv("SAMANTHA_MODEL", "from-env")
    assert load_settings().model == "from-env"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("model = ", "not valid TOML"),
        ("timeout = -3\n", "'timeout' is invalid"),
        ("no_such_setting = 1\n", "'no_such_setting' is invalid"),
        (b"\xff\xfe model", "not UTF-8"),
    ],
)
def test_bad_config_file_is_one_sentence(samantha_home: Path, content, expected):
    samantha_home.mkdir(parents=True)
    path = samantha_home / "config.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_bad_env_value(monkeypatch):
    monkeypatch.setenv("SAMANTHA_BACKEND", "telepathy")
    with pytest.raises(ConfigError, match="backend"):
        load_settings()
