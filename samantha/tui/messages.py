"""App-wide messages: the core becoming ready (or failing to) after the first frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from samantha.companion import Companion


class StoreReady(Message):
    """The user's database is open (before the model and retrieval are ready)."""


@dataclass
class CompanionReady(Message):
    """The core (store, model, retrieval) is built and can take a turn."""

    companion: Companion
    incognito: bool
    """The mode it was built for; one built before the user switched incognito is dropped."""


@dataclass
class CompanionFailed(Message):
    """The core could not be built; `message` says why in one sentence."""

    message: str
