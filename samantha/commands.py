"""Every command a user can give, in one list: the app's keys, footer and command palette, the slash
commands of the app and the plain chat, and their help are all generated from `COMMANDS`.

A command's `id` is its binding id (what the `ui.keymap` setting rebinds) and the name of the action
that runs it (`action_<id>` on the app's chat screen; a handler of the same name in the plain chat).
Nothing here imports Textual: this is a list, not behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    """Shown in the footer, the palette and the keys part of the help."""
    help: str = ""
    """One line for the palette (for commands without a key) and the slash help."""
    key: str | None = None
    """The app's default key; None: no key (palette and slash only)."""
    footer: bool = False
    """The key is shown in the app's footer."""
    slash: str | None = None
    """The slash form, e.g. `/new`, or `/forget all` (a word after the command)."""
    slash_help: str = ""
    """The line /help shows; '' for a form explained on another command's line."""
    plain: bool = False
    """The plain line chat has it too."""


COMMANDS: tuple[Command, ...] = (
    Command("stop", "Stop", "stop the reply", key="escape", footer=True),
    Command(
        "new_conversation",
        "New",
        key="ctrl+n",
        footer=True,
        slash="/new",
        slash_help="start a new conversation",
        plain=True,
    ),
    Command("regenerate", "Regenerate", key="ctrl+r", footer=True),
    Command("copy", "Copy", key="ctrl+y"),
    Command(
        "continue_reply",
        "Continue",
        "Continue a reply cut at the length limit",
        slash="/continue",
        slash_help="continue a reply cut at the length limit",
        plain=True,
    ),
    Command(
        "sources",
        "Sources",
        key="f3",
        footer=True,
        slash="/sources",
        slash_help="the review passages and memories the last reply cited",
        plain=True,
    ),
    Command(
        "context",
        "Context",
        key="f4",
        footer=True,
        slash="/context",
        slash_help="what the last turn sent to the model, with token counts",
        plain=True,
    ),
    Command(
        "memories",
        "Memories",
        key="f5",
        footer=True,
        slash="/forget",
        slash_help="open what I remember about you (/forget all: forget everything I remember)",
        plain=True,
    ),
    Command(
        "incognito",
        "Incognito",
        key="f6",
        footer=True,
        slash="/incognito",
        slash_help="turn incognito on or off (nothing is written while on)",
        plain=True,
    ),
    Command("help", "Help", key="f1", footer=True, slash="/help", slash_help="this help", plain=True),
    Command("toggle_sidebar", "Sidebar", key="ctrl+b"),
    Command("find", "Find conversation", key="ctrl+f"),
    Command("rename", "Rename conversation", key="f2"),
    Command("delete", "Delete conversation", key="f8"),
    Command("focus_prompt", "Message box", key="ctrl+l"),
    Command(
        "model",
        "Model",
        "Which model Samantha runs on, and how to switch",
        slash="/model",
        slash_help="which model I run on, and how to switch",
        plain=True,
    ),
    Command(
        "export",
        "Export",
        "Export conversations and memories to a JSON file",
        slash="/export",
        slash_help="export conversations and memories to a JSON file",
        plain=True,
    ),
    Command(
        "forget_all",
        "Forget all memories",
        "Forget all memories, after asking",
        slash="/forget all",
        plain=True,
    ),
    Command(
        "delete_current",
        "Reset conversation",
        "Delete the open conversation, after asking",
        slash="/reset",
        slash_help="delete this conversation, after asking",
        plain=True,
    ),
)

#: What /continue sends in the conversation: the model goes on from where its cut reply stopped.
CONTINUE = "continue"

#: The order /help lists the slash commands in.
SLASH_ORDER = (
    "/new",
    "/forget",
    "/reset",
    "/export",
    "/incognito",
    "/sources",
    "/context",
    "/continue",
    "/model",
    "/help",
)

BY_ID: dict[str, Command] = {command.id: command for command in COMMANDS}


def keyed() -> Iterator[Command]:
    """Commands with a key of their own, in the order the footer and the help list them."""
    return (command for command in COMMANDS if command.key)


def unkeyed() -> Iterator[Command]:
    """Commands reached only from the palette and the message box."""
    return (command for command in COMMANDS if not command.key)


def key_of(command_id: str, keymap: Mapping[str, str]) -> str:
    """The key that runs `command_id` now: the user's keymap (setting `ui.keymap`), else the default."""
    command = BY_ID.get(command_id)
    return keymap.get(command_id) or (command.key if command and command.key else command_id)


def slash_commands(*, plain: bool = False) -> dict[str, Command]:
    """The slash table: `/new` -> its command (`/forget all` included as two words)."""
    return {c.slash: c for c in COMMANDS if c.slash and (c.plain or not plain)}


def parse_slash(text: str, *, plain: bool = False) -> tuple[Command | None, str]:
    """The command a line starting with / asks for, and what follows it; (None, the word) if unknown."""
    table = slash_commands(plain=plain)
    words = text.strip().split()
    two = " ".join(words[:2])
    if two in table:
        return table[two], " ".join(words[2:])
    first = words[0] if words else text
    return table.get(first), " ".join(words[1:]) if first in table else first


def slash_help(*, plain: bool = False) -> str:
    """The lines /help shows: each slash command and what it does."""
    table = slash_commands(plain=plain)
    return "\n".join(f"{slash:<14}{table[slash].slash_help}" for slash in SLASH_ORDER if slash in table)
