"""Any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp server, vLLM, LM Studio) via the `openai` SDK."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from samantha import tokens
from samantha.config import Settings
from samantha.errors import (
    ModelAuthError,
    ModelError,
    ModelRateLimited,
    ModelTimeout,
    ModelUnavailable,
)
from samantha.llm.base import ChatMessage

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_ENDPOINT_CONTEXT = 16384


def translate_error(exc: Exception, where: str) -> ModelError:
    """Turn an `openai`/`httpx` exception into one sentence the user can act on."""
    import httpx
    import openai

    if isinstance(exc, openai.AuthenticationError):
        return ModelAuthError(f"{where} refused the API key (HTTP 401); check SAMANTHA_API_KEY.")
    if isinstance(exc, openai.PermissionDeniedError):
        return ModelAuthError(f"{where} denied access (HTTP 403); check the key's permissions.")
    if isinstance(exc, openai.RateLimitError):
        return ModelRateLimited(f"{where} is rate-limiting requests (HTTP 429); try again in a moment.")
    if isinstance(exc, openai.NotFoundError):
        return ModelError(f"{where} does not know that model or path (HTTP 404); check SAMANTHA_MODEL.")
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return ModelTimeout(f"{where} did not answer in time.")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return ModelUnavailable(f"Cannot reach {where}; is the server running?")
    if isinstance(exc, openai.APIStatusError):
        error = ModelError(f"{where} answered with an error (HTTP {exc.status_code}).")
        error.retryable = exc.status_code >= 500
        return error
    if isinstance(exc, openai.APIError):
        return ModelError(f"{where} sent a reply Samantha could not read.")
    return ModelError(f"{where} failed: {exc}.")


class OpenAIModel:
    backend = "openai"
    small_model_notice: str | None = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.base_url
        self.where = f"The model endpoint {settings.base_url}" if settings.base_url else "OpenAI"
        self._model = settings.model or (None if settings.base_url else DEFAULT_OPENAI_MODEL)
        self.context_window = settings.context_window or DEFAULT_ENDPOINT_CONTEXT

    @cached_property
    def client(self) -> Any:
        import httpx
        import openai

        key = self.settings.api_key.get_secret_value() if self.settings.api_key else "not-needed"
        timeout = httpx.Timeout(self.settings.timeout, connect=min(self.settings.timeout, 10.0))
        return openai.OpenAI(
            api_key=key, base_url=self.base_url, timeout=timeout, max_retries=self.settings.max_retries
        )

    @property
    def name(self) -> str:
        return self._model or "(first model at the endpoint)"

    def model_id(self) -> str:
        """The configured model, or the first one a local server lists (Ollama, llama.cpp server)."""
        if self._model is None:
            try:
                listed = self.client.models.list().data
            except Exception as exc:
                raise translate_error(exc, self.where) from None
            if not listed:
                raise ModelError(f"{self.where} lists no models; set SAMANTHA_MODEL.")
            self._model = str(listed[0].id)
        return self._model

    def count_tokens(self, text: str) -> int:
        return tokens.count_tokens(text)

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        model = self.model_id()
        # A server that drips bytes forever never trips the SDK's read timeout, so bound the whole reply.
        deadline = time.monotonic() + max(self.settings.timeout * 4, 120.0)
        silence_limit = self.settings.timeout
        try:
            response = self.client.chat.completions.create(
                model=model,
                messages=list(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
            )
            last_content = time.monotonic()
            try:
                for chunk in response:
                    now = time.monotonic()
                    if now > deadline or now - last_content > silence_limit:
                        raise ModelTimeout(f"{self.where} kept sending without finishing the reply.")
                    if not chunk.choices:
                        continue
                    piece = chunk.choices[0].delta.content
                    if piece:
                        last_content = now
                        yield piece
            finally:
                response.close()
        except ModelError:
            raise
        except Exception as exc:
            raise translate_error(exc, self.where) from None
