"""Copy the open store to a backup file and check the copy, deriving no key on the way.

The copy (snapshot_copy): with the WAL folded into the main file (a TRUNCATE checkpoint) and this
connection holding the write lock, nobody can change the main file, so its bytes are a
consistent snapshot: they are copied as they are, already encrypted under the store's key and
salt. The result is the store's own SQLCipher 4 file, byte for byte, which opens with the same
raw key or passphrase. When the WAL cannot be emptied (a long reader elsewhere holds an old
snapshot, or another process is writing), vacuum_copy writes the copy with VACUUM INTO, which
reads one consistent snapshot and encrypts the copy under the same derived key and salt.

The check (verify_attached): the copy is ATTACHed to the open connection without a KEY clause, so
SQLCipher keys it with this connection's derived key and the salt (no second key derivation, the
costly part of opening a passphrase store); it is switched to a rollback journal (a backup is a
single file), then every page's HMAC is checked (cipher_integrity_check), and the app marker,
schema version and the audit trail's recorded length are read from it. SQLite's full structural
check (integrity_check) stays in `check` and in restore (backups.inspect_backup).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import sqlcipher3

from desktop.domain.audit import Head
from desktop.errors import StoreBusy, StoreDamaged, StoreError, StoreFull, WrongKeyError
from desktop.store.audit_repo import HEAD_KEY
from desktop.store.schema import APP_MARKER
from desktop.store.write_wait import begin_immediate, is_busy

ALIAS = "backup_copy"
SNAPSHOT_TRIES = 3
CHUNK = 8 * 1024 * 1024
BACKUP_DISK_FULL = "the disk holding the backup is full; no backup was written"


def _wal_is_empty(store: Path) -> bool:
    try:
        return os.path.getsize(str(store) + "-wal") == 0
    except FileNotFoundError:
        return True


def _copy_bytes(src: Path, target: Path) -> None:
    """src's bytes into target, a file this call creates (never over an existing one)."""
    fd_in = os.open(src, os.O_RDONLY)
    try:
        fd_out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            size, offset = os.fstat(fd_in).st_size, 0
            while offset < size:
                sent = os.sendfile(fd_out, fd_in, offset, min(CHUNK, size - offset))
                if sent == 0:
                    raise StoreError(f"the store file shrank while it was copied to {target.name}")
                offset += sent
        finally:
            os.close(fd_out)
    finally:
        os.close(fd_in)


def snapshot_copy(vault, target: Path) -> bool:
    """Copy the store's file to `target` as a consistent snapshot; False (nothing written) when
    the WAL could not be emptied, so the caller copies through the backup API instead."""
    target = Path(target)
    with vault._lock:
        if vault.in_transaction:
            return False
        c = vault.conn
        for _ in range(SNAPSHOT_TRIES):
            try:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlcipher3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                continue
            try:  # the write lock: nobody appends to the WAL while the file is copied
                begin_immediate(c, wait=0)
            except StoreBusy:
                return False  # another process is writing (an import): copy page by page meanwhile
            try:
                if not _wal_is_empty(vault.path):
                    continue  # a write landed between the checkpoint and the lock: fold it in again
                try:
                    _copy_bytes(vault.path, target)
                except OSError as exc:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(target)
                    if exc.errno == errno.ENOSPC:
                        raise StoreFull(BACKUP_DISK_FULL) from exc
                    if exc.errno == errno.EEXIST:
                        raise
                    raise StoreError(f"cannot write the backup {target.name} ({exc.strerror})") from exc
                return True
            finally:
                c.execute("ROLLBACK")
    return False


def vacuum_copy(vault, target: Path) -> None:
    """The store's current content, rewritten into `target` (a new file) with VACUUM INTO under
    the connection's key material: slower than snapshot_copy, but needs no write lock."""
    target = Path(target)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # VACUUM INTO fills an empty file
    os.close(fd)
    try:
        with vault._lock:
            vault.conn.execute("VACUUM main INTO ?", (str(target.resolve()),))
    except BaseException as exc:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(target) + suffix)
        if isinstance(exc, sqlcipher3.DatabaseError) and "full" in str(exc).lower():
            raise StoreFull(BACKUP_DISK_FULL) from exc
        raise


def _audit_entries(c) -> int:
    """The trail's length as its recorded head says (one row; counting 100k+ entries would
    decrypt the whole audit table); count(*) for a store without a head."""
    row = c.execute(f"SELECT value FROM {ALIAS}.meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    head = Head.decode(row[0] if row else None)
    if head is not None:
        return head.count
    return int(c.execute(f"SELECT count(*) FROM {ALIAS}.audit").fetchone()[0])


def verify_attached(vault, copy: Path) -> tuple[int, int]:
    """Check a copy just made of this vault's store, keyed from the open connection (see the
    module's doc): (schema version, audit entries). StoreDamaged when a page fails its HMAC,
    WrongKeyError when it is not this store's copy."""
    with vault._lock:
        c = vault.conn
        try:
            try:
                c.execute(f"ATTACH DATABASE ? AS {ALIAS}", (str(Path(copy).resolve()),))
                mode = c.execute(f"PRAGMA {ALIAS}.journal_mode = DELETE").fetchone()[0]
                problems = [r[0] for r in c.execute(f"PRAGMA {ALIAS}.cipher_integrity_check").fetchall()]
            except sqlcipher3.DatabaseError as exc:
                if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in str(exc).lower():
                    raise StoreFull(BACKUP_DISK_FULL) from exc
                raise StoreDamaged(f"the new backup does not read back ({exc}); it was removed") from exc
            if str(mode).lower() != "delete":
                raise StoreError("the new backup could not be made a single file; it was removed")
            if problems:
                raise StoreDamaged(f"the new backup failed its page check ({len(problems)} "
                                   "problem(s)); it was removed")
            try:
                marker = c.execute(f"SELECT value FROM {ALIAS}.meta WHERE key = 'app'").fetchone()
                entries = _audit_entries(c)
                version = int(c.execute(f"PRAGMA {ALIAS}.user_version").fetchone()[0])
            except sqlcipher3.DatabaseError as exc:
                raise WrongKeyError("the new backup does not read back as this store; it was removed") from exc
            if not marker or marker[0] != APP_MARKER:
                raise WrongKeyError("the new backup does not read back as this store; it was removed")
            return version, entries
        finally:
            with contextlib.suppress(sqlcipher3.DatabaseError):
                c.execute(f"DETACH DATABASE {ALIAS}")
