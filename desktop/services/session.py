"""The one door for ui/ and commands/ to create, unlock, open, rekey and restore a store.

It holds the key order of store/keys.py (HELPDESK_INTAKE_PASSPHRASE, then the OS keyring, then a
passphrase the person types) and the one place a new store's key and its creation meet
(new_key + create_store: a raw key goes into the OS keyring before the store exists, and is
removed again when creating fails, so there is never a store without its key nor an orphaned key).
Opening and creating services is injected by the composition root (desktop/app.py), which this
module never imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain.clock import Clock
from desktop.store import keys as _keys
from desktop.store.backups import latest_backup
from desktop.store.connection import damage_message
from desktop.store.keys import ENV_PASSPHRASE, MIN_PASSPHRASE, Key, KeyResolution, PassphrasePrompt
from desktop.store.store_lock import store_exists

if TYPE_CHECKING:
    from desktop.services.backup_service import RestoreResult
    from desktop.services.container import Services

__all__ = ["ENV_PASSPHRASE", "MIN_PASSPHRASE", "Key", "KeyResolution", "PassphrasePrompt", "StoreSession",
           "UnlockPlan", "create_store", "damage_message", "env_passphrase", "keep_key", "key_for_existing_store",
           "key_for_new_store", "keyring_reason", "latest_backup", "new_key", "new_store_mode",
           "passphrase_problem", "store_exists", "unlock_plan"]

# (path, key, staff) -> Services: the composition root's create_services / open_services
CreateStore = Callable[[Path, Key, str], Any]
OpenStore = Callable[[Path, Key, str], Any]

env_passphrase = _keys.env_passphrase
keyring_reason = _keys.keyring_reason
passphrase_problem = _keys.passphrase_problem
key_for_new_store = _keys.key_for_new_store
key_for_existing_store = _keys.key_for_existing_store


# ---- a new store -----------------------------------------------------------------------------------
def new_store_mode() -> tuple[str, str | None]:
    """How a new store will be protected: ("env" | "keyring" | "passphrase", why not the keyring)."""
    if env_passphrase() is not None:
        return "env", None
    reason = keyring_reason()
    return ("keyring" if reason is None else "passphrase"), reason


def keep_key(path: Path, key: Key) -> None:
    """A raw key goes into the OS keyring (read back) before its store exists. Raises KeyringUnavailable."""
    if key.kind == "raw":
        _keys.keyring_set(path, key)


def new_key(path: Path, mode: str, passphrase: str | None = None) -> Key:
    """The key for a new store in this mode; a raw key is kept in the keyring now (keep_key).
    Raises KeyringUnavailable (keyring) or ValueError (no passphrase chosen)."""
    if mode == "env":
        return Key.passphrase(env_passphrase() or "")
    if mode == "passphrase":
        if passphrase is None:
            raise ValueError("no passphrase was chosen")
        return Key.passphrase(passphrase)
    key = Key.new_raw()
    keep_key(path, key)
    return key


def create_store(create: CreateStore, path: Path, key: Key, staff: str):
    """Create the store with `create` (the root's create_services); when that fails, a raw key
    kept for it is removed from the keyring again. Returns the open Services."""
    try:
        return create(path, key, staff)
    except BaseException:
        if key.kind == "raw":
            _keys.keyring_delete(path)
        raise


# ---- an existing store -------------------------------------------------------------------------
@dataclass
class UnlockPlan:
    """How to open an existing store, in the key order: mode "env" | "keyring" | "passphrase";
    key: the env or keyring key (None when a passphrase must be typed); note: why the keyring
    could not be used."""

    mode: str
    key: Key | None = None
    note: str | None = None

    def key_for(self, typed: str | None = None) -> Key:
        """The key to try: the env or keyring key, or the typed passphrase."""
        if self.mode == "env":
            return Key.passphrase(env_passphrase() or "")
        if self.mode == "keyring" and self.key is not None:
            return self.key
        return Key.passphrase(typed or "")


def unlock_plan(path: Path) -> UnlockPlan:
    resolution = key_for_existing_store(path, None)
    if resolution.source == "env":
        return UnlockPlan("env")
    if resolution.source == "keyring":
        return UnlockPlan("keyring", resolution.key)
    return UnlockPlan("passphrase", None, resolution.note)


# ---- the CLI's early open (commands/early_open.py): only what opening needs is imported ------------
def open_early(path: Path, key: Key):
    """The store opened as a command opens it, but with no migration (StoreError when one is due), no
    page check and no audit entry; the composition root's open_services(vault=...) takes it."""
    from desktop.store.vault import Vault

    return Vault.open(path, key, migrate=False, verify_pages=False)


def prepare_backup(vault, target: Path):
    """The backup's copy made and checked ahead of the command (store/backups.py prepare_copy);
    BackupService.backup(target, prepared) finishes it."""
    from desktop.store.backups import prepare_copy

    return prepare_copy(vault, target)


# ---- the session object the composition root builds ------------------------------------------------
class StoreSession:
    """Open, create, restore with the composition root's factories (desktop/app.py session())."""

    def __init__(self, *, open_services: Callable[..., Services], create_services: Callable[..., Services],
                 clock: Clock, default_staff: Callable[[], str]) -> None:
        self._open = open_services
        self._create = create_services
        self.clock = clock
        self.default_staff = default_staff

    def open(self, path: Path, key: Key, staff: str | None = None, **options) -> Services:
        """options: failed_unlocks, verify_pages (see desktop/app.py open_services)."""
        return self._open(path, key, clock=self.clock, staff=staff, **options)

    def opener(self, **options) -> OpenStore:
        """open(path, key, staff) for the unlock dialog; options may be callables, asked at each try."""
        def open_store(path: Path, key: Key, staff: str) -> Services:
            now = {k: (v() if callable(v) else v) for k, v in options.items()}
            return self.open(path, key, staff, **now)
        return open_store

    def creator(self) -> CreateStore:
        """create(path, key, staff) -> Services (the store made and audited; see create_store)."""
        return lambda path, key, staff: self._create(path, key, clock=self.clock, staff=staff)

    def create(self, path: Path, key: Key, staff: str | None = None) -> Services:
        """keep_key + create_store: the store under `key` (a raw key kept in the keyring first)."""
        keep_key(path, key)
        return create_store(self.creator(), path, key, staff or self.default_staff())

    def restore(self, store: Path, backup: Path, key: Key, staff: str | None = None) -> RestoreResult:
        """Replace `store` by a verified backup and open it once (audited); see backup_service.restore."""
        from desktop.services.backup_service import restore

        return restore(store, backup, key, clock=self.clock, staff=staff or self.default_staff(),
                       open_services=self._open)

    def rekey(self, services: Services, *, to: str | None = None, new_passphrase: str | None = None):
        """Re-encrypt the open store under a new key or passphrase (services/keys_service.py)."""
        return services.keys.change(to=to, new_passphrase=new_passphrase)


