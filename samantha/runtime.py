"""Putting the core together from settings: the one place the CLI and the app get a Companion from."""

from __future__ import annotations

from samantha import locations
from samantha.companion import Companion
from samantha.config import Settings
from samantha.extraction import extractor_for
from samantha.llm import ChatModel, create_model
from samantha.llm.endpoints import model_is_remote
from samantha.recall import Recall
from samantha.retrieval import Retriever
from samantha.store import Store


def open_store(settings: Settings | None = None) -> Store:
    locations.ensure_home()
    return Store.open(locations.database_path())


def create_retriever() -> Retriever:
    from samantha.retrieval.hybrid import HybridRetriever

    return HybridRetriever()


def build_companion(
    settings: Settings,
    *,
    model: ChatModel | None = None,
    store: Store | None = None,
    incognito: bool = False,
) -> Companion:
    """The Companion for these settings.

    Incognito (`incognito=True` or the `incognito` setting) writes nothing at all: the conversation,
    its memories and summaries go to a database in memory, while recall still reads earlier
    conversations from the real database (`store`, or the file opened read-only).
    """
    if incognito or settings.incognito:
        archive = store if store is not None else Store.open_readonly(locations.database_path())
        store = Store.open(None)
    else:
        archive = None
        store = store or open_store(settings)
    model = model or create_model(settings)
    # What recall may send depends on where the model is: local memories never leave the machine.
    recall = Recall(
        store,
        archive=archive,
        remote=model_is_remote(model, settings),
        remote_memory=settings.remote_memory,
        extractor=extractor_for(model, settings),
    )
    return Companion(settings, store, model, retriever=create_retriever(), recall=recall)
