"""Putting the core together from settings: the one place the CLI and the app get a Companion from."""

from __future__ import annotations

from samantha import locations
from samantha.chat import Companion
from samantha.config import Settings
from samantha.llm import ChatModel, create_model
from samantha.recall import Recall
from samantha.retrieval import Retriever
from samantha.store import Store


def open_store(settings: Settings | None = None) -> Store:
    locations.ensure_home()
    return Store.open(locations.database_path())


def create_retriever() -> Retriever:
    from samantha.retrieval.simple import SimpleRetriever

    return SimpleRetriever()


def build_companion(
    settings: Settings, *, model: ChatModel | None = None, store: Store | None = None
) -> Companion:
    store = store or open_store(settings)
    return Companion(
        settings,
        store,
        model or create_model(settings),
        retriever=create_retriever(),
        recall=Recall(store),
    )
