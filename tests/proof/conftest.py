"""Fixtures of the proof suites (fault, crash, bad input, security)."""

from support.fixtures import openai_server

__all__ = ["openai_server"]
