"""Store errors. Messages are safe to show: they never contain keys, passphrases or personal data."""


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


class StorePathError(StoreError):
    """The store path is not something a store can be (a folder, a device, a FIFO) or cannot be
    used (a read-only file system, no write permission). Exit status 3 (invalid input)."""
