"""Model backends behind one interface: the embedded llama.cpp model and any OpenAI-compatible endpoint."""

from samantha.llm.base import ChatMessage, ChatModel
from samantha.llm.factory import create_model

__all__ = ["ChatMessage", "ChatModel", "create_model"]
