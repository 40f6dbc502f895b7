"""How big the model is, in the one distinction replies are shaped by: `small` or `large`.

The `auto` value of `SAMANTHA_MODEL_SIZE` comes from here: the bundled SmolLM2-135M is small; a pulled
GGUF, a detected or configured endpoint's model is sized by the parameters its server reports (Ollama,
llama.cpp) or its name says (`qwen2.5:0.5b`, `Qwen2.5-1.5B-Instruct-Q4_K_M.gguf`); a model whose size
nobody tells (gpt-4o-mini) is taken to be large.
"""

from __future__ import annotations

from typing import Literal

from samantha.llm.base import ChatModel
from samantha.llm.servers import parameters_from_name

SizeClass = Literal["small", "large"]

#: Below this many billions of parameters a model cannot follow a long persona, memories and passages.
SMALL_BELOW_BILLIONS = 1.0


def parameters_of(model: ChatModel) -> float | None:
    """Billions of parameters: what the backend knows (`parameters`), else what the model's name says."""
    known = model.parameters
    if known is not None and known > 0:
        return float(known)
    return parameters_from_name(model.name)


def size_class(model: ChatModel) -> SizeClass:
    """`small` for models under SMALL_BELOW_BILLIONS parameters (the built-in one), else `large`."""
    billions = parameters_of(model)
    return "small" if billions is not None and billions < SMALL_BELOW_BILLIONS else "large"
