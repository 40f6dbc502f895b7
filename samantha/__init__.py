"""Samantha: a terminal companion inspired by the AI in Spike Jonze's film *Her*."""

__version__ = "0.1.0"
