"""Encrypted backups: find the latest one, check one before trusting it, put one in place.

A backup is a whole SQLCipher file under the same key as the store it came from: a consistent
snapshot of the store's file, copied while the app may be open (store/backup_copy.py; a copy under the
same key material by VACUUM INTO when no snapshot can be had), keeping the schema version in its
header. Nothing here writes to a finished backup file, and restore never touches the current
store before the backup passed every check.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path

import sqlcipher3

from desktop import digests
from desktop.errors import StoreDamaged, StoreError, StoreExists, StoreTooNew, WrongKeyError
from desktop.store.backup_copy import finish_snapshot, snapshot_copy, vacuum_copy, verify_attached
from desktop.store.connection import connect, unreadable
from desktop.store.folders import make_private_dirs
from desktop.store.keys import Key
from desktop.store.schema import APP_MARKER, LATEST

JOURNAL_SUFFIXES = ("-wal", "-shm", "-journal")


def _backup_like(store: Path, candidate: Path) -> bool:
    name = candidate.name
    if not name.startswith(store.name + ".") or name.endswith(JOURNAL_SUFFIXES):
        return False
    rest = name[len(store.name) + 1:]
    return rest.endswith(".bak") or rest.startswith("backup")


PAGE_SIZE = 4096  # SQLCipher 4's default page size: every complete store file is a multiple of it


def _complete(candidate: Path) -> bool:
    """Not a killed copy: not empty, whole pages, no journal beside it (a copy stopped midway)."""
    try:
        size = candidate.stat().st_size
    except OSError:
        return False
    if size == 0 or size % PAGE_SIZE:
        return False
    return not any(Path(str(candidate) + suffix).exists() for suffix in JOURNAL_SUFFIXES)


def sibling_backups(store: Path) -> list[Path]:
    """Backups next to the store (<store>.pre-vN.bak, <store>.*.bak, <store>.backup*), newest first;
    broken leftovers of killed copies (empty, partial pages, a journal beside them) are not offered."""
    store = Path(store)
    try:
        found = [p for p in store.parent.iterdir() if p.is_file() and _backup_like(store, p) and _complete(p)]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def latest_backup(store: Path) -> Path | None:
    found = sibling_backups(store)
    return found[0] if found else None


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    schema_version: int
    audit_entries: int


def inspect_backup(path: Path, key: Key) -> BackupInfo:
    """Open read-only with the key and check it: pages (cipher_integrity_check), SQLite's
    integrity_check, the app marker and the schema version. Raises WrongKeyError (foreign file or
    other key), StoreDamaged, StoreTooNew; never writes to the file."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no backup file at {path}")
    if path.stat().st_size == 0:
        raise WrongKeyError(f"{path.name} is empty; it is not a helpdesk-intake backup")
    conn = connect(path, key, read_only=True)
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise unreadable(path, key, "the backup") from exc  # another key, or cut short on a page boundary
        try:
            pages = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlcipher3.DatabaseError as exc:
            raise StoreDamaged(f"the backup {path.name} is damaged ({exc})") from exc
        problems = pages + [c for c in checks if c != "ok"]
        if problems:
            raise StoreDamaged(f"the backup {path.name} is damaged ({len(problems)} integrity problem(s)); "
                               "it was not used")
        try:
            marker = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
            entries = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        except sqlcipher3.DatabaseError as exc:
            raise WrongKeyError(f"{path.name} is not a helpdesk-intake backup") from exc
        if not marker or marker[0] != APP_MARKER:
            raise WrongKeyError(f"{path.name} is not a helpdesk-intake backup")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > LATEST:
            raise StoreTooNew(f"the backup {path.name} was written by a newer helpdesk-intake "
                              f"(schema {version}); update the app first")
        return BackupInfo(path, version, int(entries))
    finally:
        conn.close()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_verified(backup: Path, target: Path, key: Key) -> BackupInfo:
    """Copy a backup to a new file with the SQLite backup API, then check the copy."""
    target = Path(target)
    if target.exists():
        raise StoreExists(f"{target} already exists; not overwriting it")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        src = connect(backup, key, read_only=True)
        try:
            dst = sqlcipher3.connect(str(target), isolation_level=None, check_same_thread=False)
            try:
                dst.execute("PRAGMA cipher_log_level = NONE").fetchall()
                dst.execute(f"PRAGMA key = {key.pragma_value()}")
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE").fetchall()
            finally:
                dst.close()
        finally:
            src.close()
        _fsync_file(target)
        return inspect_backup(target, key)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        raise


def move_store(src: Path, dst: Path) -> None:
    """Rename a store and its journal files together (a WAL must never meet another main file)."""
    for suffix in ("", *JOURNAL_SUFFIXES):
        a = Path(str(src) + suffix)
        if a.exists():
            b = Path(str(dst) + suffix)
            if b.exists():
                raise StoreExists(f"{b} already exists; not overwriting it")
            os.rename(a, b)
    _fsync_dir(Path(dst).parent)


@dataclass(frozen=True)
class Swap:
    store: Path
    aside: Path | None

    def undo(self) -> None:
        """Put the replaced store back (the restored copy is moved next to it, not deleted)."""
        if self.aside is None:
            return
        failed = Path(str(self.aside).replace(".replaced-", ".failed-restore-"))
        if self.store.exists():
            move_store(self.store, failed)
        move_store(self.aside, self.store)


def swap_in(store: Path, backup: Path, key: Key, stamp: str) -> tuple[Swap, BackupInfo]:
    """Verify the backup, copy it next to the store and verify the copy, then move the current
    store (with its -wal/-shm) aside to <store>.replaced-<stamp> and the copy into place.
    Nothing is renamed before both checks pass."""
    store = Path(store)
    inspect_backup(backup, key)
    make_private_dirs(store.parent)
    staging = store.with_name(f"{store.name}.restoring-{stamp}")
    info = copy_verified(backup, staging, key)
    aside = None
    try:
        if store.exists():
            aside = store.with_name(f"{store.name}.replaced-{stamp}")
            move_store(store, aside)
        for suffix in JOURNAL_SUFFIXES:  # a stale journal must not meet the restored file
            stray = Path(str(store) + suffix)
            if stray.exists():
                raise StoreError(f"{stray} is still present; close the app and try again")
        os.replace(staging, store)
        _fsync_dir(store.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staging)
        if aside is not None and not store.exists():
            move_store(aside, store)
        raise
    return Swap(store, aside), info


def verify_copy(vault, copy: Path, snapshot: bool) -> BackupInfo:
    """Finish checking a copy just made of the vault's store, keyed from its open connection: a
    snapshot (already compared with the store's file, byte for byte, as read back after its fsync) is
    made a single file and its rewritten first page read back; a VACUUM INTO copy is checked by every
    page's HMAC; both by the app marker and the schema version (store/backup_copy.py). The copy is
    fsynced on return."""
    if snapshot:
        version, entries = finish_snapshot(vault, copy)
    else:
        version, entries = verify_attached(vault, copy)
        _fsync_file(copy)
    return BackupInfo(Path(copy), version, entries)


@dataclass(frozen=True)
class PreparedCopy:
    """A copy of the store made and checked byte for byte in a hidden part file beside `target`, not
    yet published: make_backup finishes it (the CLI's early open makes one while it parses,
    commands/early_open.py); discard() removes it."""

    target: Path  # absolute
    part: Path
    snapshot: bool

    def discard(self) -> None:
        _remove_part(self.part)


def _remove_part(part: Path) -> None:
    for suffix in ("", *JOURNAL_SUFFIXES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(part) + suffix)


def prepare_copy(vault, target: Path) -> PreparedCopy:
    """The first half of make_backup: the target's checks, then the copy in a hidden part file."""
    target = Path(target)
    if target.is_symlink() and not target.exists():
        raise StoreExists(f"{target} is a symbolic link to a missing file; not writing through it")
    if target.exists():
        raise StoreExists(f"{target} already exists; not overwriting it")
    folder = target.parent
    if not folder.is_dir():
        raise StoreError(f"no folder {folder} for the backup; nothing was written")
    _remove_part_leftovers(target)
    part = target.with_name(f".{target.name}.part-{digests.token_hex(6)}")
    try:
        snapshot = snapshot_copy(vault, part)
        if not snapshot:
            vacuum_copy(vault, part)
    except BaseException:
        _remove_part(part)
        raise
    return PreparedCopy(target.absolute(), part, snapshot)


def make_backup(vault, target: Path, prepared: PreparedCopy | None = None) -> BackupInfo:
    """A backup that appears under its name only when complete and verified: a snapshot copy of
    the store's file (or, while that cannot be had, a VACUUM INTO copy) to a hidden part file
    beside the target, fsynced and checked (the snapshot: equal to the store's file, byte for byte,
    as read back after its fsync; the VACUUM INTO copy: every page's HMAC; both: marker and schema
    under the same key, no second key derivation), then linked into place (never over an existing
    file). A killed backup leaves only a hidden `.NAME.part-*` file, encrypted, which no backup list
    offers and the next backup to that name removes; a copy that fails the check is removed and the
    failure raised. The full page check and SQLite's integrity_check run in `check` and before a
    restore. prepared: the copy already made for this target by prepare_copy on this vault."""
    target = Path(target)
    if prepared is not None and prepared.target != target.absolute():
        prepared.discard()
        prepared = None
    if prepared is None:
        prepared = prepare_copy(vault, target)
    try:
        info = verify_copy(vault, prepared.part, prepared.snapshot)
        if info.schema_version != vault.user_version():
            raise StoreError("the backup lost the schema version; it was removed")
        _publish(prepared.part, target)
        _fsync_dir(target.parent)
        return BackupInfo(target, info.schema_version, info.audit_entries)
    finally:
        _remove_part(prepared.part)


def _publish(part: Path, target: Path) -> None:
    """Give the finished part file its name, never replacing a file that appeared meanwhile."""
    try:
        os.link(part, target)
    except FileExistsError as exc:
        raise StoreExists(f"{target} already exists; not overwriting it") from exc
    except OSError:  # a file system without hard links (FAT on a USB stick)
        if target.exists():
            raise StoreExists(f"{target} already exists; not overwriting it") from None
        os.rename(part, target)


PART_LEFTOVER_AGE = 3600.0  # seconds; an older part file is a killed backup's leftover


def _remove_part_leftovers(target: Path) -> None:
    now = time.time()
    with contextlib.suppress(OSError):
        for p in target.parent.glob(f".{glob_escape(target.name)}.part-*"):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > PART_LEFTOVER_AGE:
                    p.unlink()
