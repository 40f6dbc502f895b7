"""`samantha search`, `samantha corpus add|list|remove|rebuild` and `samantha eval`: the film knowledge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from samantha.textsafe import json_dumps, terminal_safe

if TYPE_CHECKING:
    from samantha.config import Settings
    from samantha.retrieval.claims import Claim
    from samantha.retrieval.evaluate import Answerer
    from samantha.retrieval.hybrid import HybridRetriever
    from samantha.retrieval.translate import ModelTranslator


def _retriever() -> HybridRetriever:
    from samantha import locations
    from samantha.retrieval.hybrid import HybridRetriever

    locations.ensure_home()
    return HybridRetriever()


@click.command()
@click.argument("query")
@click.option("-k", "k", type=click.IntRange(1, 50), default=5, show_default=True, help="How many passages.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of {rank, source, title, text, text_en, score}.",
)
def search(query: str, k: int, as_json: bool) -> None:
    """The review passages that best match QUERY (Korean or English)."""
    from samantha.validation import check_text

    check_text(query, "query")  # refuse bad input before loading anything
    from samantha.retrieval import nlp

    nlp.warm_up(query)  # the models it needs load on the other core while the index is read
    found = _retriever().search(query, k)
    if as_json:
        payload = [
            {"rank": i, "source": p.source, "title": p.label, "text": p.text, "text_en": p.text_en,
             "score": round(p.score, 4)}
            for i, p in enumerate(found, start=1)
        ]  # fmt: skip
        click.echo(json_dumps(payload))
        return
    for i, p in enumerate(found, start=1):
        click.echo(terminal_safe(f"{i}. {p.label or p.source} ({p.score:.3f})\n   {p.text}"))
        if p.text_en and p.text_en != p.text:
            click.echo(terminal_safe(f"   English (translated): {p.text_en}"))


@click.group()
def corpus() -> None:
    """The reviews Samantha answers film questions from, and your own notes about the film."""


@corpus.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--translate",
    is_flag=True,
    help="Also translate it into English with the configured model (a capable endpoint model only).",
)
def corpus_add(path: Path, translate: bool) -> None:
    """Index your own .txt or .md file about the film."""
    from samantha.retrieval.index import is_english

    retriever = _retriever()
    retriever.corpus()  # the shipped reviews first, so a refusal below leaves a complete index
    translator = _translator() if translate else None
    info, changed = retriever.index.add_file(path, translator=translator)
    if changed:
        click.echo(terminal_safe(f"Added {info.source}: {info.passages} passages."))
    else:
        click.echo(terminal_safe(f"{info.source} is already indexed and unchanged."))
    english = path.suffix.lower() in (".txt", ".md") and is_english(path.read_text(encoding="utf-8"))
    if english:
        click.echo("It is in English: English questions search it directly.")
    elif translator is not None:
        click.echo(
            terminal_safe(f"Translated into English by {translator.name}; the translation is labelled so.")
        )
    else:
        click.echo(
            "Indexed in its own language only (no English translation): English questions find it through "
            "the multilingual vectors, not by its words. Add it with --translate and a capable model "
            "to translate it."
        )


def _translator() -> ModelTranslator | None:
    """A translator over the configured model when it is capable; None (and why, said) otherwise."""
    from samantha.config import load_settings
    from samantha.llm import create_model
    from samantha.retrieval.translate import ModelTranslator

    model = create_model(load_settings())
    if model.small_model_notice:
        click.echo(
            f"{model.name} is too small to translate reliably; the file is indexed without a translation.",
            err=True,
        )
        return None
    return ModelTranslator(model)


@corpus.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def corpus_list(as_json: bool) -> None:
    """The indexed files: the shipped reviews and what you added."""
    retriever = _retriever()
    retriever.corpus()
    docs = retriever.index.documents()
    if as_json:
        click.echo(json_dumps([d.__dict__ for d in docs]))
        return
    for d in docs:
        click.echo(terminal_safe(f"{d.source:<32} {d.origin:<8} {d.passages:>4} passages  {d.title}"))


@corpus.command("remove")
@click.argument("name")
def corpus_remove(name: str) -> None:
    """Remove a file you added (by its file name)."""
    retriever = _retriever()
    retriever.corpus()
    retriever.index.remove(name)
    click.echo(terminal_safe(f"Removed {name}."))


@corpus.command("rebuild")
def corpus_rebuild() -> None:
    """Re-index everything (the index is a cache; your added files are kept)."""
    from samantha.retrieval.index import CorpusIndex

    index = _retriever().index
    index.conn.execute("DELETE FROM meta WHERE key = 'version'")
    report = CorpusIndex.sync(index)
    click.echo(f"Indexed {len(report.indexed)} files in {report.seconds:.1f} s.")


@click.command("eval")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--set",
    "question_set",
    type=click.Choice(["dev", "heldout", "fresh", "unseen", "all"]),
    default="all",
    show_default=True,
    help="dev: used while building; heldout, fresh, unseen: written later (in that order), only measured.",
)
@click.option(
    "--chat",
    "chat",
    is_flag=True,
    help="Score conversations instead: scripted multi-turn chats in Korean and English through the real "
    "turn on the configured model (routing, language, length, recall, film facts, timing).",
)
def eval_command(as_json: bool, question_set: str, chat: bool) -> None:
    """Score retrieval (recall@1/3/5, MRR, unsupported share) and answers (language, facts, claims) on the
    built-in question sets, per language; answers by the built-in model, and by the configured endpoint
    when there is one; and the message router on its held-apart set (precision and recall per kind)."""
    if chat:
        _eval_chat(as_json)
        return
    from samantha.config import load_settings
    from samantha.conversation.examples import nearest_examples
    from samantha.conversation.route import format_route_report, score_routes
    from samantha.retrieval.evaluate import format_report, run_eval

    retriever = _retriever()
    names = ["dev", "heldout", "fresh", "unseen"] if question_set == "all" else [question_set]
    results = [run_eval(retriever, question_set=name) for name in names]
    settings = load_settings()
    if settings.uses_endpoint:
        answerer, backend = _endpoint_answerer(settings, retriever)
        results += [
            run_eval(retriever, question_set=name, answerer=answerer, backend=backend) for name in names
        ]

    def reviews_gate(text: str) -> bool:
        return bool(retriever.passages_for_turn(text))

    routing = score_routes("heldout", reviews_gate, nearest_examples())
    if as_json:
        # One set: its report with the routing beside it; several: {"retrieval": [...], "routing": {...}}.
        payload = (
            {**results[0], "routing": routing.as_dict()}
            if len(results) == 1
            else {"retrieval": results, "routing": routing.as_dict()}
        )
        click.echo(json_dumps(payload))
    else:
        click.echo(
            "\n\n".join([*(format_report(result) for result in results), format_route_report(routing)])
        )


def _eval_chat(as_json: bool) -> None:
    from samantha.config import load_settings
    from samantha.conversation.evaluate import format_chat_report, run_conversations
    from samantha.llm import create_model
    from samantha.runtime import build_companion

    settings = load_settings()
    model = create_model(settings)
    _retriever()  # the index is built before the clock starts
    report = run_conversations(lambda store: build_companion(settings, model=model, store=store))
    if as_json:
        click.echo(json_dumps(report.as_dict()))
    else:
        click.echo(terminal_safe(format_chat_report(report)))


def _endpoint_answerer(settings: Settings, retriever: HybridRetriever) -> tuple[Answerer, str]:
    """Each question as a chat turn with the configured endpoint, in a database in memory (nothing saved)."""
    from samantha.companion import Companion
    from samantha.llm import create_model
    from samantha.store import Store

    model = create_model(settings)
    companion = Companion(settings, Store.open(None), model, retriever=retriever)

    def answer(question: str) -> tuple[str, list[Claim], bool]:
        result = companion.turn(companion.new_conversation("eval"), question).run()
        return result.answer, result.claims, result.supported

    return answer, f"endpoint {model.name}"


def register(cli: click.Group) -> None:
    cli.add_command(search)
    cli.add_command(corpus)
    cli.add_command(eval_command)
