"""Open one SQLCipher connection to a store file with its key, and word a damaged store.

Shared by the Vault (store/vault.py) and the page-check child (store/page_check.py), which
both import this module and not each other.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from desktop.errors import StoreBusy, StoreDamaged, StoreError, StoreFull, WrongKeyError
from desktop.store.keys import Key

PRAGMAS = (
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA cache_size = -32000",
    "PRAGMA busy_timeout = 250",  # short: a writer that finds the store busy waits in write_wait.py, saying so
)


def connect(path: Path, key: Key, must_exist: bool = False, *, read_only: bool = False) -> sqlcipher3.Connection:
    """must_exist: never create the file; read_only: open it read-only (backups being checked)."""
    if key.kind not in ("raw", "passphrase") or not key.secret:
        # an empty PRAGMA key means no encryption at all: never create or open a store that way
        raise WrongKeyError("an empty key or passphrase cannot open or protect a store")
    uri = Path(path).resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw" if must_exist else "")
    refused = sqlcipher3.Error if read_only else sqlcipher3.OperationalError
    try:
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except refused as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    conn.execute("PRAGMA cipher_log_level = NONE").fetchall()
    conn.execute(f"PRAGMA key = {key.pragma_value()}")
    return conn


def damage_message(path: Path, what: str) -> str:
    from desktop.store.backups import latest_backup

    backup = latest_backup(Path(path))
    hint = (f"; the latest backup is {backup} (restore it with 'helpdesk-intake restore {backup}')"
            if backup else "; no backup was found next to it")
    return f"the store at {path} is damaged ({what}); nothing was changed{hint}"


def is_damage(exc: Exception) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "corrupt" in text or "disk i/o" in text


DISK_FULL = ("the disk holding the store is full; nothing was written. Reading still works, and "
             "'backup --out' to another disk; free some space to write again")


PAGE_SIZE = 4096  # SQLCipher 4's default, the store's


def first_page_opens(path: Path, key: Key) -> bool:
    """Whether `key` decrypts the store's first page (its HMAC verifies), checked on a copy of that
    page alone (encrypted, in a private temporary folder, removed at once): when SQLCipher says only
    "file is not a database", a store cut short on a page boundary, or damaged after its first page,
    is told apart from a wrong key. Costs one key derivation, on that failure path only."""
    import os
    import tempfile

    try:
        with open(path, "rb") as fh:
            page = fh.read(PAGE_SIZE)
    except OSError:
        return False
    if len(page) < PAGE_SIZE:
        return False
    with tempfile.TemporaryDirectory(prefix="helpdesk-intake-") as folder:
        copy = Path(folder) / "first-page.db"
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, page)
        finally:
            os.close(fd)
        try:
            conn = connect(copy, key, must_exist=True, read_only=True)
        except (StoreError, sqlcipher3.Error):
            return False
        try:
            return not conn.execute("PRAGMA cipher_integrity_check").fetchall()
        except sqlcipher3.DatabaseError:
            return False
        finally:
            conn.close()


def unreadable(path: Path, key: Key, what: str = "the store") -> StoreError:
    """The error for a file SQLCipher cannot read with `key`: StoreDamaged when the key opens its
    first page (the file was cut short or damaged further in), else WrongKeyError."""
    if first_page_opens(path, key):
        return StoreDamaged(damage_message(path, "the key is right, but the pages after the first cannot be "
                                                 "read: the file was cut short or damaged")
                            if what == "the store" else
                            f"{what} {Path(path).name} is damaged: the key is right, but the pages after the "
                            "first cannot be read (the file was cut short or damaged); it was not used")
    return WrongKeyError() if what == "the store" else WrongKeyError(
        f"{Path(path).name} is not a helpdesk-intake backup, or it was made under another key")


def is_full(exc: Exception) -> bool:
    return "full" in str(exc).lower()


def map_error(exc: Exception, path: Path | None = None) -> StoreError:
    if is_full(exc):
        return StoreFull(DISK_FULL)
    if is_damage(exc):
        if path is not None:
            return StoreDamaged(damage_message(path, "a page failed its integrity check"))
        return StoreDamaged("the store is damaged (a page failed its integrity check)")
    return StoreError(f"store operation failed ({type(exc).__name__})")


def leave_wal(c: sqlcipher3.Connection, path: Path) -> None:
    """Fold the WAL in and leave WAL mode, which SQLite refuses while any other connection has the
    store open (StoreBusy): the last check before whole-file work (Vault.exclusive)."""
    busy = "the store is open in another window or process; close it and try again"
    try:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        mode = c.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlcipher3.DatabaseError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StoreBusy(busy) from exc
        raise map_error(exc, path) from exc
    if str(mode).lower() != "delete":
        raise StoreBusy(busy)


def split_sql(script: str) -> list[str]:
    parts, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip()
            if stmt.strip(";").strip():
                parts.append(stmt)
            buf = []
    tail = "\n".join(buf).strip()
    if tail:
        parts.append(tail)
    return parts


def run_script(c: sqlcipher3.Connection, script: str) -> None:
    for statement in split_sql(script):
        c.execute(statement)


def apply_safety_settings(c: sqlcipher3.Connection) -> None:
    """The settings every open store relies on (secure_delete, memory temp store, FULL sync, WAL,
    foreign keys), asserted after applying them: StoreError when one did not take."""
    for pragma in PRAGMAS:
        c.execute(pragma).fetchall()
    checks = {
        "secure_delete": c.execute("PRAGMA secure_delete").fetchone()[0] == 1,
        "temp_store": c.execute("PRAGMA temp_store").fetchone()[0] != 1,  # 1 = FILE
        "synchronous": c.execute("PRAGMA synchronous").fetchone()[0] == 2,  # 2 = FULL
        "foreign_keys": c.execute("PRAGMA foreign_keys").fetchone()[0] == 1,
    }
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        raise StoreError("the store's safety settings could not be applied: " + ", ".join(failed))
