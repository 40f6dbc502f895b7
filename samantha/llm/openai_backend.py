"""Any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp server, vLLM, LM Studio) via the `openai` SDK.

The SDK retries what is worth retrying (429, 5xx, connection errors, timeouts) `max_retries` times with
backoff. Around it, a per-reply watch (`_Watch`) keeps every turn bounded in time with separate budgets
for connecting, for the first token (which grows with the prompt on a slow server) and for silence
mid-reply, each failing with its own sentence. The watch sits in the HTTP client's event hooks, so it also
sees bytes (SSE keep-alive comments) that never reach the SDK's chunk iterator.
"""

from __future__ import annotations

import contextlib
import math
import re
import socket
import threading
import time
from collections.abc import Iterator
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from samantha import tokens
from samantha.config import Settings
from samantha.errors import (
    ModelAuthError,
    ModelContextExceeded,
    ModelError,
    ModelRateLimited,
    ModelTimeout,
    ModelUnavailable,
)
from samantha.llm.base import MESSAGE_OVERHEAD_TOKENS, ChatMessage, ModelDefaults
from samantha.llm.discovery import Detected
from samantha.llm.pace import PromptPace
from samantha.llm.servers import ServerInfo, describe_server, parameters_from_name

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_ENDPOINT_CONTEXT = 16384
#: Floor for the whole reply's time limit, so a slow but steady local model can finish a long reply.
MIN_REPLY_SECONDS = 120.0
#: A reply longer than this many characters per requested token ignores `max_tokens`; it is cut there.
MAX_CHARS_PER_TOKEN = 32
MIN_REPLY_CHARS = 100_000
#: Seconds each request asking the server what it has may take (a local server answers in milliseconds).
INFO_SECONDS = 5.0
#: How often the watchdog looks at a reply's budgets.
WATCHDOG_SECONDS = 0.25
#: Model names quoted in the refusal of an unknown one.
MAX_NAMES_SHOWN = 8


@lru_cache(maxsize=1)
def _http_modules() -> tuple[Any, ...]:
    """The HTTP libraries the SDK may use: `httpx2` (openai >= 3) and/or the older `httpx`."""
    modules = []
    for name in ("httpx2", "httpx"):
        try:
            modules.append(__import__(name))
        except ImportError:
            continue
    return tuple(modules)


def _errors(attribute: str) -> tuple[type[BaseException], ...]:
    return tuple(getattr(module, attribute) for module in _http_modules())


def redact_url(url: str) -> str:
    """`url` without its user:password part, query string and fragment (`?api_key=...`), so a key given
    in the URL never reaches a message."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc, query="", fragment=""))


def status_error(status: int, where: str) -> ModelError:
    """One sentence for an HTTP error status from the endpoint."""
    if status == 401:
        return ModelAuthError(f"{where} refused the API key (HTTP 401); check SAMANTHA_API_KEY.")
    if status == 403:
        return ModelAuthError(f"{where} denied access (HTTP 403); check the key's permissions.")
    if status == 404:
        return ModelError(f"{where} does not know that model or path (HTTP 404); check SAMANTHA_MODEL.")
    if status == 429:
        return ModelRateLimited(f"{where} is rate-limiting requests (HTTP 429); try again in a moment.")
    error = ModelError(f"{where} answered with an error (HTTP {status}).")
    error.retryable = status >= 500
    return error


_CONTEXT_WORDS = re.compile(r"context (?:length|size|window)|exceeds? the available context|too long", re.I)
_CONTEXT_LIMIT = re.compile(
    r"(?:maximum context length is|context (?:length|size|window) (?:is|of)) (\d+)", re.I
)
_PROMPT_SIZE = re.compile(
    r"\((\d+) in the messages|has (\d+) input tokens|prompt (?:is|has) (\d+) tokens", re.I
)


def context_exceeded(body: Any, message: str) -> tuple[int | None, int | None] | None:
    """(prompt tokens, context tokens) if the server refused the request as longer than its context:
    llama.cpp says it in fields, OpenAI and vLLM in the message; None for any other refusal."""
    error = body.get("error", body) if isinstance(body, dict) else {}
    error = error if isinstance(error, dict) else {}
    kind = f"{error.get('type', '')} {error.get('code', '')}"
    text = f"{error.get('message', '')} {message}"
    if "context" not in kind and "exceed_context" not in kind and not _CONTEXT_WORDS.search(text):
        return None
    n_prompt = error.get("n_prompt_tokens")
    n_ctx = error.get("n_ctx")
    if not isinstance(n_ctx, int) and (found := _CONTEXT_LIMIT.search(text)):
        n_ctx = int(found.group(1))
    if not isinstance(n_prompt, int) and (found := _PROMPT_SIZE.search(text)):
        n_prompt = int(next(group for group in found.groups() if group))
    return (n_prompt if isinstance(n_prompt, int) else None, n_ctx if isinstance(n_ctx, int) else None)


def too_long_error(where: str, n_prompt: int | None, n_ctx: int | None, counted: int) -> ModelContextExceeded:
    """One sentence for a request refused as too long, with the numbers the server gave (or Samantha's)."""
    prompt = (
        f"{n_prompt:,} tokens by its count" if n_prompt else f"about {counted:,} tokens by Samantha's count"
    )
    holds = f"its context holds {n_ctx:,}" if n_ctx else "that is more than its context holds"
    error = ModelContextExceeded(
        f"{where} refused the request as too long: the prompt was {prompt} and {holds}; "
        "Samantha fits the next message to what it said (SAMANTHA_CONTEXT_WINDOW sets it by hand)."
    )
    error.n_prompt, error.n_ctx = n_prompt, n_ctx
    return error


def translate_error(exc: BaseException, where: str) -> ModelError:
    """Turn an `openai`/`httpx` exception into one sentence the user can act on."""
    import openai

    if isinstance(exc, ModelError):
        return exc
    too_long = context_exceeded(exc.body, exc.message) if isinstance(exc, openai.APIError) else None
    if too_long and (not isinstance(exc, openai.APIStatusError) or exc.status_code in (400, 413, 422)):
        return too_long_error(where, *too_long, counted=0)
    if isinstance(exc, openai.APIStatusError):
        return status_error(exc.status_code, where)
    if isinstance(exc, (openai.APITimeoutError, *_errors("TimeoutException"))):
        return ModelTimeout(f"{where} did not answer in time.")
    if isinstance(exc, (openai.APIConnectionError, *_errors("TransportError"))):
        return ModelUnavailable(f"{where} cannot be reached; is the server running?")
    if isinstance(exc, openai.APIError | ValueError | KeyError | TypeError | AttributeError):
        # APIError without a status: an error event mid-stream; the others: SSE that is not valid JSON.
        return ModelError(f"{where} sent a reply Samantha could not read.")
    return ModelError(f"{where} failed ({type(exc).__name__}).")


class _Watch:
    """Time limits for one reply, each with its own budget and its own message.

    - connecting: `connect_timeout` per attempt;
    - the first token: `timeout` plus the time the server needs to read the prompt (`PromptPace`), shared
      by every attempt, headers included ("has not started answering after 45 s; it may still be reading
      a long prompt");
    - mid-reply: no new text for `timeout` seconds ("stopped sending the reply for 30 seconds");
    - the whole reply: at most `max(first-token budget + 4 * timeout, MIN_REPLY_SECONDS)`.

    They are checked on every request, response and block of bytes, and by a watchdog thread that shuts
    the connection when a budget runs out while nothing arrives at all (a server silent between header
    lines or between tokens): the server sees the request closed and stops working on it.
    """

    def __init__(self, settings: Settings, where: str, *, prompt_tokens: int = 0, pace: PromptPace) -> None:
        now = time.monotonic()
        self.where = where
        self.timeout = settings.timeout
        self.connect_timeout = settings.connect_timeout
        self.prompt_tokens = prompt_tokens
        self.first_token_budget = pace.first_token_budget(
            settings.timeout, prompt_tokens, settings.prompt_speed
        )
        self.started = now
        self.answer_by = now + self.first_token_budget
        self.reply_by = now + max(self.first_token_budget + settings.timeout * 4, MIN_REPLY_SECONDS)
        self.first_content: float | None = None
        self.last_content = now
        self.failure: ModelError | None = None
        """A failure found on an earlier attempt, reported if the time runs out before a later one works."""
        self.expired: ModelTimeout | None = None
        """The budget that ran out, once the watchdog has shut the connection for it."""
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        threading.Thread(target=self._watchdog, name="samantha-reply-watch", daemon=True).start()

    # Budgets

    def not_started(self) -> ModelTimeout:
        return ModelTimeout(
            f"{self.where} has not started answering after {self.first_token_budget:.0f} s; "
            f"it may still be reading a long prompt ({self.prompt_tokens:,} tokens)."
        )

    def overdue(self) -> ModelTimeout | None:
        """The budget that has run out now, if any."""
        now = time.monotonic()
        if self.first_content is None:
            return self.not_started() if now > self.answer_by else None
        if now > self.reply_by:
            return ModelTimeout(f"{self.where} kept sending without finishing the reply.")
        if now - self.last_content > self.timeout:
            return ModelTimeout(f"{self.where} stopped sending the reply for {self.timeout:g} seconds.")
        return None

    def content_arrived(self, pace: PromptPace) -> None:
        now = time.monotonic()
        if self.first_content is None:
            self.first_content = now
            pace.learn_from_wait(self.prompt_tokens, now - self.started)
        self.last_content = now

    def check(self) -> None:
        """Raise the budget that ran out (called for every block of bytes, keep-alives included)."""
        reason = self.expired or self.overdue()
        if reason is not None:
            raise reason

    def error_for(self, error: ModelError) -> ModelError:
        """What to report for a failure: the budget the watchdog cut the connection for, if it did (or,
        before the first token, what an earlier attempt failed with)."""
        if self.expired is None:
            return error
        if self.first_content is None and self.failure is not None:
            return self.failure
        return self.expired

    # The watchdog

    def _watchdog(self) -> None:
        while not self._done.wait(WATCHDOG_SECONDS):
            reason = self.overdue()
            if reason is not None:
                with self._lock:
                    self.expired = reason
                    for sock in self._sockets:
                        _shut(sock)
                return

    def stop(self) -> None:
        self._done.set()

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: note each new connection's socket, so the watchdog can shut it."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired:
                        _shut(sock)

    # HTTP hooks

    def before_request(self, request: Any) -> None:
        remaining = self.answer_by - time.monotonic()
        if remaining <= 0 or self.expired:
            raise self.expired or self.failure or self.not_started()
        request.extensions["trace"] = self._trace
        # Each attempt connects within its own budget and waits at most for what is left of the first
        # token's budget shared by all attempts. Reads get at least the silence budget: the watchdog,
        # not a read timeout, decides which budget ran out.
        limits = dict(request.extensions.get("timeout") or {})
        limits["connect"] = min(self.connect_timeout, remaining)
        limits["read"] = max(remaining, self.timeout) + WATCHDOG_SECONDS * 4
        limits["write"] = limits["pool"] = remaining
        request.extensions["timeout"] = limits

    def after_response(self, response: Any) -> None:
        status = response.status_code
        if status >= 400:
            self.failure = status_error(status, self.where)
            # The SDK would sleep before its retry; give up now if that retry would start too late.
            if status in (408, 409, 429) or status >= 500:
                delay = _retry_delay(response)
                if time.monotonic() + delay >= self.answer_by:
                    response.close()
                    raise self.failure
            return
        _watch_body(response, self)


def _shut(sock: Any) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _caused_by(exc: BaseException, name: str) -> bool:
    """Whether `exc` or anything it was raised from is an exception class called `name`."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if type(seen).__name__ == name:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_delay(response: Any) -> float:
    """Roughly how long the SDK will sleep before retrying this response (its own rules)."""
    header = response.headers.get("retry-after")
    if header:
        try:
            seconds = float(header)
        except ValueError:
            seconds = 0.0
        if 0 < seconds <= 120:
            return seconds
    try:
        attempt = int(response.request.headers.get("x-stainless-retry-count", "0"))
    except ValueError:
        attempt = 0
    return min(0.5 * 2.0**attempt, 8.0) * 0.75  # the SDK's backoff, less its largest jitter


@lru_cache(maxsize=4)
def _watched_stream_class(base: type) -> type:
    """A body stream of the HTTP library's own base class (it checks), checked against the watch."""

    class WatchedStream(base):
        def __init__(self, inner: Any, watch: _Watch) -> None:
            self.inner = inner
            self.watch = watch

        def __iter__(self) -> Iterator[bytes]:
            for block in self.inner:
                self.watch.check()
                yield block

        def close(self) -> None:
            self.inner.close()

    return WatchedStream


def _watch_body(response: Any, watch: _Watch) -> None:
    for module in _http_modules():
        if isinstance(response, module.Response):
            response.stream = _watched_stream_class(module.SyncByteStream)(response.stream, watch)
            return


class OpenAIModel(ModelDefaults):
    backend = "openai"
    small_model_notice: str | None = None

    def __init__(self, settings: Settings, *, detected: Detected | None = None) -> None:
        """An endpoint from `settings`, or the local server `detected` on loopback (settings still give
        the key, timeouts and any chosen model)."""
        self.settings = settings
        self.base_url = detected.base_url if detected else settings.base_url
        self.source = "detected" if detected else "configured"
        self.where = f"The model endpoint {redact_url(self.base_url)}" if self.base_url else "OpenAI"
        self._model = settings.model or (None if self.base_url else DEFAULT_OPENAI_MODEL)
        self._info: ServerInfo | None = detected.info if detected else None
        if detected:
            self.backend = detected.kind
            self._model = self._model or detected.info.models[0].id
        self._watch: _Watch | None = None
        self.finish_reason: str | None = None
        self._learned_context: int | None = None
        """The context a refusal as too long revealed, when the server did not announce one."""
        self.pace = PromptPace()
        """How fast this server reads prompts, learned from its replies."""
        self._token_scale = 1.0
        """How many of the server's tokens one of Samantha's counted tokens turned out to be (>= 1)."""

    @property
    def info(self) -> ServerInfo:
        """What the server says it has (asked once, on first need); empty for OpenAI itself."""
        if self._info is None:
            if self.base_url:
                key = self.settings.api_key.get_secret_value() if self.settings.api_key else None
                self._info = describe_server(self.base_url, api_key=key, timeout=INFO_SECONDS)
            else:
                self._info = ServerInfo(base_url="")
        return self._info

    @property
    def context_window(self) -> int:
        """`SAMANTHA_CONTEXT_WINDOW`, else what the server says it runs the model with, else a default."""
        if self.settings.context_window:
            return self.settings.context_window
        if self._learned_context:
            return self._learned_context
        if self.base_url:
            listed = self.info.model(self._model) if self._model else next(iter(self.info.models), None)
            if listed and listed.context_window:
                return listed.context_window
        return DEFAULT_ENDPOINT_CONTEXT

    @property
    def parameters(self) -> float | None:
        """Billions of parameters, when the server or the model's name tells."""
        listed = self.info.model(self._model) if self._model and self.base_url else None
        if listed and listed.parameters:
            return listed.parameters
        return parameters_from_name(self._model or "")

    @cached_property
    def client(self) -> Any:
        import openai

        key = self.settings.api_key.get_secret_value() if self.settings.api_key else "not-needed"
        timeout = self.settings.timeout
        http_client = openai.DefaultHttpxClient(
            timeout=timeout,
            event_hooks={"request": [self._before_request], "response": [self._after_response]},
        )
        return openai.OpenAI(
            api_key=key,
            base_url=self.base_url,
            timeout=timeout,
            max_retries=self.settings.max_retries,
            http_client=http_client,
        )

    def _before_request(self, request: Any) -> None:
        if self._watch is not None:
            self._watch.before_request(request)

    def _after_response(self, response: Any) -> None:
        if self._watch is not None:
            self._watch.after_response(response)

    @property
    def name(self) -> str:
        return self._model or "(first model at the endpoint)"

    def model_id(self) -> str:
        """The configured model, or the first one a local server lists (Ollama, llama.cpp server).

        A configured name the server does not list is refused with the names it does list."""
        if self._model is None:
            try:
                listed = [m.id for m in self.info.models] or [
                    str(m.id) for m in self.client.models.list().data
                ]
            except Exception as exc:
                raise translate_error(exc, self.where) from exc
            if not listed:
                raise ModelError(f"{self.where} lists no models; set SAMANTHA_MODEL.")
            self._model = listed[0]
        elif self.base_url and self.info.models and self.info.model(self._model) is None:
            names = ", ".join(self.info.names[:MAX_NAMES_SHOWN])
            more = (
                f" and {len(self.info.names) - MAX_NAMES_SHOWN} more"
                if len(self.info.names) > MAX_NAMES_SHOWN
                else ""
            )
            raise ModelError(
                f"{self.where} has no model '{self._model}' (it has {names}{more}); "
                "set SAMANTHA_MODEL to one of those, or see `samantha models`."
            )
        return self._model

    def count_tokens(self, text: str) -> int:
        """cl100k_base counts, scaled up once the server showed its tokenizer needs more (Korean often)."""
        counted = tokens.count_tokens(text)
        return math.ceil(counted * self._token_scale) if self._token_scale > 1 else counted

    def _learn_from_refusal(self, error: ModelContextExceeded, messages: list[ChatMessage]) -> None:
        """Fit the next request: the server's context, and how much more its tokenizer counts than ours."""
        if error.n_ctx:
            self._learned_context = error.n_ctx
        ours = sum(tokens.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)
        if error.n_prompt and ours and error.n_prompt > ours:
            self._token_scale = max(self._token_scale, error.n_prompt / ours * 1.05)

    def complete_json(self, messages: list[ChatMessage], *, max_tokens: int) -> str:
        """One whole reply (not streamed) in the server's JSON mode; without it if the server refuses it."""
        import openai

        self.client  # noqa: B018  (import the SDK and build the client before the clock starts)
        prompt_tokens = sum(self.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)
        watch = self._watch = _Watch(self.settings, self.where, prompt_tokens=prompt_tokens, pace=self.pace)
        # Not streamed: the whole reply is its "first token", so it gets the first token's budget.
        watch.reply_by = watch.answer_by = watch.answer_by + self.settings.timeout * 4
        request: dict[str, Any] = {
            "model": "",
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "response_format": {"type": "json_object"},
        }
        try:
            request["model"] = self.model_id()
            try:
                response = self.client.chat.completions.create(**request)
            except openai.BadRequestError:  # no JSON mode here (some local servers): ask plainly
                del request["response_format"]
                response = self.client.chat.completions.create(**request)
            return str(response.choices[0].message.content or "")
        except Exception as exc:
            raise watch.error_for(translate_error(exc, self.where)) from None
        finally:
            watch.stop()
            if self._watch is watch:
                self._watch = None

    def warm_up(self, system_prompt: str | None = None) -> None:
        """Import the SDK, build the client and load the token counter now (`samantha.preload`)."""
        self.client  # noqa: B018
        tokens.count_tokens("")

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        self.client  # noqa: B018  (import the SDK and build the client before the clock starts)
        max_chars = max(max_tokens * MAX_CHARS_PER_TOKEN, MIN_REPLY_CHARS)
        received = 0
        finished = False
        self.finish_reason = None
        watch: _Watch | None = None
        try:
            model = self.model_id()
            prompt_tokens = sum(self.count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)
            watch = self._watch = _Watch(
                self.settings, self.where, prompt_tokens=prompt_tokens, pace=self.pace
            )
            response = self.client.chat.completions.create(
                model=model,
                messages=list(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
            )
            try:
                for chunk in response:
                    extra = chunk.model_extra or {}
                    if "timings" in extra:  # llama.cpp's server says how fast it read the prompt
                        self.pace.learn_from_timings(extra["timings"])
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    if choice.finish_reason:
                        finished = True
                        self.finish_reason = str(choice.finish_reason)
                    piece = choice.delta.content if choice.delta else None
                    if piece:
                        watch.content_arrived(self.pace)
                        received += len(piece)
                        if received > max_chars:
                            raise ModelError(
                                f"{self.where} sent a reply far longer than asked for; "
                                f"Samantha kept the first {received - len(piece):,} characters."
                            )
                        yield piece
            finally:
                response.close()
            if not finished:
                raise ModelUnavailable(f"{self.where} broke off the reply before it finished.")
            if not received:  # a finished stream with no text (every `content` null) is not a reply
                raise ModelError(f"{self.where} sent an empty reply.")
        except Exception as exc:
            error = translate_error(exc, self.where)
            if watch is not None:
                error = watch.error_for(error)
            if _caused_by(exc, "ConnectTimeout") and watch is not None and not watch.expired:
                error = ModelUnavailable(
                    f"{self.where} could not be connected to within {self.settings.connect_timeout:g} s; "
                    "is the server running?"
                )
            if isinstance(error, ModelContextExceeded):
                counted = sum(tokens.count_tokens(m["content"]) for m in messages)
                error = too_long_error(self.where, error.n_prompt, error.n_ctx, counted)
                self._learn_from_refusal(error, messages)
            if received and isinstance(error, ModelUnavailable):
                error = ModelUnavailable(f"{self.where} broke off the reply before it finished.")
            raise error from None
        finally:
            if watch is not None:
                watch.stop()
            if self._watch is watch:
                self._watch = None
