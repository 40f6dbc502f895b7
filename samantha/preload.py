"""Start loading, in the background, what a turn is going to need, so it is ready (or nearly) when asked.

The slow loads are native code that runs beside Python's own start-up work: the embedded model's weights
(llama.cpp) and its reading of the persona, Kiwi's Korean model and the sentence encoder's vocabulary and
weights. `samantha ask` starts them before it builds the core; the app once the core is built, while the
user types. Each is loaded once per process behind a lock, so a turn that needs one before it is ready
waits for it, and a turn never waits for one it does not need: for a known message the retrieval models
load only when it may be about the film (`gate.could_be_about_film`, a lexical check that loads nothing).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


def start(
    model: Any = None,
    text: str | None = None,
    persona: str | None = None,
    retrieval_after: Callable[[], None] | None = None,
) -> list[threading.Thread]:
    """Begin loading `model` (a backend with `warm_up(system_prompt)`, given the `persona`) and the
    retrieval models: at once, beside the model, when `text` may be about the film; after the model when
    `text` is not known yet (the app: every turn needs the model, few need the reviews), and after
    `retrieval_after` returns (the app: once its first reply is over). Returns the threads."""
    threads: list[threading.Thread] = []
    film = text is not None and _may_be_about_the_film(text)
    # A film question is answered from the reviews (the small model only counts tokens), and the cores
    # are better spent on the retrieval models than on reading the persona into the model's cache.
    prompt = None if film else persona
    if model is not None:
        threads.append(_thread("model-warm-up", lambda: model.warm_up(prompt)))
    if text is None:
        first = list(threads)

        def retrieval_after_model() -> None:
            for thread in first:
                thread.join()
            if retrieval_after is not None:
                retrieval_after()
            for thread in _retrieval():
                thread.join()

        threads.append(_thread("retrieval-warm-up", retrieval_after_model))
    elif film:
        threads += _retrieval(text)
    return threads


def chat_persona(settings: Any, model: Any) -> str:
    """The system prompt a chat turn on `model` starts with, to be read ahead: the compact persona for a
    small model (as `Companion.small` decides), the whole one otherwise. Reading ahead a prompt the turn
    does not start with would only keep the model busy."""
    from samantha.conversation.shape import compact_persona
    from samantha.prompt_files import load_prompt

    size = settings.model_size
    small = size == "small" or (size == "auto" and bool(model is not None and model.small_model_notice))
    return compact_persona(settings.persona) if small else load_prompt(settings.persona)


def _retrieval(text: str | None = None) -> list[threading.Thread]:
    from samantha.retrieval import nlp

    return nlp.warm_up(text)


def _may_be_about_the_film(text: str) -> bool:
    from samantha.retrieval.gate import could_be_about_film

    return could_be_about_film(text)


def _thread(name: str, load: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        # A failure here is not reported: the turn that needs the thing loads it again and says why.
        with contextlib.suppress(Exception):
            load()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
