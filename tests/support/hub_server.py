"""A model hub of the tests' own on 127.0.0.1: enough of Hugging Face's file API for `huggingface_hub`.

It serves `HEAD`/`GET /{owner}/{repo}/resolve/{revision}/{filename}` with the headers the hub client reads
(`ETag`/`X-Linked-Etag` = the sha256 of a large file, `X-Linked-Size`, `X-Repo-Commit`) and honours
`Range: bytes=N-` for resuming. It can misbehave on purpose: drop the connection part-way through the first
download, or serve bytes that do not match the checksum it announces. Every request is recorded.

    with HubTestServer({"owner/repo/model.gguf": data}) as hub:
        ... SAMANTHA_HUB_URL=hub.url ...
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<revision>[^/]+)/(?P<filename>.+)$")
_RANGE = re.compile(r"^bytes=(\d+)-$")


@dataclass
class HubRequest:
    method: str
    path: str
    range: str | None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, *, body: bool) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(HubRequest(self.command, self.path, self.headers.get("Range")))
        match = _RESOLVE.match(unquote(self.path.split("?")[0]))
        data = owner.files.get(f"{match['repo']}/{match['filename']}") if match else None
        if data is None:
            missing = "RepoNotFound" if match and not owner.has_repo(match["repo"]) else "EntryNotFound"
            self.send_response(404)
            self.send_header("X-Error-Code", missing)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return
        sha = hashlib.sha256(data).hexdigest()
        start = 0
        requested = _RANGE.match(self.headers.get("Range") or "")
        if body and requested:
            start = min(int(requested.group(1)), len(data))
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{sha}"')
        self.send_header("X-Linked-Etag", f'"{sha}"')
        self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if not body:
            return
        payload = owner.corrupted(data) if owner.corrupt else data
        stop = len(data)
        with owner.lock:
            if owner.drop_after is not None:
                stop = min(stop, start + owner.drop_after)
                owner.drop_after = None  # only the first download is cut
        try:
            view = memoryview(payload)
            for offset in range(start, stop, 256 * 1024):
                self.wfile.write(view[offset : min(offset + 256 * 1024, stop)])
            self.wfile.flush()
            if stop < len(data):
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: HubTestServer


class HubTestServer:
    """Files by `owner/repo/filename`. `drop_after`: bytes the first GET sends before the connection is
    dropped; `corrupt`: serve altered bytes under the true checksum."""

    def __init__(self, files: dict[str, bytes], *, drop_after: int | None = None, corrupt: bool = False):
        self.files = files
        self.drop_after = drop_after
        self.corrupt = corrupt
        self.requests: list[HubRequest] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread: threading.Thread | None = None

    def has_repo(self, repo: str) -> bool:
        return any(name.startswith(repo + "/") for name in self.files)

    @staticmethod
    def corrupted(data: bytes) -> bytes:
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def downloads(self) -> list[HubRequest]:
        with self.lock:
            return [r for r in self.requests if r.method == "GET"]

    def start(self) -> HubTestServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> HubTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
