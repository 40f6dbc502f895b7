"""`samantha models`: list every model she can use, `pull` a recommended one, `use` one by default."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from samantha.errors import UsageError
from samantha.textsafe import terminal_safe

if TYPE_CHECKING:
    from samantha.config import Settings
    from samantha.llm.catalog import Listed

BUILT_IN_NAMES = ("built-in", "builtin", "embedded")
#: Environment variables that win over the config file `use` writes.
OVERRIDING = (
    "SAMANTHA_BACKEND",
    "SAMANTHA_BASE_URL",
    "SAMANTHA_MODEL",
    "SAMANTHA_MODEL_PATH",
    "OPENAI_BASE_URL",
)


@click.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array of models instead of a table.")
@click.pass_context
def models(ctx: click.Context, as_json: bool) -> None:
    """The models she can use; pull one, use one.

    Lists every model Samantha can use now: built-in, downloaded, configured, and found running on
    this machine. `samantha models pull NAME` downloads a recommended model; `samantha models use NAME`
    makes a listed model the default.
    """
    if ctx.invoked_subcommand is not None:
        return
    from samantha.config import load_settings
    from samantha.llm.catalog import RECOMMENDED, available, local_files

    entries = available(load_settings())
    if as_json:
        click.echo(json.dumps([e.as_dict() for e in entries], ensure_ascii=False))
        return
    _print_table(entries)
    downloaded = {p.name for p in local_files()}
    click.echo("\nRecommended (Korean and English) - samantha models pull NAME:")
    for choice in RECOMMENDED:
        mark = " (downloaded)" if choice.filename in downloaded else ""
        click.echo(f"  {choice.name:<15} {choice.size:>7}  {choice.licence}; {choice.note}{mark}")


def _print_table(entries: list[Listed]) -> None:
    header = ("", "source", "backend", "model", "context", "base url")
    rows = [
        (
            "*" if e.active else "",
            e.source,
            e.backend,
            _short(e.model),
            f"{e.context_window:,}" if e.context_window else "?",
            e.base_url or "",
        )
        for e in entries
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        click.echo(
            terminal_safe("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        )


def _short(model: str) -> str:
    """A downloaded file by its name; a path elsewhere in full."""
    from samantha.llm.catalog import models_dir

    path = Path(model)
    return path.name if path.parent == models_dir() else model


@models.command()
@click.argument("name")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs).")
def pull(name: str, no_progress: bool) -> None:
    """Download NAME (a recommended short name, or OWNER/REPO/FILE.gguf on the hub) for the built-in
    backend, into $SAMANTHA_HOME/models; an interrupted download resumes."""
    from samantha.config import load_settings
    from samantha.llm.pull import pull as download
    from samantha.llm.pull import resolve

    settings = load_settings()
    wanted = resolve(name)
    if wanted.choice:
        choice = wanted.choice
        click.echo(f"{choice.name}: {choice.filename}, {choice.size}, licence: {choice.licence}.", err=True)
    path = download(name, hub_url=settings.hub_url, progress=not no_progress)
    click.echo(terminal_safe(f"Saved {path}"))
    click.echo(f"`samantha models use {name}` makes it the default.", err=True)


@models.command()
@click.argument("name")
def use(name: str) -> None:
    """Make NAME the default model: `built-in`, a downloaded one, or a model an endpoint lists."""
    from samantha.config import load_settings
    from samantha.config_edit import update_config

    settings = load_settings()
    values, described = _choose(name, settings)
    # The built-in model is the default GGUF: no path written, so an upgrade of its package still finds it.
    path = update_config(values, remove=("model_path",) if "model_path" not in values else ())
    click.echo(terminal_safe(f"Samantha now uses {described} (written to {path})."))
    for variable in OVERRIDING:
        if os.environ.get(variable):
            click.echo(f"Note: {variable} is set in the environment and wins over the config file.", err=True)


def _choose(name: str, settings: Settings) -> tuple[dict[str, object], str]:
    """The config values that make `name` the default, and how to say which model that is."""
    from samantha.llm.catalog import available, find_local, recommended
    from samantha.llm.embedded import bundled_model_path

    if name.strip().lower() in BUILT_IN_NAMES or name == bundled_model_path().stem:
        return {"backend": "embedded"}, "the built-in model"
    local = find_local(name)
    if local is None and name.lower().endswith(".gguf") and Path(name).expanduser().is_file():
        local = Path(name).expanduser().resolve()
    if local is not None:
        from samantha.llm.embedded import check_gguf

        check_gguf(local)
        return {"backend": "embedded", "model_path": str(local)}, f"{local.name} (built-in backend)"
    for entry in available(settings):
        if entry.base_url and entry.model == name:
            return (
                {"backend": "openai", "base_url": entry.base_url, "model": name},
                f"{name} at {entry.base_url}",
            )
    if recommended(name):
        raise UsageError(f"{name} is not downloaded yet; `samantha models pull {name}` first.")
    raise UsageError(f"No model called '{name}' is available; `samantha models` lists them.")
