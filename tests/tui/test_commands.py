"""The one command list: the app's bindings, palette, help and slash commands all come from it."""

from __future__ import annotations

from samantha import commands
from samantha.tui.screens.chat import ChatScreen


def test_every_command_has_an_action_on_the_chat_screen():
    for command in commands.COMMANDS:
        assert callable(getattr(ChatScreen, f"action_{command.id}", None)), command.id


def test_bindings_are_the_keyed_commands():
    ids = [binding.id for binding in ChatScreen.BINDINGS]  # type: ignore[union-attr]
    assert ids == [command.id for command in commands.keyed()]


def test_slash_help_lists_every_slash_command():
    help_text = commands.slash_help()
    for slash in commands.slash_commands():
        assert slash.split()[0] in help_text


def test_parse_slash():
    assert commands.parse_slash("/forget all")[0] is commands.BY_ID["forget_all"]
    assert commands.parse_slash("/forget mina")[0] is commands.BY_ID["memories"]
    assert commands.parse_slash("/new")[0] is commands.BY_ID["new_conversation"]
    assert commands.parse_slash("/bogus and more") == (None, "/bogus")


def test_the_keymap_setting_changes_the_key_shown():
    assert commands.key_of("help", {}) == "f1"
    assert commands.key_of("help", {"help": "f9"}) == "f9"
