"""The app started in a pseudo-terminal, the way a person's terminal starts it, for the benches that
time what it draws (its first frame, the sidebar) and how soon it replies."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CTRL_Q = b"\x11"


def samantha_command() -> list[str]:
    """The installed `samantha` script beside this Python, else the module."""
    script = Path(sys.executable).with_name("samantha")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "samantha"]


@dataclass
class PtyApp:
    leader: int
    process: subprocess.Popen[bytes]
    started: float

    def elapsed(self) -> float:
        """Seconds since the process was spawned."""
        return time.perf_counter() - self.started

    def running(self) -> bool:
        return self.process.poll() is None

    def read(self, wait: float) -> bytes | None:
        """What the app drew within `wait` seconds (b"" for nothing yet); None once the terminal closed."""
        if not select.select([self.leader], [], [], wait)[0]:
            return b""
        try:
            return os.read(self.leader, 1 << 16)
        except OSError:
            return None

    def type(self, keys: bytes) -> None:
        os.write(self.leader, keys)


@contextlib.contextmanager
def app_in_pty(env: dict[str, str], rows: int = 36, columns: int = 120) -> Iterator[PtyApp]:
    """`samantha` spawned in a `columns` x `rows` terminal; quit with ctrl+q (killed if it does not go)."""
    leader, follower = pty.openpty()
    os.set_blocking(leader, False)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        samantha_command(), stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    try:
        yield PtyApp(leader, process, started)
    finally:
        try:
            os.write(leader, CTRL_Q)
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(leader)
