"""Choosing the backend from settings."""

from __future__ import annotations

from samantha.config import Settings
from samantha.llm.base import ChatModel


def create_model(settings: Settings) -> ChatModel:
    """An endpoint when one is configured, else the embedded model."""
    if settings.uses_endpoint:
        from samantha.llm.openai_backend import OpenAIModel

        return OpenAIModel(settings)
    from samantha.llm.embedded import EmbeddedModel

    return EmbeddedModel(
        settings.model_path, context_window=settings.context_window, threads=settings.threads
    )
