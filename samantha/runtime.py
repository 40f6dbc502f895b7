"""Putting the core together from settings: the one place the CLI and the app get a Companion from.

The model, retrieval and turn code are imported inside the functions that build them, so opening the
database (`open_store`) does not wait for them: the app fills its sidebar while they load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samantha import locations
from samantha.store import Store

if TYPE_CHECKING:
    from samantha.companion import Companion
    from samantha.config import Settings
    from samantha.llm import ChatModel
    from samantha.recall import Recall
    from samantha.retrieval import Retriever


def open_store(settings: Settings | None = None) -> Store:
    """The user's database, created and migrated if needed."""
    locations.ensure_home()
    return Store.open(locations.database_path())


def create_model(settings: Settings) -> ChatModel:
    """The model the settings name: an endpoint, a GGUF file, or the built-in one."""
    from samantha.llm import create_model as create

    return create(settings)


def create_retriever() -> Retriever:
    from samantha.retrieval.hybrid import HybridRetriever

    return HybridRetriever()


def _recall(store: Store, archive: Store | None, model: ChatModel, settings: Settings) -> Recall:
    """Recall over `store` (and, incognito, the real database as `archive`). What it may send depends on
    where the model is: local memories never leave the machine."""
    from samantha.extraction import extractor_for
    from samantha.llm.endpoints import model_is_remote
    from samantha.recall import Recall

    return Recall(
        store,
        archive=archive,
        remote=model_is_remote(model, settings),
        remote_memory=settings.remote_memory,
        extractor=extractor_for(model, settings),
    )


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
    from samantha.companion import Companion

    if incognito or settings.incognito:
        archive = store if store is not None else Store.open_readonly(locations.database_path())
        store = Store.open(None)
    else:
        archive = None
        store = store or open_store(settings)
    model = model or create_model(settings)
    recall = _recall(store, archive, model, settings)
    return Companion(settings, store, model, retriever=create_retriever(), recall=recall)


def incognito_copy(companion: Companion) -> Companion:
    """Incognito over a ready core: the same model and retriever, writing to a database in memory and
    recalling from `companion`'s database."""
    from samantha.companion import Companion

    scratch = Store.open(None)
    recall = _recall(scratch, companion.store, companion.model, companion.settings)
    return Companion(
        companion.settings, scratch, companion.model, retriever=companion.retriever, recall=recall
    )
