"""The plain line chat: the app's slash commands from the one command list, answered without the model;
film answers followed by their sources. Driven with lines in, text out, and the scripted model."""

from __future__ import annotations

from support.retrievers import FixedRetriever

from samantha import commands
from samantha.cli.plain import PlainChat
from samantha.companion import Companion
from samantha.records import Passage
from samantha.tui.services import ChatService

PASSAGES = [
    Passage(id="a", source="000_review.txt", title="A", text="러닝타임 : 123분. The film runs two hours."),
    Passage(id="b", source="004_review.txt", title="B", text="미국 / 125분"),
]


class Lines:
    """Stands in for the terminal: hands out the given lines, then the end of input."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    def read(self, typed_ahead: str = "") -> str | None:
        return self.lines.pop(0) if self.lines else None


def chat_with(settings, companion, *lines: str) -> tuple[PlainChat, str]:
    out: list[str] = []

    def echo(text: str = "", nl: bool = True) -> None:
        out.append(text + ("\n" if nl else ""))

    chat = PlainChat(ChatService(settings, companion=companion), incognito=False, echo=echo)
    chat.confirm = lambda question: True
    chat.run(Lines(*lines))  # type: ignore[arg-type]
    return chat, "".join(out)


def test_help_lists_the_commands_and_sends_nothing_to_the_model(settings, companion, scripted_model, store):
    _, shown = chat_with(settings, companion, "/help", "/model", "/sources", "/context")
    for slash in commands.slash_commands(plain=True):
        assert slash.split()[0] in shown
    assert "Backend: scripted" in shown and "cites no review passages" in shown
    assert scripted_model.history == []
    assert store.count_messages() == 0


def test_a_film_answer_prints_its_sources(settings, store, scripted_model):
    scripted_model.enqueue("One review says 123 minutes [1]; another, 125 [2].")
    companion = Companion(settings, store, scripted_model, retriever=FixedRetriever(PASSAGES))
    chat, shown = chat_with(settings, companion, "How long is the film Her?")
    assert "samantha> One review says 123 minutes [1]; another, 125 [2]." in shown
    sources = shown.split("another, 125 [2].", 1)[1]
    assert "[1] " in sources and "러닝타임 : 123분" in sources
    assert "[2] " in sources and "미국 / 125분" in sources
    assert chat.last is not None and [c.n for c in chat.last.citations] == [1, 2]


def test_sources_after_an_answer_about_the_user_list_the_memories_it_cites(
    settings, companion, scripted_model
):
    scripted_model.enqueue("Nice to meet you, Mina!", "You live in Busan [m1].")
    _, shown = chat_with(
        settings, companion, "I'm Mina, I live in Busan.", "/new", "Where do I live?", "/sources"
    )
    after = shown.split("samantha> You live in Busan [m1].", 1)[1]
    assert after.count("[m1] ") == 2 and after.count("The user lives in Busan.") == 2  # then on /sources


def test_messages_new_and_reset(settings, companion, scripted_model, store):
    scripted_model.enqueue("Hello.", "Again.")
    _, shown = chat_with(settings, companion, "hi", "/new", "//usr is a folder", "/reset", "/bogus")
    assert "A fresh page" in shown and "Unknown command /bogus" in shown
    assert [m[-1]["content"] for m in scripted_model.history] == ["hi", "/usr is a folder"]
    assert store.count_conversations() == 1  # the second was reset (deleted); the first stays
    assert [m.content for m in store.recent_messages(store.latest_conversation().id)] == ["hi", "Hello."]


def test_forget_all_and_export(settings, companion, store, samantha_home):
    from samantha.memories import add_memory

    add_memory(store, "likes the sea")
    _, shown = chat_with(settings, companion, "/forget", "/forget all", "/export")
    assert "likes the sea" in shown and "Forgot 1 memories." in shown
    assert store.count_memories() == 0
    assert len(list((samantha_home / "exports").glob("*.json"))) == 1


def test_every_plain_command_has_a_handler():
    for command in commands.COMMANDS:
        if command.plain:
            assert callable(getattr(PlainChat, f"do_{command.id}", None)), command.id


def test_ctrl_c_as_a_reply_ends_does_not_end_the_chat(settings, companion, scripted_model, store):
    """A Ctrl+C pressed as her reply finishes lands before the next prompt is up (CI's tmux run saw the
    chat end there): it is not a way out; the next message is still answered."""
    scripted_model.enqueue("The sea is wide.", "Letters travel far.")
    out: list[str] = []
    interrupted = []

    def echo(text: str = "", nl: bool = True) -> None:
        if text == "" and nl and not interrupted:  # the newline after the first reply: Ctrl+C lands here
            interrupted.append(True)
            raise KeyboardInterrupt
        out.append(text + ("\n" if nl else ""))

    chat = PlainChat(ChatService(settings, companion=companion), incognito=False, echo=echo)
    chat.run(Lines("Tell me about the sea.", "And letters?"))  # type: ignore[arg-type]
    shown = "".join(out)
    assert interrupted and "samantha> The sea is wide." in shown and "samantha> Letters travel far." in shown
    assert [m.role for m in store.recent_messages(store.latest_conversation().id)] == [
        "user",
        "assistant",
        "user",
        "assistant",
    ]
