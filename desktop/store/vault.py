"""The encrypted store: create, open (unlock), check, back up, close.

One long-lived connection per Vault. SQLCipher 4 with either a raw 256-bit key (kept in the OS
keyring) or a passphrase (SQLCipher's own key derivation).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from desktop.errors import (
    StoreDamaged,
    StoreError,
    StoreExists,
    StoreFull,
    StoreTooNew,
    WrongKeyError,
)
from desktop.store.connection import DISK_FULL, apply_safety_settings, damage_message
from desktop.store.connection import connect as _connect  # bench/stores.py wraps it here
from desktop.store.connection import is_damage as _is_damage
from desktop.store.connection import is_full as _is_full
from desktop.store.connection import leave_wal as _leave_wal
from desktop.store.connection import map_error as _map_error
from desktop.store.connection import run_script as _run_script
from desktop.store.connection import unreadable as _unreadable
from desktop.store.folders import make_private_dirs
from desktop.store.keys import Key
from desktop.store.schema import APP_MARKER, LATEST, MIGRATIONS
from desktop.store.store_file import check_store_file
from desktop.store.store_lock import StoreLock, lock_path
from desktop.store.write_wait import begin_immediate

log = logging.getLogger(__name__)

DatabaseError = sqlcipher3.DatabaseError

# Opening with verify_pages checks every page's HMAC (about 2.5 ms per MB); bigger stores skip it
# on open and rely on read errors and `helpdesk-intake check`.
VERIFY_PAGES_MAX_BYTES = 256 * 1024 * 1024


class Vault:
    def __init__(self, path: Path, conn: sqlcipher3.Connection, key: Key, in_use: StoreLock | None = None) -> None:
        self.path = Path(path)
        self._conn = conn
        self._key = key
        self._in_use = in_use  # held shared while open (store/store_lock.py); owned when given
        self._lock = threading.RLock()
        self._depth = 0

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def key_kind(self) -> str:
        return self._key.kind

    @property
    def conn(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise StoreError("the store is locked")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @classmethod
    def create(cls, path: Path, key: Key) -> Vault:
        path = Path(path).expanduser()
        if path.exists() or path.is_symlink():
            raise StoreExists(f"a file or link already exists at {path}; not overwriting it")
        make_private_dirs(path.parent)  # a folder that already exists keeps its mode (store/folders.py)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        in_use = StoreLock(path)
        try:
            in_use.shared()
            conn = _connect(path, key)
            vault = cls(path, conn, key, in_use)
            vault._apply_pragmas()
            vault._migrate(from_version=0)
            with vault.transaction() as c:
                c.execute("INSERT INTO meta(key, value) VALUES ('app', ?)", (APP_MARKER,))
            return vault
        except BaseException:
            in_use.release()
            with contextlib.suppress(Exception):
                conn.close()  # type: ignore[possibly-undefined]
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(str(path) + suffix)
            raise

    @classmethod
    def open(cls, path: Path, key: Key, *, migrate: bool = True, verify_pages: bool = False,
             in_use: StoreLock | None = None) -> Vault:
        """verify_pages: run cipher_integrity_check (every page's HMAC) before anything else; a
        damaged store raises StoreDamaged naming the latest backup, and nothing is written.
        in_use: a lock the caller already holds (a restore's exclusive one); else one is taken
        shared, before the file is opened, and held until close()."""
        path = Path(path).expanduser()
        owned = in_use is None
        if owned and lock_path(path).exists():  # the lock first: a restore may be swapping the file in
            in_use = StoreLock(path).shared()
        try:
            check_store_file(path)  # a folder, device, FIFO, truncated or read-only store: its own message
            if in_use is None:  # a store that never had a lock file: its first one, before SQLite opens it
                in_use = StoreLock(path).shared()
            conn = _connect(path, key, must_exist=True)
        except BaseException:
            if owned and in_use is not None:
                in_use.release()
            raise
        try:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except DatabaseError as exc:
                raise _unreadable(path, key) from exc  # wrong key, or cut short on a page boundary
            vault = cls(path, conn, key, in_use if owned else None)
            version = vault.user_version()
            if version > LATEST:
                raise StoreTooNew(
                    f"this store was written by a newer helpdesk-intake (schema {version}); update the app"
                )
            try:
                marker = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
            except DatabaseError as exc:
                if _is_damage(exc):
                    raise StoreDamaged(damage_message(path, "its pages fail to decrypt or verify")) from exc
                raise WrongKeyError("not a helpdesk-intake store") from exc
            if not marker or marker[0] != APP_MARKER:
                raise WrongKeyError("not a helpdesk-intake store")
            if verify_pages and path.stat().st_size <= VERIFY_PAGES_MAX_BYTES:
                bad = vault.page_problems()
                if bad:
                    raise StoreDamaged(damage_message(path, f"{len(bad)} page check(s) failed"))
            vault._apply_pragmas()
            if version < LATEST:
                if not migrate:
                    raise StoreError(f"the store needs an upgrade from schema {version} to {LATEST}")
                backup = path.with_name(f"{path.name}.pre-v{LATEST}.bak")
                from desktop.store.backups import make_backup

                make_backup(vault, backup)
                vault._migrate(from_version=version)
            return vault
        except BaseException:
            conn.close()
            if owned:
                in_use.release()
            raise

    def close(self) -> None:
        """Close the store; wipe SQLCipher's memory on the way out."""
        if self._conn is None:
            return
        with self._lock:
            with contextlib.suppress(Exception):
                self._conn.execute("PRAGMA cipher_memory_security = ON")
            with contextlib.suppress(Exception):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None
            if self._in_use is not None:
                self._in_use.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- settings ---------------------------------------------------------------------------
    def _apply_pragmas(self) -> None:
        apply_safety_settings(self.conn)

    def pragma(self, name: str, value: int | None = None) -> object:  # value: set it (an int) first
        if not name.replace("_", "").isalnum():
            raise ValueError("bad pragma name")
        row = self.conn.execute(f"PRAGMA {name}" + ("" if value is None else f" = {int(value)}")).fetchone()
        return None if row is None else row[0]

    def data_version(self) -> int:
        """Changes when another connection (the CLI, another window) commits: a cheap poll."""
        return int(self.read("PRAGMA data_version")[0][0])

    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, from_version: int) -> None:
        for version in sorted(v for v in MIGRATIONS if v > from_version):  # numbers may leave gaps
            with self.transaction() as c:
                step = MIGRATIONS[version]
                if callable(step):
                    step(c)
                else:
                    _run_script(c, step)
                c.execute(f"PRAGMA user_version = {int(version)}")

    # ---- transactions ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, wait: float | None = None) -> Iterator[sqlcipher3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, nested calls join the outer transaction. While another
        process writes, wait (store/write_wait.py; `wait` seconds, None: the configured time),
        then StoreBusy."""
        with self._lock:
            c = self.conn
            if self._depth:
                self._depth += 1
                try:
                    yield c
                finally:
                    self._depth -= 1
                return
            begin_immediate(c, wait)
            self._depth = 1
            try:
                yield c
            except BaseException as exc:
                self._depth = 0
                with contextlib.suppress(DatabaseError):  # SQLite may have rolled back already (disk full)
                    c.execute("ROLLBACK")
                if isinstance(exc, DatabaseError) and _is_full(exc):
                    raise StoreFull(DISK_FULL) from exc
                raise
            self._depth = 0
            try:
                c.execute("COMMIT")
            except DatabaseError as exc:
                with contextlib.suppress(Exception):
                    c.execute("ROLLBACK")
                raise _map_error(exc, self.path) from exc

    def read(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except DatabaseError as exc:
                raise _map_error(exc, self.path) from exc

    def read_in(self, sql: str, values: list, chunk: int = 500) -> list[tuple]:
        """read() of a query with an `IN ({marks})` list, run for `chunk` values at a time (SQLite
        caps the number of parameters); the rows of every chunk, in chunk order."""
        rows: list[tuple] = []
        for start in range(0, len(values), chunk):
            part = tuple(values[start:start + chunk])
            rows += self.read(sql.format(marks=",".join("?" * len(part))), part)
        return rows

    # ---- maintenance -------------------------------------------------------------------------
    def scrub(self, compact_at: float | None = None, *, merge_index: bool = False) -> bool:
        """After deleting personal data: checkpoint and truncate the WAL; with compact_at, VACUUM
        first when at least that fraction of the file is free pages (returns whether it did). The
        search index deletes securely (schema 5, store/search.py FTS_DELETE), so nothing is merged
        and an erasure's cost does not grow with the store; merge_index (a sweep, whose bulk deletes
        are recorded, not secure) or an index without that option gets the whole-index merge
        ('optimize'), which drops removed terms too. VACUUM comes before the
        one checkpoint (it rewrites every live page into the WAL anyway)."""
        with self._lock:
            c = self.conn
            if merge_index or not self.fts_deletes_securely():
                c.execute("INSERT INTO cases_fts(cases_fts) VALUES ('optimize')")
            compacted = compact_at is not None and self.free_fraction() >= compact_at
            if compacted:
                c.execute("VACUUM")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return compacted

    def fts_deletes_securely(self) -> bool:
        row = self.conn.execute("SELECT v FROM cases_fts_config WHERE k = 'secure-delete'").fetchone()
        return bool(row and int(row[0]))

    def free_fraction(self) -> float:
        pages = int(self.pragma("page_count") or 0)
        free = int(self.pragma("freelist_count") or 0)
        return free / pages if pages else 0.0

    def integrity_problems(self) -> list[str]:
        """cipher_integrity_check (page HMACs) plus SQLite's own integrity_check; [] when clean."""
        with self._lock:
            try:
                problems = [r[0] for r in self.conn.execute("PRAGMA cipher_integrity_check").fetchall()]
                rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall()]
            except DatabaseError as exc:
                return [str(exc)]
        problems += [r for r in rows if r != "ok"]
        return problems

    def page_problems(self) -> list[str]:
        """cipher_integrity_check only: every page's HMAC (cheaper than integrity_problems)."""
        with self._lock:
            try:
                return [r[0] for r in self.conn.execute("PRAGMA cipher_integrity_check").fetchall()]
            except DatabaseError as exc:
                return [str(exc)]

    def for_child(self) -> tuple[Path, Key] | None:
        """(path, key) for a child process that opens this store itself (a sweep); None when closed."""
        with self._lock:
            return None if self._conn is None else (self.path, self._key)

    def page_problems_in_child(self) -> list[str]:
        """cipher_integrity_check in a child process (desktop/store/page_check.py), so this process
        keeps SQLCipher's memory security off until it locks; on a second connection here when no
        child can run."""
        with self._lock:
            if self._conn is None:
                return []
            path, key = self.path, self._key
        from desktop.store.page_check import PageCheckUnavailable, problems_in_child

        try:
            return problems_in_child(path, key)
        except PageCheckUnavailable as exc:
            log.warning("%s; checking pages in this process", exc)
            return self.page_problems_detached()

    def page_problems_detached(self) -> list[str]:
        """cipher_integrity_check on a second, short-lived connection: for a check in the background
        while the app goes on using this one (WAL lets both read). No size limit: nobody waits."""
        with self._lock:
            if self._conn is None:
                return []
            path, key = self.path, self._key
        from desktop.store.page_check import problems_on_second_connection

        return problems_on_second_connection(path, key)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[sqlcipher3.Connection]:
        """Sole access for whole-file work (rekey): fold the WAL in and leave WAL mode, which
        SQLite refuses while any other connection has the store open (StoreBusy)."""
        with self._lock:
            if self._depth:
                raise StoreError("cannot change the whole store inside a transaction")
            c = self.conn
            if self._in_use is not None:
                self._in_use.exclusive()  # StoreBusy while any other window or process has it open
            try:
                _leave_wal(c, self.path)  # StoreBusy while another connection has it open
                try:
                    yield c
                finally:
                    c.execute("PRAGMA journal_mode = WAL").fetchall()
            finally:
                if self._in_use is not None:
                    self._in_use.downgrade()  # held exclusive until here, also when refused midway

    def same_key(self, key: Key) -> bool:
        return key.kind == self._key.kind and key.secret == self._key.secret

    def rekey(self, new_key: Key) -> None:
        """Re-encrypt every page under new_key (PRAGMA rekey, one atomic transaction); afterwards
        the old key no longer opens the store. Raises StoreBusy when others have it open."""
        with self.exclusive() as c:
            try:
                c.execute(f"PRAGMA rekey = {new_key.pragma_value()}").fetchall()
            except DatabaseError as exc:
                raise _map_error(exc, self.path) from exc
            self._key = new_key
        probe = _connect(self.path, new_key, must_exist=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError as exc:
            raise StoreError("the new key does not open the store after rekey") from exc
        finally:
            probe.close()
