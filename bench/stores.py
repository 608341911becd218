"""Stores for the bench: demo-filled encrypted stores, copies, plaintext twins, bulk scale-up.

The bench is the one place outside desktop/store/ that speaks SQL, and only for baselines and
bulk set-up: baselines are raw sqlcipher3/sqlite3 by definition.

The plaintext switch (for the encrypted-vs-unencrypted row) lives here, not in the app: it wraps
the vault's connect function inside the bench process only, for keys of the clearly named kind
"plaintext-bench-only". The CLI and GUI never build such a key and never import bench/, so an
unencrypted store cannot be reached from them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from desktop.app import build_services, create_services
from desktop.domain.clock import FixedClock
from desktop.store.keys import Key
from desktop.store.order_keys import key_sql
from desktop.store.vault import Vault

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
SEED = 20260110
PLAINTEXT = Key("plaintext-bench-only", "")
RAW_PRAGMAS = ("PRAGMA secure_delete = ON", "PRAGMA temp_store = MEMORY", "PRAGMA foreign_keys = ON",
               "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA cache_size = -32000")


def install_plaintext_switch() -> None:
    import desktop.store.vault as vault_module

    if getattr(vault_module._connect, "bench_plaintext", False):
        return
    original = vault_module._connect

    def _connect(path, key, must_exist=False, *, read_only=False):
        if key.kind != PLAINTEXT.kind:
            return original(path, key, must_exist, read_only=read_only)
        mode = "?mode=ro" if read_only else "?mode=rw" if must_exist else ""
        uri = Path(path).resolve().as_uri() + mode
        return sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)

    _connect.bench_plaintext = True  # type: ignore[attr-defined]
    vault_module._connect = _connect
    import desktop.store.connection as connection_module

    connection_module.connect = _connect  # the page check's second connection (store/page_check.py)


class Workspace:
    """A temporary folder holding every store of one bench run; removed at the end."""

    def __init__(self, root: Path | None = None) -> None:
        # its own new folder (inside `root` when given, e.g. a disk with room for the 1M store), so
        # that close() removes only what the bench made, never a folder the user named
        if root is not None:
            Path(root).mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="helpdesk-bench-", dir=root))
        self.key = Key.new_raw()
        self._n = 0
        self.timings: dict[str, float] = {}

    def path(self, stem: str) -> Path:
        self._n += 1
        return self.root / f"{self._n:03d}-{stem}.db"

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # ---- building ------------------------------------------------------------------------------
    def empty_store(self, key: Key | None = None) -> Path:
        path = self.path("empty")
        services = create_services(path, key or self.key, clock=FixedClock(NOW), staff="bench")
        services.close()
        return path

    def demo_store(self, count: int, *, key: Key | None = None, batch: int = 10_000) -> Path:
        from desktop.services.demo import DemoService

        t0 = time.perf_counter()
        path = self.path(f"demo-{count}")
        services = create_services(path, key or self.key, clock=FixedClock(NOW), staff="bench")
        try:
            DemoService(services.ctx, services.intake).fill(count, seed=SEED, batch=batch)
        finally:
            services.close()
        self.timings[f"demo_fill_{count}"] = time.perf_counter() - t0
        return path

    def copy(self, path: Path, stem: str = "copy") -> Path:
        target = self.path(stem)
        shutil.copyfile(path, target)
        return target

    def open(self, path: Path, key: Key | None = None, *, now: datetime = NOW):
        vault = Vault.open(path, key or self.key)
        return build_services(vault, clock=FixedClock(now), staff="bench")

    def raw(self, path: Path, key: Key | None = None, *, pragmas=RAW_PRAGMAS) -> sqlcipher3.Connection:
        """A bare sqlcipher3 connection with the app's store settings (for baselines)."""
        key = key or self.key
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        if key.kind != PLAINTEXT.kind:
            conn.execute(f"PRAGMA key = {key.pragma_value()}")
        for p in pragmas:
            conn.execute(p).fetchall()
        return conn

    def plaintext_twin(self, path: Path) -> Path:
        """The same store, unencrypted (sqlcipher_export), for the plaintext-bench-only key."""
        target = self.path("plain")
        conn = self.raw(path, pragmas=())
        conn.execute(f"ATTACH DATABASE '{target}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')").fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA plain.user_version = {int(version)}")
        conn.execute("DETACH DATABASE plain")
        conn.close()
        return target

    def passphrase_copy(self, path: Path, passphrase: str, stem: str = "pass") -> Path:
        """A copy of the store re-keyed to a passphrase (SQLCipher's own key derivation)."""
        target = self.copy(path, stem)
        conn = self.raw(target, pragmas=())
        conn.execute("PRAGMA journal_mode = DELETE").fetchall()
        conn.execute(f"PRAGMA rekey = {Key.passphrase(passphrase).pragma_value()}")
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.close()
        return target

    def stdlib_copy(self, path: Path) -> Path:
        """An unencrypted copy for stdlib sqlite3 baselines."""
        return self.plaintext_twin(path)

    def scale_up(self, source: Path, factor: int) -> Path:
        """A store with `factor` times the cases of `source`, by copying rows inside SQL.

        Generating 1M cases through the app takes minutes; copying takes seconds. Copies keep
        their person (subject), so every person has `factor` times the cases; their received
        times are shifted back by whole weeks so the list order stays mixed. The FTS index gets
        the copies too (phone indexed as digits only, close enough for a benchmark).
        """
        t0 = time.perf_counter()
        target = self.copy(source, f"x{factor}")
        conn = self.raw(target, pragmas=("PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -64000",
                                         "PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF"))
        cols = [r[1] for r in conn.execute("PRAGMA table_info(cases)").fetchall() if r[1] != "id"]
        listed = ", ".join(cols)
        top = conn.execute("SELECT max(id) FROM cases").fetchone()[0]
        conn.execute("BEGIN")
        for k in range(1, factor):
            select = ", ".join(
                f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {c}, '-{7 * k} days')" if c == "received_at" else c
                for c in cols)
            conn.execute(f"INSERT INTO cases({listed}) SELECT {select} FROM cases WHERE id <= ?", (top,))
        conn.execute(
            f"INSERT INTO cases_fts(rowid, name, email, phone, description) SELECT {key_sql()}, coalesce(name, ''),"
            " coalesce(email, ''), coalesce(replace(phone, '+', ''), ''), coalesce(description, '')"
            " FROM cases WHERE id > ? ORDER BY 1", (top,))  # ascending keys: FTS5 flushes when a key goes down
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        conn.close()
        self.timings[f"scale_up_x{factor}"] = time.perf_counter() - t0
        return target


def file_mib(path: Path) -> float:
    return os.path.getsize(path) / (1024 * 1024)
