"""`samantha search`, `samantha corpus add|list|remove|rebuild` and `samantha eval`: the film knowledge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from samantha.textsafe import terminal_safe

if TYPE_CHECKING:
    from samantha.retrieval.hybrid import HybridRetriever


def _retriever() -> HybridRetriever:
    from samantha import locations
    from samantha.retrieval.hybrid import HybridRetriever

    locations.ensure_home()
    return HybridRetriever()


@click.command()
@click.argument("query")
@click.option("-k", "k", type=click.IntRange(1, 50), default=5, show_default=True, help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {rank, source, text, score}.")
def search(query: str, k: int, as_json: bool) -> None:
    """The review passages that best match QUERY (Korean or English)."""
    from samantha.validation import check_text

    check_text(query, "query")  # refuse bad input before loading anything
    found = _retriever().search(query, k)
    if as_json:
        payload = [
            {"rank": i, "source": p.source, "text": p.text, "score": round(p.score, 4)}
            for i, p in enumerate(found, start=1)
        ]
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    for i, p in enumerate(found, start=1):
        click.echo(terminal_safe(f"{i}. [{p.source}] ({p.score:.3f}) {p.text}"))


@click.group()
def corpus() -> None:
    """The reviews Samantha answers film questions from, and your own notes about the film."""


@corpus.command("add")
@click.argument("path", type=click.Path(path_type=Path))
def corpus_add(path: Path) -> None:
    """Index your own .txt or .md file about the film."""
    retriever = _retriever()
    retriever.data()  # the shipped reviews first, so a refusal below leaves a complete index
    info, changed = retriever.index.add_file(path)
    if changed:
        click.echo(terminal_safe(f"Added {info.source}: {info.passages} passages."))
    else:
        click.echo(terminal_safe(f"{info.source} is already indexed and unchanged."))


@corpus.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def corpus_list(as_json: bool) -> None:
    """The indexed files: the shipped reviews and what you added."""
    retriever = _retriever()
    retriever.data()
    docs = retriever.index.documents()
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in docs], ensure_ascii=False))
        return
    for d in docs:
        click.echo(terminal_safe(f"{d.source:<32} {d.origin:<8} {d.passages:>4} passages  {d.title}"))


@corpus.command("remove")
@click.argument("name")
def corpus_remove(name: str) -> None:
    """Remove a file you added (by its file name)."""
    retriever = _retriever()
    retriever.data()
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
    type=click.Choice(["dev", "heldout", "fresh", "all"]),
    default="all",
    show_default=True,
    help="dev: used while building; heldout, fresh: written afterwards (fresh last), only measured.",
)
def eval_command(as_json: bool, question_set: str) -> None:
    """Score retrieval on the built-in question sets: recall@1/3/5, MRR, unsupported share, per language."""
    from samantha.retrieval.evaluate import format_report, run_eval

    retriever = _retriever()
    names = ["dev", "heldout", "fresh"] if question_set == "all" else [question_set]
    results = [run_eval(retriever, question_set=name) for name in names]
    if as_json:
        click.echo(json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False))
    else:
        click.echo("\n\n".join(format_report(result) for result in results))


def register(cli: click.Group) -> None:
    cli.add_command(search)
    cli.add_command(corpus)
    cli.add_command(eval_command)
