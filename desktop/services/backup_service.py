"""Back up the open store; restore a store from a verified backup.

Restore works on a store that may not open at all (that is when it is needed), so it is a
function of paths and a key, not of an open Context. It never changes anything before the backup
passed its checks, and keeps the replaced store as <store>.replaced-<timestamp>.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.domain.clock import Clock
from desktop.errors import KeyringUnavailable, RefusedError, StoreDamaged, StoreError, WrongKeyError
from desktop.services.context import Context
from desktop.services.erasure_record import ErasureMemory, Reapplied
from desktop.store.backups import BackupInfo, PreparedCopy, inspect_backup, make_backup, swap_in
from desktop.store.erasure_repo import ErasureRepo
from desktop.store.keys import Key, keyring_delete, keyring_get, keyring_set
from desktop.store.store_file import check_kind
from desktop.store.store_lock import StoreLock
from desktop.store.vault import Vault

ERASURE_RECORD_SCHEMA = 4  # the schema that brought the keyed erasure record


class BackupService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def backup(self, target: Path, prepared: PreparedCopy | None = None) -> BackupInfo:
        """A consistent encrypted copy (same key), verified before success is reported. prepared:
        the copy already made for `target` on this store (the CLI's early open)."""
        info = make_backup(self.ctx.vault, Path(target), prepared)
        self.ctx.audit("store.backup", "store", f"schema={info.schema_version};entries={info.audit_entries}")
        return info


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    aside: Path | None
    reapplied: Reapplied = Reapplied(0, 0)
    records_carried: bool = False  # False: the replaced store could not be read (or had no record)
    records_dropped: int = 0  # the backup's own records, made under another secret


def _stamp(clock: Clock) -> str:
    return clock.now().strftime("%Y%m%dT%H%M%SZ")


def _ensure_not_in_use(store: Path, key: Key, in_use: StoreLock) -> ErasureMemory | None:
    """With the store's in-use lock held exclusive (no other window or process has it open), a
    last check through SQLite; and the store's keyed erasure record (None when it has none or
    does not open)."""
    try:
        vault = Vault.open(store, key, migrate=False, in_use=in_use)
    except (WrongKeyError, StoreDamaged, StoreError):
        return None  # damaged or under another key: nothing can be using it sensibly
    try:
        with vault.exclusive():
            pass
        if vault.user_version() < ERASURE_RECORD_SCHEMA:
            return None
        repo = ErasureRepo(vault)
        return ErasureMemory(repo.secret(), repo.records())
    finally:
        vault.close()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def restore(store: Path, backup: Path, key: Key, *, clock: Clock, staff: str,
            open_services: Callable[..., Any]) -> RestoreResult:
    """Verify `backup` (opens with `key`, pages and integrity clean, app marker, schema not
    newer), then swap it in and open it; on any failure put the replaced store back.
    open_services: the composition root's (desktop/app.py), injected by services/session.py."""
    store, backup = Path(store).expanduser(), Path(backup).expanduser()
    if store.is_symlink():  # restore the file the link points to, and keep the link
        store = store.resolve()
    if store.exists():
        check_kind(store)  # a folder, device or FIFO at the store path: refused, nothing moved
        if backup.resolve() == store.resolve() or _same_file(backup, store):
            raise RefusedError("the backup is the store itself; nothing was changed")
    inspect_backup(backup, key)
    # The in-use lock, exclusive from before the store is looked at until the restored store was
    # opened, audited, its erasures re-applied and closed again: StoreBusy (exit 6) while anyone else
    # has it open; processes that start meanwhile wait for it, then open the restored store. An undo
    # happens under it too, so nothing written to the restored copy can be moved aside.
    in_use = StoreLock(store).exclusive()
    try:
        memory = _ensure_not_in_use(store, key, in_use) if store.exists() else None
        old_keyring_key = None
        with contextlib.suppress(KeyringUnavailable):
            old_keyring_key = keyring_get(store)
        swap, info = swap_in(store, backup, key, _stamp(clock))
        try:
            services = open_services(store, key, clock=clock, staff=staff, in_use=in_use)
        except BaseException:
            swap.undo()
            raise
        try:
            services.ctx.audit("store.restore", "store",
                               f"schema={info.schema_version};replaced={'kept' if swap.aside else 'none'}")
            # erasures done since the backup: the replaced store's secret and records come along, and
            # every recorded person is erased again from the restored copy
            dropped = services.erasures.adopt(memory) if memory is not None else 0
            reapplied = services.erasures.reapply()
        finally:
            services.close()
    finally:
        in_use.release()  # processes that waited for it now open the restored store
    # keys: the replaced store keeps opening with its keyring key under its new name; a store
    # restored under a passphrase must not be shadowed by a stale keyring key.
    if old_keyring_key is not None:
        with contextlib.suppress(KeyringUnavailable):
            if swap.aside is not None:
                keyring_set(swap.aside, old_keyring_key)
            if key.kind == "passphrase":
                keyring_delete(store)
    return RestoreResult(info, swap.aside, reapplied, memory is not None, dropped)
