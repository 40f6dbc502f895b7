"""One lock over the process's standard output and error while a model loads in the background.

llama-cpp-python points the whole process's stdout and stderr at /dev/null while it loads a model's
weights (its quiet mode). The embedded model loads under `LOCK`, and the command line writes what it must
not lose (an error, a notice, a prompt) under it too, so a load in a background thread (`samantha.preload`)
never swallows them.
"""

from __future__ import annotations

import threading

LOCK = threading.Lock()
