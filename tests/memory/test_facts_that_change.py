"""Facts that change: a new fact about the same thing supersedes the old one, which is kept with the date
it stopped being true and a link to its replacement; recall uses the current one; when it is unclear
whether the new fact replaces the old, Samantha asks once and records the answer. English and Korean."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from samantha import memories
from samantha.cli import cli
from samantha.companion import Companion
from samantha.errors import UsageError
from samantha.llm.scripted import ScriptedModel
from samantha.memories import classify_answer, extract_facts
from samantha.store import Store


def memory_cli(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["memory", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_text(items: list[dict], fragment: str) -> dict:
    found = [item for item in items if fragment in item["text"]]
    assert len(found) == 1, (fragment, items)
    return found[0]


def system_prompt(model: ScriptedModel) -> str:
    return model.history[-1][0]["content"]


@pytest.fixture
def companion(settings, db_path) -> Companion:
    # The database file the CLI reads too.
    return Companion(settings, Store.open(db_path), ScriptedModel())


@pytest.mark.parametrize(
    ("text", "slot", "content"),
    [
        ("I moved to Seoul last month.", "home", "The user lives in Seoul."),
        ("I just moved to New York a few weeks ago", "home", "The user lives in New York."),
        ("I live in Busan.", "home", "The user lives in Busan."),
        ("I work as a nurse.", "job", "The user works as a nurse."),
        ("I work at Haeundae Paik Hospital.", "workplace", "The user works at Haeundae Paik Hospital."),
        ("My wife's name is Jiwoo.", "partner", "The user's wife's name is Jiwoo."),
        ("My boyfriend is called Theo", "partner", "The user's boyfriend's name is Theo."),
        ("지난달에 서울로 이사했어.", "home", "사용자는 서울에 산다."),
        ("저는 부산으로 이사 왔어요", "home", "사용자는 부산에 산다."),
        ("나는 부산에 살아", "home", "사용자는 부산에 산다."),
        ("내 남자친구 이름은 민준이야", "partner", "사용자의 남자친구 이름은 민준."),
        ("제 아내 이름은 지우예요.", "partner", "사용자의 아내 이름은 지우."),
    ],
)
def test_facts_about_a_slot(text, slot, content):
    assert (slot, content) in [(f.slot, f.content) for f in extract_facts(text)]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("I'm in Seoul this week.", "Seoul"),
        ("I am currently in Tokyo for work", "Tokyo"),
        ("이번 주는 서울에 있어.", "서울"),
        ("요즘 대구에 와 있어요", "대구"),
    ],
)
def test_being_somewhere_is_tentative(text, place):
    tentative = [f for f in extract_facts(text) if f.tentative]
    assert [f.place for f in tentative] == [place]


@pytest.mark.parametrize(
    "text",
    ["언니가 서울로 이사했어", "I'm in love with this song", "지금 집에 있어", "My sister moved to Seoul"],
)
def test_no_move_of_the_users_own(text):
    assert [f for f in extract_facts(text) if f.slot in ("home", "whereabouts")] == []


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("Yes, I moved there.", "moved"),
        ("yeah", "moved"),
        ("No, just for work.", "temporary"),
        ("Only visiting my parents", "temporary"),
        ("I haven't moved, it's a trip", "temporary"),
        ("응, 이사했어", "moved"),
        ("네 맞아요", "moved"),
        ("아니, 출장이야", "temporary"),
        ("이사 안 했어", "temporary"),
        ("Hmm, the weather is nice", "unclear"),
    ],
)
def test_answers_to_have_you_moved(answer, kind):
    assert classify_answer(answer) == kind


@pytest.mark.parametrize(
    ("before", "after", "old", "new", "question"),
    [
        ("I live in Busan.", "I moved to Seoul last month.", "Busan", "Seoul", "Where do I live?"),
        ("나는 부산에 살아.", "지난달에 서울로 이사했어.", "부산", "서울", "나 어디 살아?"),
    ],
)
def test_a_move_supersedes_the_old_home_and_recall_uses_the_new(companion, before, after, old, new, question):
    model = companion.model
    first = companion.new_conversation()
    companion.turn(first, before).run()
    companion.turn(first, after).run()
    moved_message = companion.store.recent_messages(first, 2)[0]

    items = memory_cli("list", "--json")
    home_new, home_old = by_text(items, new), by_text(items, old)
    keys = {
        "id",
        "text",
        "status",
        "superseded_by",
        "valid_from",
        "valid_until",
        "source_message_id",
        "scope",
    }
    assert keys <= set(home_new)
    assert (home_new["status"], home_new["superseded_by"], home_new["valid_until"]) == ("current", None, None)
    assert home_new["source_message_id"] == moved_message.id
    assert home_new["valid_from"] == moved_message.created_at
    assert home_old["status"] == "superseded"
    assert home_old["superseded_by"] == home_new["id"]
    assert home_old["valid_until"] == home_new["valid_from"]
    assert home_old["valid_from"] < home_old["valid_until"]
    assert home_new["scope"] == home_old["scope"] == "everywhere"

    # A new conversation: only the current home is in what the model is sent.
    later = companion.new_conversation()
    companion.turn(later, question).run()
    remembered = system_prompt(model).split("What you remember", 1)[1]
    assert new in remembered
    assert old not in remembered.split("another conversation")[0]  # the memories list (not excerpts)
    assert [m.content for m in memories.current_facts(companion.store, slot="home")] == [home_new["text"]]

    # Its line of changes, oldest first.
    line = memory_cli("history", home_old["id"], "--json")
    assert [m["id"] for m in line] == [home_old["id"], home_new["id"]]
    assert memory_cli("history", home_new["id"], "--json") == line
    text = CliRunner().invoke(cli, ["memory", "history", home_new["id"]]).output
    assert "superseded" in text and "now" in text


@pytest.mark.parametrize(
    ("home", "away", "asked", "answer", "current"),
    [
        (
            "I live in Busan.",
            "I'm in Seoul this week.",
            "moved to Seoul",
            "Yes, I moved there for good.",
            "Seoul",
        ),
        ("I live in Busan.", "I'm in Seoul this week.", "moved to Seoul", "No, just a work trip.", "Busan"),
        ("나는 부산에 살아.", "이번 주는 서울에 있어.", "서울로 이사한 거예요", "응, 이사했어.", "서울"),
        ("나는 부산에 살아.", "이번 주는 서울에 있어.", "서울로 이사한 거예요", "아니, 출장이야.", "부산"),
    ],
)
def test_when_unclear_samantha_asks_once_and_records_the_answer(
    companion, home, away, asked, answer, current
):
    conversation = companion.new_conversation()
    companion.turn(conversation, home).run()
    result = companion.turn(conversation, away).run()
    assert asked in result.answer.splitlines()[-1]
    assert result.reply.meta["memory_question"]["place"] in away
    # Nothing is changed before the answer.
    assert len(memories.current_facts(companion.store, slot="home")) == 1

    after = companion.turn(conversation, answer).run()
    assert "memory_question" not in after.reply.meta
    homes = memories.current_facts(companion.store, slot="home")
    assert len(homes) == 1 and current in homes[0].content
    if current in away:  # moved: the old home is superseded, and the answer is the new fact's source
        assert homes[0].message_id == after.user_message.id
    else:  # only there for a while: kept as where the user is for now
        (where,) = memories.current_facts(companion.store, slot="whereabouts")
        assert result.reply.meta["memory_question"]["place"] in where.content

    # Said again later: never asked twice.
    again = companion.turn(conversation, away).run()
    assert asked not in again.answer


def test_no_question_without_a_conflict(companion):
    conversation = companion.new_conversation()
    result = companion.turn(conversation, "I'm in Seoul this week.").run()
    assert "memory_question" not in result.reply.meta
    (where,) = memories.current_facts(companion.store, slot="whereabouts")
    assert where.content == "The user is in Seoul for now."


def test_facts_from_one_message_do_not_supersede_each_other(store):
    conversation = store.create_conversation().id
    told = store.add_message(conversation, "user", "I work as a nurse and I work at Haeundae Paik Hospital.")
    added = memories.remember_from_message(store, told)
    assert {m.slot for m in added} == {"job", "workplace"}
    assert all(m.status == "current" for m in store.list_memories())


def test_forgetting_the_new_fact_makes_the_old_one_current_again(store):
    conversation = store.create_conversation().id
    for text in ("My name is Theo.", "Call me Theodore."):
        memories.remember_from_message(store, store.add_message(conversation, "user", text))
    (new,) = memories.current_facts(store, slot="name")
    assert new.content == "The user's name is Theodore."
    memories.forget_memory(store, new.id)
    (old,) = memories.current_facts(store, slot="name")
    assert (old.content, old.status, old.superseded_by, old.valid_until) == (
        "The user's name is Theo.",
        "current",
        None,
        None,
    )


def test_history_of_an_unknown_id_is_a_usage_error(store):
    with pytest.raises(UsageError, match="No memory has the id"):
        memories.memory_history(store, "nope")


def test_known_facts_are_current_and_respect_the_scope(store):
    """The interface questions about the user are answered from (the router's memory answers)."""
    from samantha.recall import Recall

    conversation = store.create_conversation().id
    for text in ("I live in Busan.", "I moved to Seoul last month."):
        memories.remember_from_message(store, store.add_message(conversation, "user", text))
    memories.add_memory(store, "I take insulin.", local=True)
    assert [m.content for m in Recall(store).known_facts()] == ["I take insulin.", "The user lives in Seoul."]
    remote = Recall(store, remote=True)
    assert [m.content for m in remote.known_facts()] == ["The user lives in Seoul."]
