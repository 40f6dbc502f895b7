"""`samantha memory ...`: see, search, add, forget, export, import and reset what Samantha remembers."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

import click

from samantha.errors import UsageError
from samantha.textsafe import json_dumps, terminal_safe

if TYPE_CHECKING:  # the store is imported when a command runs, so `samantha --help` starts fast
    from samantha import transfer
    from samantha.records import Memory
    from samantha.store import Store

#: Export formats (samantha.transfer.FORMATS, spelled out so the CLI loads without the store).
FORMATS = ("json", "jsonl", "markdown")


class _TerminalSafe(io.TextIOBase):
    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(terminal_safe(text))
        return len(text)


def _store() -> Store:
    from samantha.runtime import open_store

    return open_store()


def _line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return terminal_safe(flat)


@click.group(invoke_without_command=True)
@click.pass_context
def memory(ctx: click.Context) -> None:
    """What Samantha remembers: every conversation, the facts she keeps, and their summaries."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@memory.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats(as_json: bool) -> None:
    """Counts of conversations, messages, memories and summaries, and the database size."""
    store = _store()
    counts = store.stats()
    if as_json:
        click.echo(json_dumps(counts))
        return
    click.echo(terminal_safe(f"database       {store.path}"))
    for key, value in counts.items():
        click.echo(f"{key:<14} {value:,}")


@memory.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def search(query: str, as_json: bool, limit: int) -> None:
    """Messages and memories matching QUERY (every word; Korean words match with their particles)."""
    if not query.strip():
        raise UsageError("The search is empty.")
    store = _store()
    found_memories = store.search_memories(query, limit=limit)
    found_messages = store.search_messages(query, limit=limit)
    if as_json:
        payload = {
            "query": query,
            "memories": [hit.model_dump(exclude={"kind", "role"}) for hit in found_memories],
            "messages": [hit.model_dump(exclude={"kind"}) for hit in found_messages],
        }
        click.echo(json_dumps(payload))
        return
    if not found_memories and not found_messages:
        click.echo("Nothing matches.")
        return
    for hit in found_memories:
        click.echo(f"memory  {hit.created_at[:16]}  {hit.id}  {_line(hit.content)}")
    for hit in found_messages:
        who = "you" if hit.role == "user" else "her"
        click.echo(
            f"{who:<7} {hit.created_at[:16]}  conversation {hit.conversation_id}  {_line(hit.content)}"
        )


@memory.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def list_(as_json: bool) -> None:
    """Every memory, newest first, with where it came from."""
    from samantha import memories

    found = memories.list_memories(_store())
    if as_json:
        payload = [
            {**memory_json(item.memory), "source_text": item.source.content if item.source else None}
            for item in found
        ]
        click.echo(json_dumps(payload))
        return
    if not found:
        click.echo("No memories yet.")
        return
    for item in found:
        origin = f'from "{_line(item.source.content, 60)}"' if item.source else "added by hand"
        click.echo(
            f"{item.memory.id}  {item.memory.created_at[:10]}  {_line(item.memory.content)}  ({origin})"
            + _marks(item.memory)
        )


def memory_json(memory: Memory) -> dict[str, object]:
    """A memory as `memory list --json` and `memory history --json` give it."""
    return {
        "id": memory.id,
        "text": memory.content,
        "status": memory.status,
        "superseded_by": memory.superseded_by,
        "valid_from": memory.valid_from,
        "valid_until": memory.valid_until,
        "source_message_id": memory.message_id,
        "scope": memory.scope,
        # The row's other columns, as earlier versions printed them.
        **memory.model_dump(exclude={"status", "superseded_by", "valid_from", "valid_until", "scope"}),
    }


def _marks(memory: Memory) -> str:
    marks = []
    if memory.status == "superseded":
        marks.append(f"superseded {(memory.valid_until or '')[:10]} by {memory.superseded_by}")
    if memory.scope == "local":
        marks.append("local")
    return "".join(f"  [{mark}]" for mark in marks)


@memory.command()
@click.argument("memory_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list, oldest first.")
def history(memory_id: str, as_json: bool) -> None:
    """How the fact ID changed: what it replaced and what replaced it, oldest first."""
    from samantha import memories

    line = memories.memory_history(_store(), memory_id)
    if as_json:
        click.echo(json_dumps([memory_json(m) for m in line]))
        return
    for memory in line:
        since = (memory.valid_from or memory.created_at)[:10]
        until = (memory.valid_until or "")[:10] if memory.status == "superseded" else "now"
        click.echo(f"{since} .. {until:<10}  {memory.status:<10}  {memory.id}  {_line(memory.content)}")


@memory.command()
@click.argument("fact")
@click.option("--local", is_flag=True, help="Never send this memory to a remote endpoint.")
def add(fact: str, local: bool) -> None:
    """Remember FACT (e.g. "My sister's name is Amy")."""
    from samantha import memories

    added = memories.add_memory(_store(), fact, local=local)
    where = " (local: never sent to a remote endpoint)" if added.scope == "local" else ""
    click.echo(f"Remembered ({added.id}): {_line(added.content)}{where}")


@memory.command()
@click.argument("memory_id", metavar="ID")
@click.argument("scope", type=click.Choice(["local", "everywhere"]))
def scope(memory_id: str, scope: str) -> None:
    """Set where the memory ID may go: local (never to a remote endpoint) or everywhere."""
    from samantha import memories

    changed = memories.set_scope(_store(), memory_id, scope)
    click.echo(f"{changed.id} is now {changed.scope}: {_line(changed.content)}")


@memory.command()
@click.argument("memory_id", required=False, metavar="ID")
@click.option("--matching", metavar="QUERY", help="Forget every memory matching QUERY.")
def forget(memory_id: str | None, matching: str | None) -> None:
    """Forget the memory ID, or every memory matching a query."""
    from samantha import memories

    if bool(memory_id) == bool(matching is not None):
        raise UsageError("Give a memory ID or --matching QUERY (one of them).")
    store = _store()
    if memory_id:
        forgotten = [memories.forget_memory(store, memory_id)]
    else:
        forgotten = memories.forget_matching(store, matching or "")
    if not forgotten:
        click.echo("No memory matches; nothing was forgotten.")
    for item in forgotten:
        click.echo(f"Forgot {item.id}: {_line(item.content)}")


@memory.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
def export_(fmt: transfer.Format, output: Path | None) -> None:
    """Write everything remembered as JSON (lossless), JSONL or Markdown."""
    from samantha import transfer

    store = _store()
    if output is None:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
        try:
            # On a terminal, escape sequences in stored text are shown, never interpreted.
            target = cast(TextIO, _TerminalSafe(out)) if sys.stdout.isatty() else out
            transfer.export(store, target, fmt)
        finally:
            out.flush()
            out.detach()  # leave stdout open
        return
    counts = transfer.export_to_path(store, output, fmt)
    summary = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    click.echo(f"Exported {summary} to {output}.", err=True)


@memory.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def import_(file: Path) -> None:
    """Bring back a JSON or JSONL export. Records already here are skipped; a bad file changes nothing."""
    from samantha import transfer

    report = transfer.import_file(_store(), file)
    added = ", ".join(f"{n:,} {table}" for table, n in report.added.items())
    skipped = sum(report.skipped.values())
    click.echo(f"Imported {added}" + (f" ({skipped:,} already here, skipped)." if skipped else "."))


@memory.command()
@click.option("--conversation", "conversation_id", metavar="ID", help="Delete one conversation.")
@click.option("--memories", "only_memories", is_flag=True, help="Forget every memory; keep conversations.")
@click.option("--all", "everything", is_flag=True, help="Delete everything, leaving an empty database.")
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
def reset(conversation_id: str | None, only_memories: bool, everything: bool, yes: bool) -> None:
    """Delete a conversation, all memories, or everything. Asks first unless --yes."""
    from samantha import memories

    chosen = [bool(conversation_id), only_memories, everything]
    if sum(chosen) != 1:
        raise UsageError("Say what to reset: --conversation ID, --memories or --all (one of them).")
    store = _store()
    if conversation_id:
        conversation = store.get_conversation(conversation_id)
        if conversation is None:
            raise UsageError(f"No conversation has the id {conversation_id}.")
        what = f'the conversation "{_line(conversation.title or conversation_id, 60)}" and what came from it'
    elif only_memories:
        what = f"all {store.count_memories():,} memories"
    else:
        counts = store.stats()
        what = f"everything ({counts['conversations']:,} conversations, {counts['messages']:,} messages, " + (
            f"{counts['memories']:,} memories, {counts['summaries']:,} summaries)"
        )
    try:
        confirmed = yes or click.confirm(f"Delete {what}?", default=False, err=True)
    except click.Abort:  # no answer (end of input, Ctrl-C)
        confirmed = False
    if not confirmed:
        click.echo("Nothing was deleted.", err=True)
        sys.exit(1)
    if conversation_id:
        store.delete_conversation(conversation_id)
    elif only_memories:
        memories.forget_all_memories(store)
    else:
        store.reset_all()
    click.echo(f"Deleted {what}.")


def register(cli: click.Group) -> None:
    cli.add_command(memory)
