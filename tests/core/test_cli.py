"""The command line: version, help, and bad input as one sentence with a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from samantha import __version__


def run(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SAMANTHA_", "OPENAI_"))}
    environment.update({"SAMANTHA_HOME": str(home), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "samantha", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_version_and_help(samantha_home):
    assert run("--version", home=samantha_home).stdout.strip().endswith(__version__)
    helped = run("--help", home=samantha_home)
    assert helped.returncode == 0
    assert "ask" in helped.stdout and "SAMANTHA_BASE_URL" in helped.stdout


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("ask", "   "), {}, "The message is empty."),
        (("ask", "hi", "--conversation", "nope"), {}, "No conversation has the id nope."),
        (("ask", "hi"), {"SAMANTHA_TIMEOUT": "soon"}, "Setting 'timeout' is invalid"),
        (("ask", "hi"), {"SAMANTHA_MODEL_PATH": "/nonexistent/model.gguf"}, "does not exist"),
        (("ask", "hi"), {"SAMANTHA_MODEL_PATH": __file__}, "is not a GGUF model"),
    ],
)
def test_bad_input_is_one_sentence_and_a_non_zero_exit(samantha_home, args, env, expected):
    result = run(*args, home=samantha_home, env=env)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_core_never_imports_textual():
    code = (
        "import sys; import samantha.companion, samantha.runtime, samantha.cli, samantha.context;"
        "import samantha.store;"
        "import samantha.llm.embedded, samantha.llm.openai_backend, samantha.retrieval;"
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
