"""A small scripted OpenAI-compatible HTTP server of the tests' own, on 127.0.0.1 with an ephemeral port.

It serves `GET /v1/models` and `POST /v1/chat/completions` (streaming SSE or one JSON object) so the real
`openai` SDK runs end to end, and it can misbehave on purpose: HTTP errors, rate limits, silence, a stream
cut mid-reply, malformed SSE, an endless slow drip, a reply of several MB. Every request is recorded.

    with OpenAITestServer() as server:
        server.enqueue(Reply.error(500), Reply.text("Hello."))
        ... SAMANTHA_BASE_URL=server.url ...
        assert len(server.chat_requests) == 2

Everything is bounded in time: a hanging or dripping reply ends when the server stops or after
`Reply.max_seconds`, whichever comes first, so no test can leave a thread behind for long.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODELS = ("test-model", "second-model")


@dataclass
class Reply:
    """How the server answers one chat completion request.

    kind: `text` (a normal reply), `status` (an HTTP error), `hang` (headers never come), `cut` (the
    stream stops mid-reply, the connection is dropped), `malformed` (SSE that is not JSON), `drip` (an
    endless slow stream), `close` (the connection is closed before any answer), `trickle` (response
    headers that never end, one line every `piece_delay` seconds).
    """

    kind: str = "text"
    pieces: list[str] = field(default_factory=lambda: ["Hello ", "from ", "the ", "test ", "server."])
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_body: dict[str, Any] | None = None
    piece_delay: float = 0.0
    """Seconds to wait before each piece (also the drip interval)."""
    drip_content: bool = True
    """For `drip`: send content pieces (True) or only SSE keep-alive comments (False)."""
    max_seconds: float = 60.0
    """Upper bound for `hang` and `drip`, so a test thread never outlives its test for long."""
    finish: bool = True
    """Send the final chunk with `finish_reason` and `data: [DONE]`."""
    finish_reason: str = "stop"
    """`stop`, or `length` for a reply cut at `max_tokens`."""
    prompt_seconds: float = 0.0
    """Seconds spent "reading the prompt" before the first piece (after the headers), sending only SSE
    keep-alive comments meanwhile, as llama.cpp's server does on a long prompt on CPU."""
    header_delay: float = 0.0
    """Seconds before the response headers are sent at all."""
    stall_after: int | None = None
    """For `text`: after this many pieces, fall silent (not a byte) for `stall_seconds`, then go on."""
    stall_seconds: float = 0.0
    timings: dict[str, Any] | None = None
    """llama.cpp's `timings` object, sent with the final chunk (prompt_n, prompt_ms, prompt_per_second...)."""

    @classmethod
    def text(cls, text: str | list[str], piece_delay: float = 0.0) -> Reply:
        pieces = text if isinstance(text, list) else _split(text)
        return cls("text", pieces=pieces, piece_delay=piece_delay)

    @classmethod
    def error(cls, status: int = 500, message: str = "Internal server error", **headers: str) -> Reply:
        body = {"error": {"message": message, "type": "server_error", "code": None}}
        return cls("status", status=status, headers=dict(headers), error_body=body)

    @classmethod
    def rate_limited(cls, retry_after: float | None = None) -> Reply:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        body = {"error": {"message": "Rate limit reached", "type": "rate_limit_error", "code": None}}
        return cls("status", status=429, headers=headers, error_body=body)

    @classmethod
    def unauthorized(cls) -> Reply:
        body = {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
        return cls("status", status=401, error_body=body)

    @classmethod
    def hang(cls, max_seconds: float = 30.0) -> Reply:
        return cls("hang", max_seconds=max_seconds)

    @classmethod
    def cut(cls, pieces: list[str] | None = None, piece_delay: float = 0.0) -> Reply:
        return cls("cut", pieces=pieces or ["This reply ", "will be ", "cut "], piece_delay=piece_delay)

    @classmethod
    def malformed(cls, pieces: list[str] | None = None) -> Reply:
        return cls("malformed", pieces=pieces if pieces is not None else ["Half a "])

    @classmethod
    def drip(cls, interval: float = 0.2, *, content: bool = True, max_seconds: float = 60.0) -> Reply:
        return cls("drip", piece_delay=interval, drip_content=content, max_seconds=max_seconds)

    @classmethod
    def huge(cls, megabytes: float = 5.0, piece_chars: int = 64 * 1024) -> Reply:
        total = int(megabytes * 1024 * 1024)
        count = max(1, total // piece_chars)
        return cls("text", pieces=["x" * (piece_chars - 1) + " " for _ in range(count)])

    @classmethod
    def close(cls) -> Reply:
        return cls("close")

    @classmethod
    def null_content(cls, chunks: int = 3) -> Reply:
        """A well-formed stream whose every delta has `"content": null`, then a proper finish."""
        return cls("null", pieces=[""] * chunks)

    @classmethod
    def trickle(cls, interval: float = 0.5, max_seconds: float = 60.0) -> Reply:
        return cls("trickle", piece_delay=interval, max_seconds=max_seconds)

    @classmethod
    def cut_at_length(cls, text: str | list[str]) -> Reply:
        """A reply the server stopped at `max_tokens` (finish_reason `length`), properly finished."""
        pieces = text if isinstance(text, list) else _split(text)
        return cls("text", pieces=pieces, finish_reason="length")

    @classmethod
    def slow_prompt(
        cls, seconds: float, text: str = "Finally, an answer.", *, headers_first: bool = True
    ) -> Reply:
        """A server that takes `seconds` to read the prompt: headers (and keep-alives) first, or nothing."""
        if headers_first:
            return cls("text", pieces=_split(text), prompt_seconds=seconds)
        return cls("text", pieces=_split(text), header_delay=seconds)

    @classmethod
    def stall(cls, pieces: list[str], after: int, seconds: float) -> Reply:
        """A reply that stops mid-way without sending a byte (no keep-alives) for `seconds`."""
        return cls("text", pieces=pieces, stall_after=after, stall_seconds=seconds)

    @classmethod
    def context_exceeded(cls, n_prompt: int, n_ctx: int) -> Reply:
        """llama.cpp's refusal of a prompt longer than its context (HTTP 400, its own error fields)."""
        body = {
            "error": {
                "code": 400,
                "message": "the request exceeds the available context size, try increasing it",
                "type": "exceed_context_size_error",
                "n_prompt_tokens": n_prompt,
                "n_ctx": n_ctx,
            }
        }
        return cls("status", status=400, error_body=body)

    @classmethod
    def openai_context_exceeded(cls, n_prompt: int, n_ctx: int, max_tokens: int = 400) -> Reply:
        """The refusal OpenAI and vLLM send: the numbers are only in the message."""
        message = (
            f"This model's maximum context length is {n_ctx} tokens. However, you requested "
            f"{n_prompt + max_tokens} tokens ({n_prompt} in the messages, {max_tokens} in the completion). "
            "Please reduce the length of the messages or completion."
        )
        body = {
            "error": {"message": message, "type": "invalid_request_error", "code": "context_length_exceeded"}
        }
        return cls("status", status=400, error_body=body)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    """When it arrived (time.monotonic()), to check the spacing of retries."""

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _split(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words)]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed), for `connection refused`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # Routing

    def do_GET(self) -> None:
        self._record(b"")
        owner = self.server.owner
        path = self.path.rstrip("/")
        native = owner.native_routes().get(("GET", path))
        if native is not None:
            self._send_json(200, native)
        elif path.endswith("/v1/models") or path == "/models":
            if owner.models_reply is not None:
                self._answer(owner.models_reply, model="", stream=False)
                return
            self._send_json(200, {"object": "list", "data": owner.model_entries()})
        else:
            self._send_json(404, {"error": {"message": f"No route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self._record(body)
        owner = self.server.owner
        if owner.flavour == "ollama" and self.path.rstrip("/") == "/api/show":
            self._send_json(200, owner.ollama_show())
            return
        if "chat/completions" not in self.path:  # a query in the base URL lands before it
            self._send_json(404, {"error": {"message": f"No route {self.path}", "type": "not_found"}})
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self._send_json(400, {"error": {"message": "Body is not JSON", "type": "invalid_request_error"}})
            return
        reply = self.server.owner.next_reply()
        self._answer(reply, model=str(request.get("model", "")), stream=bool(request.get("stream")))

    # Answers

    def _record(self, body: bytes) -> None:
        entry = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        with self.server.owner.lock:
            self.server.owner.requests.append(entry)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server stops; False when it did."""
        return not self.server.owner.stopping.wait(seconds)

    def _wait_for_client(self, seconds: float) -> bool:
        """Sleep `seconds` unless the server stops or the client closes the connection (recorded in
        `disconnects`); False if either happened."""
        import select

        ends = time.monotonic() + seconds
        while (left := ends - time.monotonic()) > 0:
            if self.server.owner.stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    gone = self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    gone = True
                if gone:
                    self._client_gone()
                    return False
        return True

    def _client_gone(self) -> None:
        with self.server.owner.lock:
            self.server.owner.disconnects.append(time.monotonic())

    def _answer(self, reply: Reply, *, model: str, stream: bool) -> None:
        kind = reply.kind
        if kind == "status":
            self._send_json(reply.status, reply.error_body or {}, reply.headers)
            return
        if kind == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "hang":
            self._wait_for_client(reply.max_seconds)
            self.close_connection = True
            return
        if kind == "trickle":
            self._trickle_headers(reply)
            return
        if not stream:
            if kind != "text":
                # Non-streaming clients see the fault as a truncated body.
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"id": "chatcmpl-test", "choices": [')
                self.close_connection = True
                return
            text = "".join(reply.pieces)
            self._send_json(200, _completion(model, text))
            return
        self._stream(reply, model)

    def _stream(self, reply: Reply, model: str) -> None:
        if reply.header_delay and not self._wait_for_client(reply.header_delay):
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            if reply.kind == "drip":
                self._drip(reply, model)
                return
            if reply.prompt_seconds:
                reading_until = time.monotonic() + reply.prompt_seconds
                while time.monotonic() < reading_until:
                    if not self._wait(min(0.2, max(0.0, reading_until - time.monotonic()))):
                        return
                    self._chunk(b": keep-alive\n\n")
            for n, piece in enumerate(reply.pieces):
                if n == reply.stall_after and not self._wait_for_client(reply.stall_seconds):
                    return
                if reply.piece_delay and not self._wait(reply.piece_delay):
                    return
                payload = _chunk_payload(model, piece, first=n == 0)
                if reply.kind == "null":
                    payload["choices"][0]["delta"]["content"] = None
                self._chunk(_sse(payload))
            if reply.kind == "cut":
                # Drop the connection without the final chunk, [DONE] or the chunked terminator.
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply.kind == "malformed":
                self._chunk(b'data: {"id": "chatcmpl-test", "choices": [{"delta": {"content": "oops\n\n')
                self._chunk(b"data: this is not json at all\n\n")
                self._chunk(b"data: [DONE]\n\n")
            elif reply.finish:
                final = _chunk_payload(model, None, finish_reason=reply.finish_reason)
                if reply.timings is not None:
                    final["timings"] = reply.timings
                self._chunk(_sse(final))
                self._chunk(b"data: [DONE]\n\n")
            self._end_chunks()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self._client_gone()
            return  # the client went away; that is what some tests do on purpose

    def _trickle_headers(self, reply: Reply) -> None:
        """A status line, then header lines that keep coming and never end (no blank line)."""
        self.close_connection = True
        ends = time.monotonic() + reply.max_seconds
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n")
            self.wfile.flush()
            n = 0
            while time.monotonic() < ends and self._wait(reply.piece_delay):
                n += 1
                self.wfile.write(f"X-Trickle-{n}: still coming\r\n".encode())
                self.wfile.flush()
        except OSError:
            return  # the client gave up, as it should

    def _drip(self, reply: Reply, model: str) -> None:
        ends = time.monotonic() + reply.max_seconds
        first = True
        while time.monotonic() < ends:
            if not self._wait(reply.piece_delay):
                return
            if reply.drip_content:
                self._chunk(_sse(_chunk_payload(model, ".", first=first)))
                first = False
            else:
                self._chunk(b": keep-alive\n\n")
        self._end_chunks()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def _chunk_payload(
    model: str, content: str | None, *, first: bool = False, finish_reason: str | None = None
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if first:
        delta["role"] = "assistant"
    if content is not None:
        delta["content"] = content
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: OpenAITestServer


class OpenAITestServer:
    """The scripted server. Start it with `with` (or `start()`/`stop()`); point the client at `url`."""

    def __init__(
        self,
        models: tuple[str, ...] | list[str] = DEFAULT_MODELS,
        default: Reply | None = None,
        *,
        flavour: str | None = None,
        context: int | None = None,
        port: int = 0,
    ):
        """`flavour` (`llama.cpp`, `ollama`, `vllm`, `lm-studio`) adds that server's own routes, which
        announce `context` tokens of context; `port` 0 takes any free one."""
        self.models = list(models)
        self.flavour = flavour
        self.context = context
        self.default = default or Reply.text("Hello from the test server.")
        """The reply used when the queue is empty."""
        self.models_reply: Reply | None = None
        """Set to a `Reply.error(...)` to make `/v1/models` fail."""
        self.queue: list[Reply] = []
        self.requests: list[Recorded] = []
        self.disconnects: list[float] = []
        """When (time.monotonic()) a client closed a connection the server was still answering."""
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL an OpenAI client wants: `http://127.0.0.1:PORT/v1`."""
        return f"http://127.0.0.1:{self.port}/v1"

    def model_entries(self) -> list[dict[str, Any]]:
        """`/v1/models` entries, with the extra fields the flavour's server adds."""
        entries: list[dict[str, Any]] = []
        for name in self.models:
            entry: dict[str, Any] = {"id": name, "object": "model", "created": 0, "owned_by": "tests"}
            if self.flavour == "vllm" and self.context:
                entry["max_model_len"] = self.context
            if self.flavour == "llama.cpp":
                entry["owned_by"] = "llamacpp"
                entry["meta"] = {"n_ctx_train": 131072, "n_params": 1_540_000_000}
            entries.append(entry)
        return entries

    def native_routes(self) -> dict[tuple[str, str], Any]:
        """The flavour's own GET routes and their JSON answers."""
        if self.flavour == "llama.cpp":
            return {
                ("GET", "/props"): {"default_generation_settings": {"n_ctx": self.context}, "total_slots": 1}
            }
        if self.flavour == "ollama":
            return {("GET", "/api/version"): {"version": "0.6.8"}}
        if self.flavour == "lm-studio":
            data = [
                {
                    "id": m,
                    "type": "llm",
                    "state": "loaded",
                    "max_context_length": 32768,
                    "loaded_context_length": self.context,
                }
                for m in self.models
            ]
            return {("GET", "/api/v0/models"): {"object": "list", "data": data}}
        return {}

    def ollama_show(self) -> dict[str, Any]:
        parameters = (
            f'num_ctx                        {self.context}\nstop "<|im_end|>"' if self.context else ""
        )
        return {
            "parameters": parameters,
            "details": {"family": "qwen2", "parameter_size": "3.1B", "quantization_level": "Q4_K_M"},
            "model_info": {"general.architecture": "qwen2", "qwen2.context_length": 32768},
        }

    def enqueue(self, *replies: Reply) -> None:
        with self.lock:
            self.queue.extend(replies)

    def next_reply(self) -> Reply:
        with self.lock:
            return self.queue.pop(0) if self.queue else self.default

    @property
    def chat_requests(self) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if "chat/completions" in r.path]

    def start(self) -> OpenAITestServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
