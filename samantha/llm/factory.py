"""Choosing the backend from settings."""

from __future__ import annotations

from samantha.config import Settings
from samantha.llm.base import ChatModel


def create_model(settings: Settings) -> ChatModel:
    """A configured endpoint; else a configured GGUF; else a local server found on loopback (when nothing
    is configured and detection is on); else the built-in model. A configured backend is never
    second-guessed: only `backend = "auto"` with nothing set looks around."""
    if settings.uses_endpoint:
        from samantha.llm.openai_backend import OpenAIModel

        return OpenAIModel(settings)
    if settings.looks_for_servers:
        from samantha.llm.discovery import detect

        found = detect()
        if found:
            from samantha.llm.openai_backend import OpenAIModel

            return OpenAIModel(settings, detected=found[0])
    from samantha.llm.embedded import EmbeddedModel

    return EmbeddedModel(
        settings.model_path, context_window=settings.context_window, threads=settings.threads
    )
