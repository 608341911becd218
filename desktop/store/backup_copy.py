"""Copy the open store to a backup file and check the copy, deriving no key on the way.

The copy (snapshot_copy): with the WAL folded into the main file (a TRUNCATE checkpoint) and this
connection holding the write lock, nobody can change the main file, so its bytes are a
consistent snapshot: they are copied as they are, already encrypted under the store's key and
salt, and hashed (SHA-256, in a second thread, from the store's file while the lock is held). The
result is the store's own SQLCipher 4 file, byte for byte, which opens with the same raw key or
passphrase. When the WAL cannot be emptied (a long reader elsewhere holds an old snapshot, or
another process is writing), vacuum_copy writes the copy with VACUUM INTO, which reads one
consistent snapshot and encrypts the copy under the same derived key and salt.

The check of a snapshot copy (verify_snapshot) compares bytes, decrypting nothing but the header
page: the copy must begin with the salt of the store this connection has open (a foreign file or
another store's copy has another); it is ATTACHed to the open connection without a KEY clause (so
SQLCipher keys it with this connection's derived key and salt: no second key derivation) and
switched to a rollback journal (a backup is a single file: only its first page changes); it is
fsynced, its cached pages are dropped where the OS allows (Linux), and it is read back: every byte
after the first page must hash to the digest taken while copying. Attached once more, its first
page must decrypt and verify, and its app marker, schema version and the audit trail's recorded
length are read from it. A VACUUM INTO copy is not byte-equal to the store, so it is checked as
before (verify_attached: every page's HMAC). The full page HMAC check and SQLite's structural check
(integrity_check) run in `check`, the window's background check and before every restore
(backups.inspect_backup).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import threading
from dataclasses import dataclass
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
NOT_THIS_STORE = "the new backup does not read back as this store; it was removed"
BYTES_DIFFER = ("the new backup, read back after writing, differs from the store; it was removed "
                "(check the disk holding it)")
DOES_NOT_DECRYPT = ("the new backup, read back after writing, does not decrypt under the store's key; it was "
                    "removed (check the disk holding it)")
SALT_BYTES = 16  # SQLCipher 4 keeps the key derivation's salt in the file's first 16 bytes


@dataclass(frozen=True, repr=False)
class Copied:
    """What snapshot_copy read from the store's file under the write lock: its size, page size, the
    salt at its start and the SHA-256 of every byte after its first page (the page that switching
    the copy to a rollback journal rewrites)."""

    size: int
    page_size: int
    salt: bytes
    digest: bytes


def _hash_range(fd: int, start: int, end: int) -> bytes:
    """SHA-256 of bytes [start, end) of fd (hashlib and os.pread release the GIL)."""
    h = hashlib.sha256()
    offset = start
    while offset < end:
        chunk = os.pread(fd, min(CHUNK, end - offset), offset)
        if not chunk:
            break
        h.update(chunk)
        offset += len(chunk)
    if offset != end:
        h.update(b"\0short")  # a file shorter than it said: never equal to the full file's digest
    return h.digest()


class _Hashing:
    """_hash_range of a file in a second thread, while this one copies it."""

    def __init__(self, path: Path, page_size: int) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.page_size = page_size
        self.salt = os.pread(self.fd, SALT_BYTES, 0)
        self._result: bytes | BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="backup-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = _hash_range(self.fd, self.page_size, self.size)
        except BaseException as exc:  # noqa: BLE001 - handed to the copying thread
            self._result = exc

    def result(self) -> Copied:
        self._thread.join()
        os.close(self.fd)
        if isinstance(self._result, BaseException):
            raise StoreError(f"cannot read the store to check the backup ({type(self._result).__name__})")
        return Copied(self.size, self.page_size, self.salt, self._result or b"")


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


def snapshot_copy(vault, target: Path) -> Copied | None:
    """Copy the store's file to `target` as a consistent snapshot, hashing it meanwhile (Copied);
    None (nothing written) when the WAL could not be emptied, so the caller uses vacuum_copy."""
    target = Path(target)
    with vault._lock:
        if vault.in_transaction:
            return None
        c = vault.conn
        page_size = int(c.execute("PRAGMA page_size").fetchone()[0])
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
                return None  # another process is writing (an import): copy page by page meanwhile
            try:
                if not _wal_is_empty(vault.path):
                    continue  # a write landed between the checkpoint and the lock: fold it in again
                hashing = _Hashing(vault.path, page_size)
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
                finally:
                    copied = hashing.result()
                return copied
            finally:
                c.execute("ROLLBACK")
    return None


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


def _drop_cached(fd: int) -> None:
    """Forget the copy's cached pages (written and fsynced, so clean), so that reading it back reads
    what the disk holds; where the OS offers no such advice, the read-back comes from its cache."""
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


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
    page, rewritten by _single_file, decrypts and verifies (as read back from the disk)."""
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


def verify_snapshot(vault, copy: Path, copied: Copied) -> tuple[int, int]:
    """Check a snapshot copy by its bytes (see the module's doc): (schema version, audit entries).
    WrongKeyError when it is not this store's copy, StoreDamaged when its bytes differ from what was
    read from the store, StoreFull when the disk filled up meanwhile. The copy is fsynced on return."""
    copy = Path(copy)
    with vault._lock:
        salt = bytes.fromhex(str(vault.conn.execute("PRAGMA cipher_salt").fetchone()[0]))
        if copied.salt != salt:  # the file copied is not the one this connection has open
            raise WrongKeyError(NOT_THIS_STORE)
        with open(copy, "rb") as fh:
            if fh.read(SALT_BYTES) != salt:
                raise WrongKeyError(NOT_THIS_STORE)
        _single_file(vault, copy)
        fd = os.open(copy, os.O_RDONLY)
        try:
            _fsync(fd)
            _drop_cached(fd)
            size = os.fstat(fd).st_size
            if size != copied.size or os.pread(fd, SALT_BYTES, 0) != salt \
                    or _hash_range(fd, copied.page_size, size) != copied.digest:
                raise StoreDamaged(BYTES_DIFFER)
        finally:
            os.close(fd)
        return _read_back(vault, copy)
