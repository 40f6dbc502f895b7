"""Changing the config file for the user (`samantha models use`), keeping their comments and layout.

Written atomically: the new text goes to a temporary file in the same folder, is flushed to disk, then
renamed over the old file, so a crash leaves either the old config or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from samantha import locations
from samantha.errors import ConfigError


def update_config(values: dict[str, object], remove: tuple[str, ...] = ()) -> Path:
    """Set top-level `values` and drop the keys in `remove` in the config file; returns its path."""
    import tomlkit

    path = locations.config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc}.") from None
    except Exception as exc:  # tomlkit's parse errors
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
    for key in remove:
        document.pop(key, None)
    for key, value in values.items():
        document[key] = value
    write_atomically(path, tomlkit.dumps(document))
    return path


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"The config file {path} cannot be written: {exc.strerror}.") from None
    try:  # the rename itself reaches the disk only when the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass
