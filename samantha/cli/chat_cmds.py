"""`samantha ask` (one turn, scriptable) and the plain line-based chat."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from samantha import stdio
from samantha.cli.plain import print_sources, say_if_truncated
from samantha.errors import ModelError, StoreError, UsageError
from samantha.textsafe import from_terminal, json_dumps, terminal_safe
from samantha.titles import title_from

if TYPE_CHECKING:  # the core is imported when a command runs, so the app's first frame does not wait for it
    from samantha.companion import Companion, TurnResult

#: What to type to have a reply that was cut at the length limit go on.
CONTINUE_WORD = "continue"


def make_companion(*, incognito: bool = False, text: str | None = None) -> Companion:
    """The core. With the message `text` (`ask`), the model (and the retrieval models, when it may be
    about the film) start loading in the background at once: the core's own imports overlap with them.
    The plain chat writes its prompt while it builds, so it loads as before (on the first turn)."""
    from samantha import preload
    from samantha.config import load_settings
    from samantha.llm import create_model

    settings = load_settings()
    model = create_model(settings)
    if text is not None:
        preload.start(model, text, persona=preload.chat_persona(settings, model))
    from samantha.runtime import build_companion

    return build_companion(settings, model=model, incognito=incognito)


def pick_conversation(
    companion: Companion, conversation_id: str | None, continue_latest: bool, text: str
) -> str:
    store = companion.store
    if conversation_id:
        if store.get_conversation(conversation_id) is None:
            raise UsageError(f"No conversation has the id {conversation_id}.")
        return conversation_id
    if continue_latest:
        latest = store.latest_conversation()
        if latest:
            return latest.id
    return companion.new_conversation(title_from(text))


def result_json(result: TurnResult, backend: str = "") -> str:
    payload = {
        "answer": result.answer,
        "message_truncated": bool(result.context and result.context.user_truncated),
        "citations": [c.model_dump() for c in result.citations],
        "model": result.model,
        "backend": backend,
        "conversation_id": result.conversation_id,
        "supported": result.supported,
        "claims": [c.as_dict() for c in result.claims],
        "status": result.status,
        "route": result.route,
        "memories": [m.as_json() for m in result.memories],
    }
    return json_dumps(payload)


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of streaming text.")
@click.option("--conversation", "conversation_id", metavar="ID", help="Add the turn to this conversation.")
@click.option("-c", "--continue", "continue_latest", is_flag=True, help="Continue the latest conversation.")
@click.option("--incognito", is_flag=True, help="Write nothing to the database (recall still reads it).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what would be sent to the model (and whether it leaves this machine); send and save nothing.",
)
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    as_json: bool,
    conversation_id: str | None,
    continue_latest: bool,
    incognito: bool,
    dry_run: bool,
) -> None:
    """Ask Samantha one QUESTION and print her reply as it streams."""
    from samantha.companion import message_not_saved
    from samantha.validation import check_text

    question = from_terminal(question)
    check_text(question)
    companion = make_companion(incognito=incognito or bool((ctx.obj or {}).get("incognito")), text=question)
    if dry_run:
        show_dry_run(companion, conversation_id, continue_latest, question, as_json)
        return
    notice = companion.model.small_model_notice
    if notice and not as_json and sys.stderr.isatty():
        with stdio.LOCK:  # not while the model loads in the background, which silences the terminal
            click.echo(notice, err=True)
    try:
        conversation = pick_conversation(companion, conversation_id, continue_latest, question)
    except StoreError as exc:
        raise message_not_saved(exc, question) from None
    turn = companion.turn(conversation, question)
    try:
        for piece in turn:
            if not as_json:
                click.echo(terminal_safe(piece), nl=False)
    except ModelError:
        if not as_json and turn.result and turn.result.answer:
            click.echo(" [interrupted]")
        raise
    assert turn.result is not None
    if as_json:
        click.echo(result_json(turn.result, backend=companion.model.backend))
    else:
        click.echo()
        if turn.result.status == "cut":
            click.echo(cut_notice(companion, f'samantha ask -c "{CONTINUE_WORD}"'), err=True)
        print_sources(turn.result)
        say_if_truncated(turn.context)


def show_dry_run(
    companion: Companion, conversation_id: str | None, continue_latest: bool, question: str, as_json: bool
) -> None:
    """Print the context a turn would send, without saving the message or calling the model."""
    store = companion.store
    if conversation_id and store.get_conversation(conversation_id) is None:
        raise UsageError(f"No conversation has the id {conversation_id}.")
    if continue_latest and not conversation_id:
        latest = store.latest_conversation()
        conversation_id = latest.id if latest else None
    outbound = companion.outbound(companion.preview(conversation_id, question))
    if as_json:
        click.echo(json_dumps({"dry_run": True, **outbound}))
        return
    where = (
        f"the remote endpoint {outbound['endpoint'] or ''}" if outbound["leaves_machine"] else "this machine"
    )
    click.echo(terminal_safe(f"Would send to {outbound['model']} on {where} (nothing sent, nothing saved):"))
    for message in outbound["messages"]:
        click.echo(terminal_safe(f"\n[{message['role']}]\n{message['content']}"))
    for kept in outbound["kept_home"]:
        click.echo(terminal_safe(f"\n(kept home, local memory {kept['id']}: {kept['text']})"))


@click.command()
@click.option("--incognito", is_flag=True, help="Don't write this conversation to the database.")
def chat(incognito: bool) -> None:
    """A plain line-based chat (for terminals where the app cannot run)."""
    start_chat(incognito=incognito, plain=True)


def start_chat(*, incognito: bool, plain: bool) -> None:
    if not plain and sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from samantha.tui import run_app
        except ModuleNotFoundError:
            pass
        else:
            run_app(incognito=incognito)
            return
    from samantha.cli.plain import plain_chat

    plain_chat(make_companion(incognito=incognito), incognito=incognito)


def cut_notice(companion: Companion, how: str) -> str:
    """The line shown under a reply the model stopped at the length limit."""
    limit = companion.settings.max_reply_tokens
    return f"[cut at the {limit}-token reply limit; {how} goes on, or raise SAMANTHA_MAX_REPLY_TOKENS]"
