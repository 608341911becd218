"""Crash-safe key rotation for keyring stores.

Order of a rotation to a new raw key: (1) the new key goes into a *pending* keyring slot,
(2) PRAGMA rekey re-encrypts the store (atomic), (3) the new key replaces the main keyring
slot, (4) the pending slot is removed. A crash after (2) but before (3) leaves the store under
the new key and the main slot holding the old one: opening then falls back to the pending slot
and promotes it (open_with_pending_key). A crash before (2) leaves the old key valid. The key is
never lost and never written anywhere but the OS keyring.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from desktop.errors import KeyringUnavailable, WrongKeyError
from desktop.store.keys import Key, keyring_delete, keyring_get, keyring_set
from desktop.store.vault import Vault

PENDING_SUFFIX = "#pending-rekey"


def pending_slot(store_path: Path) -> Path:
    """A pseudo path whose keyring account is the store's account plus a suffix."""
    return Path(str(Path(store_path).expanduser().resolve()) + PENDING_SUFFIX)


def set_pending(store_path: Path, key: Key) -> None:
    keyring_set(pending_slot(store_path), key)


def get_pending(store_path: Path) -> Key | None:
    try:
        return keyring_get(pending_slot(store_path))
    except KeyringUnavailable:
        return None


def clear_pending(store_path: Path) -> None:
    keyring_delete(pending_slot(store_path))


def open_with_pending_key(store_path: Path, error: WrongKeyError, **open_kwargs) -> tuple[Vault, Key]:
    """After WrongKeyError: try a key left pending by an interrupted rotation; promote it to the
    main keyring slot once it opened the store. Re-raises `error` when there is none or it fails."""
    pending = get_pending(store_path)
    if pending is None:
        raise error
    try:
        vault = Vault.open(store_path, pending, **open_kwargs)
    except WrongKeyError:
        raise error from None
    with contextlib.suppress(KeyringUnavailable):
        keyring_set(store_path, pending)
        clear_pending(store_path)
    return vault, pending
