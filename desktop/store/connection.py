"""Open one SQLCipher connection to a store file with its key, and word a damaged store.

Shared by the Vault (store/vault.py) and the page-check child (store/page_check.py), which
both import this module and not each other.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from desktop.errors import StoreDamaged, StoreError, WrongKeyError
from desktop.store.keys import Key

PRAGMAS = (
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA cache_size = -32000",
    "PRAGMA busy_timeout = 5000",  # the GUI and a CLI command may write at the same time
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


def map_error(exc: Exception, path: Path | None = None) -> StoreError:
    if is_damage(exc):
        if path is not None:
            return StoreDamaged(damage_message(path, "a page failed its integrity check"))
        return StoreDamaged("the store is damaged (a page failed its integrity check)")
    return StoreError(f"store operation failed ({type(exc).__name__})")


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
