"""`samantha models pull` and `use`: the real hub client (`huggingface_hub`) against a hub of the tests'
own on 127.0.0.1 (tests/support/hub_server.py) serving the bundled GGUF; never the internet."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest
from support.fixtures import run_samantha
from support.hub_server import HubTestServer
from support.openai_server import OpenAITestServer, closed_port

from samantha.llm.catalog import RECOMMENDED, models_dir
from samantha.llm.embedded import bundled_model_path

SHORT = RECOMMENDED[0]
HUB_PATH = f"{SHORT.repo}/{SHORT.filename}"


@lru_cache(maxsize=1)
def gguf_bytes() -> bytes:
    return bundled_model_path().read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def hub() -> Iterator[HubTestServer]:
    with HubTestServer({HUB_PATH: gguf_bytes()}) as server:
        yield server


def pull(hub_url: str, name: str = SHORT.name, *extra: str) -> tuple[int, str, str]:
    # The hub client draws its bar on a terminal only; TQDM_POSITION=-1 is its own switch to draw it anyway.
    env = {"SAMANTHA_HUB_URL": hub_url, "TQDM_POSITION": "-1"}
    ran = run_samantha("models", "pull", name, *extra, env=env, timeout=180)
    return ran.code, ran.stdout, ran.stderr


def one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_pull_shows_progress_and_saves_the_checked_file(hub: HubTestServer, samantha_home: Path) -> None:
    code, out, err = pull(hub.url)
    assert code == 0, err
    saved = samantha_home / "models" / SHORT.filename
    assert saved.is_file() and sha(saved.read_bytes()) == sha(gguf_bytes())
    assert str(saved) in out
    assert SHORT.licence in err and SHORT.size in err  # what the user is about to download
    assert "100%" in err and SHORT.filename[:20] in err  # the hub client's progress bar
    assert not list((samantha_home / "models").glob("*.part"))
    # Already there: a second pull downloads nothing.
    before = len(hub.downloads)
    assert pull(hub.url)[0] == 0
    assert len(hub.downloads) == before


def test_an_interrupted_download_resumes_from_the_part_file(hub: HubTestServer, samantha_home: Path) -> None:
    data = gguf_bytes()
    part = samantha_home / "models" / (SHORT.filename + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(data[: len(data) // 3])  # what a killed earlier pull left
    code, _, err = pull(hub.url, SHORT.name, "--no-progress")
    assert code == 0, err
    assert [r.range for r in hub.downloads] == [f"bytes={len(data) // 3}-"]
    assert sha((samantha_home / "models" / SHORT.filename).read_bytes()) == sha(data)
    assert not part.exists()


def test_a_connection_dropped_mid_download_is_resumed_by_the_hub_client(samantha_home: Path) -> None:
    data = gguf_bytes()
    # The hub client writes in 10 MB blocks: drop well after the first one, so some of it is kept.
    with HubTestServer({HUB_PATH: data}, drop_after=min(len(data) - 1, 25 * 1024 * 1024)) as hub:
        code, _, err = pull(hub.url, SHORT.name, "--no-progress")
        ranges = [r.range for r in hub.downloads]
    assert code == 0, err
    assert ranges[0] is None and len(ranges) == 2 and ranges[1] and ranges[1].startswith("bytes=")
    assert sha((samantha_home / "models" / SHORT.filename).read_bytes()) == sha(data)


def test_a_corrupted_download_is_refused_and_deleted(samantha_home: Path) -> None:
    with HubTestServer({HUB_PATH: gguf_bytes()}, corrupt=True) as hub:
        code, _, err = pull(hub.url, SHORT.name, "--no-progress")
    assert code == 1
    assert "does not match the hub's checksum" in one_sentence(err)
    assert not any((samantha_home / "models").iterdir())


def test_offline_is_one_sentence(samantha_home: Path) -> None:
    hub_url = f"http://127.0.0.1:{closed_port()}"
    code, _, err = pull(hub_url, SHORT.name)
    assert code == 1
    assert (
        one_sentence(err)
        == f"Error: The model hub at {hub_url} cannot be reached; check the network connection."
    )


def test_names_the_hub_does_not_have_are_one_sentence(hub: HubTestServer) -> None:
    code, _, err = pull(hub.url, f"{SHORT.repo}/missing.gguf")
    assert code == 1 and "has no file missing.gguf" in one_sentence(err)
    code, _, err = pull(hub.url, "nobody/nothing/x.gguf")
    assert code == 1 and "has no repository nobody/nothing" in one_sentence(err)
    code, _, err = pull(hub.url, "a-model-nobody-recommended")
    assert code == 2 and "neither a recommended model" in one_sentence(err)


def test_use_writes_the_config_atomically_keeping_comments(hub: HubTestServer, samantha_home: Path) -> None:
    assert pull(hub.url)[0] == 0
    config = samantha_home / "config.toml"
    config.write_text('# my settings\ntemperature = 0.5  # warmer\nbackend = "openai"\n')
    ran = run_samantha("models", "use", SHORT.name, timeout=180)
    assert ran.code == 0, ran.stderr
    text = config.read_text()
    assert "# my settings" in text and "# warmer" in text
    settings = tomllib.loads(text)
    assert settings["backend"] == "embedded"
    assert settings["model_path"] == str(models_dir_in(samantha_home) / SHORT.filename)
    assert not [p for p in samantha_home.iterdir() if p.name.startswith(".config.toml")]  # no temp left
    listed = run_samantha("models", "--json", timeout=180)
    active = [e for e in json.loads(listed.stdout) if e["active"]]
    assert [e["model"] for e in active] == [settings["model_path"]]
    # And back to the built-in model: no path kept.
    assert run_samantha("models", "use", "built-in", timeout=180).code == 0
    settings = tomllib.loads(config.read_text())
    assert settings["backend"] == "embedded" and "model_path" not in settings


def models_dir_in(home: Path) -> Path:
    return home / "models"


def test_use_an_endpoints_model_writes_the_endpoint(samantha_home: Path) -> None:
    with OpenAITestServer(models=["alpha", "beta"]) as server:
        ran = run_samantha("models", "use", "beta", env={"SAMANTHA_BASE_URL": server.url}, timeout=180)
    assert ran.code == 0, ran.stderr
    settings = tomllib.loads((samantha_home / "config.toml").read_text())
    assert settings == {"backend": "openai", "base_url": server.url, "model": "beta"}
    assert "SAMANTHA_BASE_URL is set in the environment" in ran.stderr


def test_use_an_unknown_or_missing_model_is_one_sentence() -> None:
    ran = run_samantha("models", "use", "nothing-like-it", timeout=180)
    assert ran.code == 2 and "No model called 'nothing-like-it'" in one_sentence(ran.stderr)
    ran = run_samantha("models", "use", SHORT.name, timeout=180)
    assert ran.code == 2 and f"`samantha models pull {SHORT.name}` first" in one_sentence(ran.stderr)


def test_models_dir_is_under_the_home(samantha_home: Path) -> None:
    assert models_dir() == samantha_home / "models"


@pytest.mark.slow
def test_a_chat_turn_on_the_pulled_file(hub: HubTestServer, samantha_home: Path) -> None:
    assert pull(hub.url, SHORT.name, "--no-progress")[0] == 0
    assert run_samantha("models", "use", SHORT.name, timeout=180).code == 0
    ran = run_samantha(
        "ask", "--json", "Say hello in five words.", env={"SAMANTHA_MAX_REPLY_TOKENS": "24"}, timeout=300
    )
    assert ran.code == 0, ran.stderr
    payload = json.loads(ran.stdout)
    assert payload["model"] == f"{Path(SHORT.filename).stem} (embedded)"
    assert payload["backend"] == "embedded" and payload["answer"].strip()
