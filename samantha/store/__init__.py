"""The SQLite store: one database file holds every conversation, message and memory."""

from samantha.store.database import open_database
from samantha.store.store import Store

__all__ = ["Store", "open_database"]
