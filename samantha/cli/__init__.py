"""The `samantha` command. Each group of subcommands lives in its own module."""

from __future__ import annotations

import os
import re
import sqlite3
import sys

import click

from samantha import __version__, stdio
from samantha.errors import SamanthaError
from samantha.textsafe import terminal_safe


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="samantha")
@click.option("--incognito", is_flag=True, help="Don't write this conversation to the database.")
@click.option("--plain", is_flag=True, help="A line-based chat instead of the terminal app.")
@click.pass_context
def cli(ctx: click.Context, incognito: bool, plain: bool) -> None:
    """Samantha, a terminal companion inspired by the AI in Spike Jonze's film Her.

    Run with no command to chat. `samantha models` lists the models she can use (a local server
    such as Ollama is found on its own) and `samantha models pull` fetches a stronger one; or set
    SAMANTHA_BASE_URL / SAMANTHA_MODEL (or SAMANTHA_API_KEY) for an endpoint of your own.
    """
    ctx.ensure_object(dict)
    ctx.obj["incognito"] = incognito
    if ctx.invoked_subcommand is None:
        from samantha.cli.chat_cmds import start_chat

        start_chat(incognito=incognito, plain=plain)


def _register() -> None:
    # Each module imports the core only when its command runs, so `samantha --help` stays fast.
    from samantha.cli import chat_cmds, corpus_cmds, memory_cmds, model_cmds

    cli.add_command(chat_cmds.ask)
    cli.add_command(chat_cmds.chat)
    memory_cmds.register(cli)
    corpus_cmds.register(cli)
    cli.add_command(model_cmds.models)


#: The end of a help text's first sentence (not the dot of "e.g." or "i.e.").
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.(?:\s|$)")


def _whole_first_sentences(group: click.Group) -> None:
    """Command lists show each command's whole first sentence, wrapped, instead of click's default of
    cutting it to fit one line (which left "Remember FACT (e.g." and "the facts she...")."""
    for command in group.commands.values():
        if command.help and not command.short_help:
            paragraph = command.help.strip().split("\n\n")[0]
            end = _SENTENCE_END.search(paragraph)
            command.short_help = " ".join(paragraph[: end.start() + 1 if end else None].split())
        if isinstance(command, click.Group):
            _whole_first_sentences(command)


_register()
_whole_first_sentences(cli)


def main(args: list[str] | None = None) -> None:
    """Entry point: every known failure is one sentence on stderr and a non-zero exit, never a traceback."""
    # Messages are written under stdio.LOCK: a model loading in the background would swallow them.
    try:
        cli(args=args, standalone_mode=True)
    except SamanthaError as exc:
        with stdio.LOCK:
            click.echo(f"Error: {terminal_safe(exc.message)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        with stdio.LOCK:
            click.echo("Interrupted.", err=True)
        sys.exit(130)
    except sqlite3.OperationalError as exc:  # outside a write (a read, a checkpoint): still busy or full
        if os.environ.get("SAMANTHA_DEBUG"):
            raise
        from samantha.errors import store_error

        with stdio.LOCK:
            click.echo(f"Error: {terminal_safe(store_error(exc).message)}", err=True)
        sys.exit(1)
    except Exception as exc:  # the truly unexpected only: every known failure is a SamanthaError
        if os.environ.get("SAMANTHA_DEBUG"):
            raise
        with stdio.LOCK:
            click.echo(
                terminal_safe(f"Error: something unexpected went wrong ({type(exc).__name__}: {exc})."),
                err=True,
            )
            click.echo("Set SAMANTHA_DEBUG=1 to see the details.", err=True)
        sys.exit(1)
