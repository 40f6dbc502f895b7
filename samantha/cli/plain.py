"""The plain line chat (`samantha --plain`, `samantha chat`): the app's conversation for terminals where
the app cannot run, and for pipes.

The same slash commands as the app (one list, `samantha.commands`), answered here in lines of text;
`/help` and every other command sends nothing to the model. On a terminal the message line is
prompt_toolkit's (history with the arrow keys, editing of wide characters, a multi-line paste kept as
one message); while a reply prints, typing is not echoed into it but kept for the next prompt, and
Ctrl+C stops the reply (what arrived is kept, marked interrupted).
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

from samantha import commands
from samantha.errors import MessageNotSaved, ModelError, SamanthaError, StoreError, UsageError
from samantha.textsafe import from_terminal, terminal_safe

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

    from samantha.companion import Companion, TurnResult
    from samantha.context import ContextPlan
    from samantha.tui.services import ChatService

GOODBYE_HINT = "Type a message; /help lists the commands; an empty line or Ctrl-D ends the chat."


def print_sources(
    result: TurnResult, echo: Callable[[str], None] = click.echo, *, limit: int | None = None
) -> None:
    """The passages a film answer cited and the memories an answer about the user cited, after the
    answer (`ask` and the plain chat alike; `/sources` shows the passages longer, up to `limit`)."""
    from samantha.citations import SOURCE_CHARS, source_lines

    for citation in result.citations:
        echo(terminal_safe(source_lines(citation, limit or SOURCE_CHARS)))
    for cited in result.memories:  # the memories an answer about the user cited, [m1]...
        memory = cited.memory
        echo(terminal_safe(f"[m{cited.n}] {memory.created_at[:10]}: {memory.content[:160]}"))


def say_if_truncated(plan: ContextPlan | None) -> None:
    from samantha.context import USER_TRUNCATED

    if plan is not None and plan.user_truncated:
        click.echo(f"({USER_TRUNCATED})", err=True)


class LineReader:
    """Reads the user's next message. On a terminal: prompt_toolkit, with history; else stdin lines."""

    def __init__(self) -> None:
        self.session: PromptSession[str] | None = None
        if sys.stdin.isatty() and sys.stdout.isatty():
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory

            # In memory: a history file would keep what was said in incognito.
            self.session = PromptSession(history=InMemoryHistory())
        else:  # bytes on stdin that are not UTF-8 become U+FFFD instead of ending the chat
            with contextlib.suppress(AttributeError, ValueError, OSError):
                sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]

    def read(self, typed_ahead: str = "") -> str | None:
        """The next line (a paste's lines joined by spaces); None at the end of input (Ctrl-D)."""
        if self.session is None:
            try:
                return from_terminal(input("you> "))
            except EOFError:
                return None
        while True:
            try:
                text = self.session.prompt("you> ", default=typed_ahead)
            except EOFError:
                return None
            except KeyboardInterrupt:  # Ctrl+C at the prompt clears the line, as in a shell
                typed_ahead = ""
                continue
            text = from_terminal(text)
            return " ".join(part for part in text.splitlines() if part.strip()) if "\n" in text else text


@contextlib.contextmanager
def quiet_keyboard(kept: list[str]) -> Iterator[None]:
    """While a reply prints: keys typed are not echoed into it; they are kept (in `kept`) for the next
    prompt. Ctrl+C still interrupts. Does nothing when stdin is not a terminal."""
    if not sys.stdin.isatty():
        yield
        return
    import termios

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        typed = b""
        try:
            while select.select([fd], [], [], 0)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                typed += chunk
        finally:  # the terminal's echo comes back even when a Ctrl+C lands just here
            termios.tcsetattr(fd, termios.TCSANOW, saved)
        text = typed.decode("utf-8", "replace")
        kept.append("".join(ch for ch in text.splitlines()[-1:][0] if ch.isprintable()) if text else "")


class PlainChat:
    """One line chat session over the service (the same one the app uses)."""

    def __init__(self, service: ChatService, *, incognito: bool, echo: Callable[..., None] = click.echo):
        self.service = service
        self.incognito = incognito
        self.echo = echo
        self.conversation_id: str | None = None
        self.last: TurnResult | None = None
        self.confirm: Callable[[str], bool] = lambda question: click.confirm(question, default=False)
        self.started_incognito = False
        """Built incognito from the start: there is no saving core to switch back to."""

    def start(self) -> None:
        self.service.attach(self.service.build_companion(incognito=self.incognito))
        facts = self.service.model_facts()
        if facts and facts.small_model_notice:
            self.echo(facts.small_model_notice)
        self.echo(f"Samantha is here. {GOODBYE_HINT}")

    def run(self, reader: LineReader) -> None:
        self.start()
        typed_ahead = ""
        while True:
            text = reader.read(typed_ahead)
            typed_ahead = ""
            if text is None or not text.strip():
                break
            if text.startswith("//"):
                text = text[1:]  # "//etc" sends "/etc"
            elif text.startswith("/"):
                self.command(text)
                continue
            try:
                typed_ahead = self.say(text)
            except KeyboardInterrupt:  # Ctrl+C as her reply ends, before the next prompt: the chat goes on
                self.echo()

    def command(self, text: str) -> None:
        command, argument = commands.parse_slash(text, plain=True)
        if command is None:
            self.echo(
                f"Unknown command {terminal_safe(argument)}. Type /help for the list; "
                "start with // to send a message that begins with /."
            )
            return
        try:
            if command.id == "model" and argument:  # /model NAME switches
                self.echo(terminal_safe(self.service.switch_model(argument)))
            else:
                getattr(self, f"do_{command.id}")()
        except SamanthaError as exc:
            self.echo(f"Error: {terminal_safe(exc.message)}")

    def say(self, text: str) -> str:
        """One turn, printed as it streams; returns what to offer at the next prompt (what the user typed
        meanwhile, or the message itself when it could not be saved). No failure ends the chat."""
        from samantha.validation import check_text

        kept: list[str] = []
        turn = None
        try:
            check_text(text)
            self.conversation_id, turn = self.service.start_turn(self.conversation_id, text, [])
            pieces = iter(turn)
            first = next(pieces, None)  # the message is stored (or refused) before the first piece
            self.echo("samantha> ", nl=False)
            with quiet_keyboard(kept):
                if first is not None:
                    self.echo(terminal_safe(first), nl=False)
                for piece in pieces:
                    self.echo(terminal_safe(piece), nl=False)
        except UsageError as exc:
            self.echo(f"({terminal_safe(exc.message)} Nothing was sent.)")
            return ""
        except MessageNotSaved as exc:
            self.echo(f"({terminal_safe(exc.message)} Send it again in a moment.)")
            return exc.text
        except ModelError as exc:
            self.echo(f"\n(Error: {terminal_safe(exc.message)} Your message is saved.)")
            return kept[0] if kept else ""
        except StoreError as exc:
            self.echo(f"\n(Error: {terminal_safe(exc.message)} Your message is saved; her reply may not be.)")
            return ""
        except KeyboardInterrupt:
            if turn is None:
                raise
            turn.cancel()
            self.echo(" [interrupted]")
        else:
            self.echo()
        assert turn is not None
        self.last = turn.result
        if turn.result is not None:
            print_sources(turn.result, self.echo)
            if turn.result.status == "cut":
                limit = turn.companion.settings.max_reply_tokens
                self.echo(f"[cut at the {limit}-token reply limit; /continue goes on]")
        say_if_truncated(turn.context)
        return kept[0] if kept else ""

    # One handler per command of `samantha.commands` with `plain=True`

    def do_help(self) -> None:
        self.echo(commands.slash_help(plain=True))
        self.echo(
            "Ctrl+C stops a reply; an empty line or Ctrl-D ends the chat; // sends a message starting with /."
        )

    def do_continue_reply(self) -> None:
        if self.last is None or self.last.status != "cut":
            self.echo("The last reply was not cut, so there is nothing to continue.")
            return
        self.say(commands.CONTINUE)

    def do_new_conversation(self) -> None:
        self.conversation_id = None
        self.last = None
        self.echo("A fresh page. What's on your mind?")

    def do_sources(self) -> None:
        if self.last is None or not (self.last.citations or self.last.memories):
            self.echo("The last reply cites no review passages and no memories.")
            return
        print_sources(self.last, self.echo, limit=2000)

    def do_context(self) -> None:
        plan = self.last.context if self.last is not None else None
        if plan is None:
            self.echo("Nothing has been sent to the model yet in this session.")
            return
        self.echo(f"{plan.used:,} of {plan.budget:,} tokens used")
        for part in plan.parts:
            self.echo(f"  {part.kind:<12}{part.tokens:>7,} tokens")

    def do_memories(self) -> None:
        remembered = self.service.memories()
        if not remembered:
            self.echo("Nothing remembered yet.")
            return
        for entry in remembered:
            source = f"  (from: {entry.source.content})" if entry.source else ""
            self.echo(terminal_safe(f"- {entry.memory.content}{source}"))
        self.echo("/forget all forgets everything; `samantha memory forget ID` forgets one.")

    def do_forget_all(self) -> None:
        if self.confirm("Forget everything I remember about you?"):
            count = self.service.forget_all()
            self.echo(f"Forgot {count} memories." if count else "Nothing left to forget.")

    def do_delete_current(self) -> None:
        if self.conversation_id is None:
            self.echo("This conversation has nothing saved yet.")
        elif self.confirm("Delete this conversation and all its messages? This cannot be undone."):
            self.service.delete(self.conversation_id)
            self.do_new_conversation()

    def do_export(self) -> None:
        self.echo(f"Exported to {self.service.export(self.service.export_folder())}")

    def do_incognito(self) -> None:
        if self.started_incognito:
            self.echo("This chat started incognito and stays so; start it again without --incognito to save.")
            return
        self.incognito = not self.incognito
        model = self.service.companion.model if self.service.companion else None
        self.service.attach(self.service.build_companion(incognito=self.incognito, model=model))
        self.conversation_id = None
        self.echo(
            "Incognito: nothing is written while this is on." if self.incognito else "Incognito is off."
        )

    def do_model(self) -> None:
        facts = self.service.model_facts()
        assert facts is not None
        self.echo(f"Model: {terminal_safe(facts.name)}\nBackend: {facts.backend}")
        self.echo(
            f"Context window: {facts.context_window:,} tokens ({facts.reply_tokens:,} kept for the reply)"
        )
        if facts.small_model_notice:
            self.echo(facts.small_model_notice)
        self.echo(terminal_safe(self.service.switch_model("")))


def plain_chat(companion: Companion, *, incognito: bool) -> None:
    """Chat in lines over `companion` (built incognito when `incognito`)."""
    from samantha.tui.services import ChatService

    chat = PlainChat(ChatService(companion.settings, companion=companion), incognito=False)
    chat.started_incognito = incognito
    chat.run(LineReader())
