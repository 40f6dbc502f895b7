"""A model's reply that can be stopped at once, whatever the backend is doing.

A backend only returns to Python between its pieces: llama.cpp reading a long prompt, or an endpoint
that has not sent its first token, can hold the thread for seconds. `stoppable` iterates the backend's
stream in a helper thread and hands its pieces over a queue, checking `stop` every POLL_SECONDS: the
reply ends within that time of a stop, and the backend is closed at its next piece (the embedded model
at its next token), so it does not go on computing a reply nobody reads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator

#: How often the reader checks for a stop while the backend is busy.
POLL_SECONDS = 0.02

_END = object()


def stoppable(pieces: Iterator[str], stop: threading.Event) -> Iterator[str]:
    """Yield `pieces` until they end or `stop` is set; a backend's exception is raised here."""
    handed: queue.Queue[object] = queue.Queue()
    left = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                handed.put(piece)
                if stop.is_set() or left.is_set():
                    break
        except BaseException as exc:  # handed to the reader, who raises it in its own thread
            handed.put(exc)
        finally:
            if isinstance(pieces, Generator):
                pieces.close()  # ended here, in the thread that runs it
            handed.put(_END)

    threading.Thread(target=produce, name="model-stream", daemon=True).start()
    try:
        while not stop.is_set():
            try:
                item = handed.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, str)
            yield item
    finally:
        left.set()  # the reader left (done, stopped, or an error): the helper stops at its next piece
