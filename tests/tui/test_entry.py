"""The app's entry points, and the rule that the core never imports Textual."""

from __future__ import annotations

import subprocess
import sys

from samantha.tui.app import SamanthaApp


def test_core_and_cli_never_import_textual():
    code = (
        "import sys, samantha.companion, samantha.runtime, samantha.cli, samantha.memories; "
        "import samantha.transfer; "
        "print('textual' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_run_app_builds_the_app_from_settings(monkeypatch):
    from samantha.tui import run_app

    started: list[SamanthaApp] = []
    monkeypatch.setattr(SamanthaApp, "run", lambda self, *a, **k: started.append(self))
    monkeypatch.setenv("SAMANTHA_UI__THEME", "nord")
    run_app(incognito=True)
    assert len(started) == 1
    assert started[0].incognito and started[0].settings.ui.theme == "nord"
    assert started[0].given_companion is None  # the core is built after the first frame


def test_the_cli_opens_the_app_on_a_terminal(monkeypatch):
    from samantha.cli import chat_cmds

    opened: list[bool] = []
    monkeypatch.setattr("samantha.tui.run_app", lambda *, incognito: opened.append(incognito))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    chat_cmds.start_chat(incognito=False, plain=False)
    assert opened == [False]
