"""Every error the app shows to a user, in one module (the domain's own ValidationError and
PolicyError stay in desktop/domain/, which imports nothing of ours).

Messages are safe to show: they never contain keys, passphrases or personal data. This module
imports nothing, so every layer may use it (store, services, commands, ui); the CLI maps each
class to its exit status (desktop/commands/common.py), the GUI to its message
(desktop/ui/messages.py)."""

from __future__ import annotations


class StoreError(Exception):
    """Base for every store failure shown to a user."""


class StoreNotFound(StoreError):
    pass


class StoreExists(StoreError):
    pass


class WrongKeyError(StoreError):
    def __init__(self, message: str = "wrong passphrase or not a helpdesk-intake store") -> None:
        super().__init__(message)


class StoreLocked(StoreError):
    """No key could be obtained (keyring locked, no passphrase given)."""


class StoreDamaged(StoreError):
    pass


class StoreBusy(StoreError):
    """Another window or process has the store open; whole-file work (rekey, restore) must wait."""


class StoreTooNew(StoreError):
    pass


class NotFound(StoreError):
    """A case, subject or request that does not exist."""


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used; str() says why, in words for a user."""


class RefusedError(Exception):
    """The request was valid but the law or a restriction says no (shown to the user as is)."""


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/JSON, bad encoding, wrong shape)."""


class KeyChangeRefused(Exception):
    """The change cannot be made; nothing was changed. str() is one line for the user.
    keyring=True when the OS keyring is the obstacle."""

    def __init__(self, message: str, *, keyring: bool = False) -> None:
        super().__init__(message)
        self.keyring = keyring
