"""Turn exceptions into one clear line for a person; never a traceback, never a key or personal data."""

from __future__ import annotations

import logging

from desktop import errors as se
from desktop.domain.validation import ValidationError
from desktop.errors import ImportFileError, KeyringUnavailable, RefusedError

log = logging.getLogger(__name__)

WRONG_KEY = "wrong passphrase or not a helpdesk-intake store"


def user_message(exc: BaseException) -> str:
    if isinstance(exc, se.WrongKeyError):
        return str(exc) or WRONG_KEY
    if isinstance(exc, se.StoreDamaged):
        return f"The store is damaged: {exc}. Restore it from a backup."
    if isinstance(exc, se.StoreTooNew):
        return f"This store cannot be opened: {exc}."
    if isinstance(exc, RefusedError):
        return f"Refused: {exc}"
    if isinstance(exc, ValidationError):
        return "Please correct: " + "; ".join(exc.errors.values())
    if isinstance(exc, ImportFileError):
        return f"Cannot import: {exc}"
    if isinstance(exc, KeyringUnavailable):
        return f"The OS keyring cannot be used: {exc}."
    if isinstance(exc, se.StoreError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or 'file error'}: {exc.filename}" if exc.filename else (exc.strerror or "file error")
    # A bug: log the type only (the message could hold personal data), show one line.
    log.error("internal error in the window: %s", type(exc).__name__)
    return f"Internal error ({type(exc).__name__}). Please report it."
