"""A small error hierarchy. Every error carries one sentence a person can act on."""

from __future__ import annotations


class SamanthaError(Exception):
    """Base for errors shown to the user as one sentence, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(SamanthaError):
    """The settings or the config file are wrong."""

    exit_code = 2


class UsageError(SamanthaError):
    """The user asked for something that cannot be done as asked (empty query, unknown id...)."""

    exit_code = 2


class StoreError(SamanthaError):
    """The database cannot be opened, is newer than this Samantha, or a write failed."""


class ModelError(SamanthaError):
    """The model backend failed: unreachable, refused, timed out, or the model file is bad."""

    #: Whether trying again later could succeed (a timeout or rate limit, not a bad key).
    retryable = False


class ModelUnavailable(ModelError):
    retryable = True


class ModelTimeout(ModelError):
    retryable = True


class ModelRateLimited(ModelError):
    retryable = True


class ModelAuthError(ModelError):
    pass


class ModelFileError(ModelError):
    pass


class ImportRefused(SamanthaError):
    """An import file was refused; the database is left as it was."""

    exit_code = 2
