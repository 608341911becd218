"""Moved to desktop/errors.py (one module for every error); kept only until ui/ imports from there."""

from desktop.errors import (  # noqa: F401
    NotFound,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreLocked,
    StoreNotFound,
    StoreTooNew,
    WrongKeyError,
)
