"""Where a model runs: on this machine (the built-in model, an endpoint on loopback) or elsewhere.

What may leave the machine depends on it: `local` memories go only to a model that is not remote.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from samantha.config import Settings
from samantha.llm.base import ChatModel


def is_remote(base_url: str | None) -> bool:
    """Whether an OpenAI-compatible endpoint at `base_url` is off this machine.

    No URL means OpenAI's own API (remote). `localhost`, 127.0.0.0/8 and ::1 are loopback; anything else,
    a LAN address included, counts as remote: it leaves this machine.
    """
    if not base_url:
        return True
    try:
        host = urlsplit(base_url if "//" in base_url else f"//{base_url}").hostname
    except ValueError:
        return True
    if not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name other than localhost: resolved elsewhere, so assume it leaves


def model_is_remote(model: ChatModel, settings: Settings) -> bool:
    """Whether what is sent to `model` leaves this machine (`endpoint_is_remote` overrides the address)."""
    if model.backend != "openai":
        return False  # the built-in model (or the tests' scripted one) runs in this process
    if settings.endpoint_is_remote is not None:
        return settings.endpoint_is_remote
    return is_remote(model.base_url)
