"""Finding local OpenAI-compatible servers when no backend is configured, on their usual loopback ports.

The probe is one non-blocking TCP connect per port, all at once, waited on together: on loopback a port
nobody listens on refuses at once, so "nothing there" costs well under a millisecond per port (bounded by
`CONNECT_SECONDS` if a firewall drops instead). Only a port that accepts is asked over HTTP what it is and
which models it has (`samantha.llm.servers`), those in parallel too. Loopback only: nothing leaves the
machine.
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from dataclasses import dataclass

from samantha.llm.servers import ServerInfo, describe_server

#: Where each server listens by default, in the order one is preferred when several run.
KNOWN_PORTS: tuple[tuple[str, int], ...] = (
    ("ollama", 11434),
    ("llama.cpp", 8080),
    ("lm-studio", 1234),
    ("vllm", 8000),
)
HOST = "127.0.0.1"
#: Longest wait for a TCP connection on loopback (a refused one comes back at once).
CONNECT_SECONDS = 0.1
#: Longest wait for a listening server to say what it has; something else on the port is skipped after it.
DESCRIBE_SECONDS = 2.0


@dataclass
class Detected:
    """A server found on loopback that lists at least one model."""

    kind: str
    port: int
    info: ServerInfo

    @property
    def base_url(self) -> str:
        return self.info.base_url


def listening(ports: list[int], timeout: float = CONNECT_SECONDS) -> set[int]:
    """Which of `ports` accept a TCP connection on 127.0.0.1, all tried at once."""
    found: set[int] = set()
    selector = selectors.DefaultSelector()
    sockets: list[socket.socket] = []
    try:
        for port in ports:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setblocking(False)
            code = sock.connect_ex((HOST, port))
            if code == 0:
                found.add(port)
            elif code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
                selector.register(sock, selectors.EVENT_WRITE, port)
        deadline = time.monotonic() + timeout
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _ in selector.select(remaining):
                sock = key.fileobj  # type: ignore[assignment]
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    found.add(key.data)
                selector.unregister(sock)
    finally:
        selector.close()
        for sock in sockets:
            sock.close()
    return found


def detect(known: tuple[tuple[str, int], ...] = KNOWN_PORTS) -> list[Detected]:
    """Every usable server on the known ports, in order of preference; [] when none (the usual case)."""
    ports = [port for _, port in known]
    open_ports = listening(ports)
    if not open_ports:
        return []
    candidates = [(kind, port) for kind, port in known if port in open_ports]
    from concurrent.futures import ThreadPoolExecutor  # only when something listens

    with ThreadPoolExecutor(max_workers=len(candidates)) as pool:
        infos = list(
            pool.map(
                lambda pair: describe_server(
                    f"http://{HOST}:{pair[1]}/v1", timeout=DESCRIBE_SECONDS, kind_hint=pair[0]
                ),
                candidates,
            )
        )
    return [
        Detected(kind=info.kind, port=port, info=info)
        for (_, port), info in zip(candidates, infos, strict=True)
        if info.models
    ]
