"""Erasure reaches the copies of the store the app made and knows of (issue 13 item 2).

The app makes copies beside the store: `<store>.replaced-<stamp>` (the store a restore replaced),
`<store>.failed-restore-<stamp>` (a restore that was undone), `<store>.pre-vN.bak` (before a schema
upgrade) and backups named `<store>.*.bak` / `<store>.backup*`. After an erasure each copy that
opens (with the store's key, or the key the keyring keeps for that copy) is cleaned the same way a
restore re-applies erasures: the store's erasure secret and records are carried in, and every
recorded person's data from before their erasure is erased and scrubbed. A copy that cannot be
cleaned (another key, e.g. made before a key change; an older schema; damaged) is named, so the
person running the erasure can delete it. Backups elsewhere (another disk) are not known to the
app: restore re-applies erasures when one comes back (services/erasure_record.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import KeyringUnavailable, StoreError
from desktop.services.context import Context
from desktop.services.erasure_record import ErasureMemory, ErasureRecordService
from desktop.store.backups import JOURNAL_SUFFIXES, sibling_backups
from desktop.store.keys import Key, keyring_get
from desktop.store.schema import LATEST
from desktop.store.vault import Vault

SET_ASIDE = (".replaced-", ".failed-restore-")


@dataclass
class CopiesResult:
    cleaned: list[Path] = field(default_factory=list)
    unreachable: list[tuple[Path, str]] = field(default_factory=list)  # (copy, why)


def known_copies(store: Path) -> list[Path]:
    """The copies of `store` in its folder that the app made: set aside by restore, backups."""
    store = Path(store)
    found: set[Path] = set(sibling_backups(store))
    with contextlib.suppress(OSError):
        for p in store.parent.iterdir():
            rest = p.name[len(store.name):]
            if (p.name.startswith(store.name) and any(rest.startswith(m) for m in SET_ASIDE)
                    and not p.name.endswith((*JOURNAL_SUFFIXES, ".lock")) and p.is_file()):
                found.add(p)
    return sorted(found)


def _keys_for(copy: Path, key: Key) -> list[Key]:
    keys = [key]
    with contextlib.suppress(KeyringUnavailable):
        own = keyring_get(copy)
        if own is not None and own.secret != key.secret:
            keys.append(own)
    return keys


def clean_copy(copy: Path, key: Key, memory: ErasureMemory, copy_context: Callable[[Vault], Context]) -> str | None:
    """Erase the recorded people from one copy; None when done, else why it could not be."""
    vault = None
    for candidate in _keys_for(copy, key):
        try:
            vault = Vault.open(copy, candidate, migrate=False)
            break
        except StoreError as exc:
            why = str(exc)
            if "schema" in why or "upgrade" in why:
                return f"it has an older schema (it opens with 'helpdesk-intake --store {copy} check')"
    if vault is None:
        return "it does not open with the store's current key (made before a key change?)"
    try:
        if vault.user_version() != LATEST:
            return "it has another schema version"
        records = ErasureRecordService(copy_context(vault))
        records.adopt(memory)
        records.reapply()
        vault.conn.execute("PRAGMA journal_mode = DELETE").fetchall()  # a copy stays one self-contained file
        return None
    except StoreError as exc:
        return str(exc)
    finally:
        vault.close()
        with contextlib.suppress(OSError):
            Path(str(copy) + ".lock").unlink()  # this process made it just now; copies are not shared


def erase_in_copies(ctx: Context, records: ErasureRecordService,
                    copy_context: Callable[[Vault], Context]) -> CopiesResult:
    """After an erasure: clean every known copy of the store (see the module's doc)."""
    result = CopiesResult()
    key = ctx.vault._key
    memory = records.memory()
    for copy in known_copies(ctx.vault.path):
        why = clean_copy(copy, key, memory, copy_context)
        if why is None:
            result.cleaned.append(copy)
        else:
            result.unreachable.append((copy, why))
    return result
