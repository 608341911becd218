"""Copy the open store to a backup file and check the copy, deriving no key on the way.

The copy (snapshot_copy): the WAL is folded into the main file (a TRUNCATE checkpoint) and this
connection begins a read transaction while the WAL is empty. Such a reader reads the main file
alone (SQLite's read-mark 0), and while it lasts no checkpoint may write into the main file:
other processes go on writing (their commits wait in the WAL), but the store's file stays byte for
byte as it was. So its bytes are a consistent snapshot, copied as they are (already encrypted
under the store's key and salt): the store's own SQLCipher 4 file, which opens with the same raw
key or passphrase. While the file is still pinned, the check compares bytes, decrypting none: the
store's file must begin with the salt of the store this connection has open (a file swapped in
under the path has another), and the copy, fsynced, must read back equal to the store's file, every
byte. The read-back runs while fsync writes the copy out, and the copy counts as checked once both
are done. The read-back goes through the OS's cache, as SQLite's reads of the copy did when its pages'
HMACs were checked here: it proves the copy's bytes as the file system holds them, and fsync
reports a failed write; it does not re-read the disk's media. Dropping the copy's cached pages
first (posix_fadvise DONTNEED, so the read comes from the disk) was measured: +0.2-0.6 s for 266 MiB
on the bench VM, 1-3x of `cp` + fsync on its own (docs/bench.md).

Then the copy becomes a single file: ATTACHed to the open connection without a KEY clause (SQLCipher
keys it with this connection's derived key and salt: no second key derivation), it is switched to a
rollback journal, which rewrites its first page only; fsynced and read back once more, that page
must decrypt and verify, and the app marker, schema version and the audit trail's recorded length
are read from it.

When the WAL cannot be emptied (a long reader elsewhere holds an old snapshot, or another process
keeps writing), vacuum_copy writes the copy with VACUUM INTO, which reads one consistent snapshot
and encrypts the copy under the same derived key and salt; that copy is not byte-equal to the
store, so it is checked by every page's HMAC (verify_attached). The full page HMAC check and
SQLite's structural check (integrity_check) run in `check`, the window's background check and
before every restore (backups.inspect_backup).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from desktop.domain.audit import Head
from desktop.errors import StoreDamaged, StoreError, StoreFull, WrongKeyError
from desktop.store.audit_repo import HEAD_KEY
from desktop.store.schema import APP_MARKER
from desktop.store.write_wait import is_busy

ALIAS = "backup_copy"
SNAPSHOT_TRIES = 3
CHUNK = 8 * 1024 * 1024
BACKUP_DISK_FULL = "the disk holding the backup is full; no backup was written"
NOT_THIS_STORE = "the new backup does not read back as this store; it was removed"
BYTES_DIFFER = ("the new backup, read back after writing, differs from the store; it was removed "
                "(check the disk holding it)")
DOES_NOT_DECRYPT = ("the new backup, read back after writing, does not decrypt under the store's key; it was "
                    "removed (check the disk holding it)")
SALT_BYTES = 16  # SQLCipher 4 keeps the key derivation's salt in the file's first 16 bytes


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


@contextlib.contextmanager
def _pinned(vault) -> Iterator[bool]:
    """Yields True inside a read transaction begun on an empty WAL (the store's file cannot change
    until it ends: see the module's doc), False when none could be had; vault._lock held."""
    with vault._lock:
        if vault.in_transaction:
            yield False
            return
        c = vault.conn
        for _ in range(SNAPSHOT_TRIES):
            try:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlcipher3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                continue
            c.execute("BEGIN")
            try:
                c.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the read snapshot starts here
                # Empty now, so it was empty when the snapshot began (a WAL that a reader uses cannot be
                # truncated): this reader reads the main file alone, and no checkpoint may write to it.
                if _wal_is_empty(vault.path):
                    yield True
                    return
            finally:
                c.execute("ROLLBACK")
        yield False


def _same_bytes(a: int, b: int) -> bool:
    """Whether the two files hold the same bytes (read in CHUNK pieces into two reused buffers)."""
    size = os.fstat(a).st_size
    if os.fstat(b).st_size != size:
        return False
    buf_a, buf_b = bytearray(CHUNK), bytearray(CHUNK)
    offset = 0
    while offset < size:
        n, m = os.preadv(a, [buf_a], offset), os.preadv(b, [buf_b], offset)
        if n != m or n == 0:
            return False
        if (buf_a != buf_b) if n == CHUNK else (buf_a[:n] != buf_b[:n]):
            return False
        offset += n
    return True


def _synced_and_compared(store: int, copy: int) -> bool:
    """fsync the copy while it is read back and compared with the store's file, in two threads (both
    let go of the GIL; the read-back goes through the same cache whether the pages are still being
    written out or not, so running it meanwhile changes nothing it sees): whether the bytes are the
    same, once fsync has returned. fsync's failure is raised (StoreFull, StoreError)."""
    import threading

    failed: list[BaseException] = []

    def sync() -> None:
        try:
            _fsync(copy)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            failed.append(exc)

    syncing = threading.Thread(target=sync, name="backup-fsync", daemon=True)
    syncing.start()
    try:
        return _same_bytes(store, copy)
    finally:
        syncing.join()
        if failed:
            raise failed[0]


def snapshot_copy(vault, target: Path) -> bool:
    """Copy the store's file to `target` (a new file) as a consistent snapshot, fsync it and check it
    against the store's file while that is pinned (see the module's doc): True; False (nothing
    written) when no snapshot could be had, so the caller uses vacuum_copy. WrongKeyError when the
    file at the store's path is not the store this connection has open, StoreDamaged when the copy
    read back differs from it, StoreFull when the disk filled up."""
    target = Path(target)
    with _pinned(vault) as pinned:
        if not pinned:
            return False
        salt = bytes.fromhex(str(vault.conn.execute("PRAGMA cipher_salt").fetchone()[0]))
        store = os.open(vault.path, os.O_RDONLY)
        try:
            if os.pread(store, SALT_BYTES, 0) != salt:
                raise WrongKeyError(NOT_THIS_STORE)
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
            copy = os.open(target, os.O_RDONLY)
            try:
                same = _synced_and_compared(store, copy)
            finally:
                os.close(copy)
            if not same:
                raise StoreDamaged(BYTES_DIFFER)
        finally:
            os.close(store)
    return True


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


def _fsync(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreFull(BACKUP_DISK_FULL) from exc
        raise StoreError(f"cannot write the backup to its disk ({exc.strerror})") from exc


def _single_file(vault, copy: Path) -> None:
    """Switch the attached copy to a rollback journal (it was the store's WAL-mode file): SQLite
    rewrites its first page, and nothing else."""
    c = vault.conn
    try:
        c.execute(f"ATTACH DATABASE ? AS {ALIAS}", (str(Path(copy).resolve()),))
        mode = c.execute(f"PRAGMA {ALIAS}.journal_mode = DELETE").fetchone()[0]
    except sqlcipher3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in str(exc).lower():
            raise StoreFull(BACKUP_DISK_FULL) from exc
        raise StoreDamaged(f"the new backup does not read back ({exc}); it was removed") from exc
    finally:
        with contextlib.suppress(sqlcipher3.DatabaseError):
            c.execute(f"DETACH DATABASE {ALIAS}")
    if str(mode).lower() != "delete":
        raise StoreError("the new backup could not be made a single file; it was removed")


def _read_back(vault, copy: Path) -> tuple[int, int]:
    """Attach the finished copy and read its marker, schema version and audit length: its first
    page, rewritten by _single_file, decrypts and verifies (read back after the fsync)."""
    c = vault.conn
    try:
        try:
            c.execute(f"ATTACH DATABASE ? AS {ALIAS}", (str(Path(copy).resolve()),))
            marker = c.execute(f"SELECT value FROM {ALIAS}.meta WHERE key = 'app'").fetchone()
            entries = _audit_entries(c)
            version = int(c.execute(f"PRAGMA {ALIAS}.user_version").fetchone()[0])
        except sqlcipher3.DatabaseError as exc:  # its salt is the store's: damaged, not another key's
            raise StoreDamaged(DOES_NOT_DECRYPT) from exc
        if not marker or marker[0] != APP_MARKER:
            raise WrongKeyError(NOT_THIS_STORE)
        return version, entries
    finally:
        with contextlib.suppress(sqlcipher3.DatabaseError):
            c.execute(f"DETACH DATABASE {ALIAS}")


def finish_snapshot(vault, copy: Path) -> tuple[int, int]:
    """Make a checked snapshot copy a single file and read it back (see the module's doc): (schema
    version, audit entries). StoreDamaged when its rewritten first page does not decrypt once synced,
    WrongKeyError when it holds no helpdesk-intake store. The copy is fsynced on return."""
    copy = Path(copy)
    with vault._lock:
        _single_file(vault, copy)
        fd = os.open(copy, os.O_RDONLY)
        try:
            _fsync(fd)
        finally:
            os.close(fd)
        return _read_back(vault, copy)
