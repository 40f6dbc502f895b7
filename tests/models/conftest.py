"""Model tests use the tests' own OpenAI-compatible server (tests/support/openai_server.py)."""

from support.fixtures import openai_server

__all__ = ["openai_server"]
