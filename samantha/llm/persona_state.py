"""The embedded model's reading of the persona, kept in a file so the next start need not read it again.

Before the first token of a reply the model must read the whole prompt; the persona opens every chat
prompt, and reading it is most of the first token's wait on a small machine. `EmbeddedModel.warm_up`
reads it once and saves llama.cpp's state (its key/value cache of those tokens, a few MB) in the home's
`cache/` folder; a later start restores it, and llama.cpp then reads only what follows the persona.

The file's name is a hash of everything that shapes that state: the persona's tokens, the weights file,
llama.cpp's version, the context size. A changed persona or model simply gets a new file; a file that
fails to load is ignored (the persona is read as before). Files are written whole and renamed into place,
so several processes starting at once never see half of one.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from samantha import locations

#: Bump when what is saved changes meaning.
FORMAT = 1
PREFIX = "persona-"


def path_for(model_path: Path, llama: Any, system_prompt: str) -> Path:
    """The state file for this persona on this model, context size and llama.cpp version."""
    import llama_cpp

    stat = model_path.stat()
    key = "\n".join(
        [
            str(FORMAT),
            llama_cpp.__version__,
            str(model_path.resolve()),
            str(stat.st_size),
            str(stat.st_mtime_ns),
            str(llama.n_ctx()),
            str(llama.n_batch),
            system_prompt,
        ]
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return locations.cache_dir() / f"{PREFIX}{digest}.llama-state"


def restore(llama: Any, path: Path) -> bool:
    """Load the saved state into `llama`; False (and `llama` as if nothing was loaded) when there is none
    or it does not load."""
    import llama_cpp

    if not path.is_file():
        return False
    capacity = llama.n_ctx()
    tokens = (llama_cpp.llama_token * capacity)()
    count = ctypes.c_size_t(0)
    loaded = llama_cpp.llama_state_load_file(
        llama.ctx, str(path).encode(), tokens, capacity, ctypes.byref(count)
    )
    if not loaded or not 0 < count.value <= capacity:
        llama.reset()
        llama._ctx.kv_cache_clear()
        return False
    n = count.value
    llama.input_ids[:n] = tokens[:n]
    llama.n_tokens = n
    # The restored logits are not a live decode's: llama-cpp-python then reads at least one token again.
    llama._requires_eval = True
    return True


def save(llama: Any, path: Path) -> None:
    """Write `llama`'s state (the persona just read) to `path`; a failure only means no file."""
    import llama_cpp

    n = llama.n_tokens
    if n <= 0:
        return
    tokens = (llama_cpp.llama_token * n)(*llama.input_ids[:n].tolist())
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        os.close(handle)
        try:
            if llama_cpp.llama_state_save_file(llama.ctx, scratch.encode(), tokens, n):
                os.replace(scratch, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(scratch)
