"""SQL for the keyed erasure record (schema 4): one random secret kept inside the encrypted store,
and for each person erased on request an HMAC-SHA256 of their normalised email under it, with the
time of the erasure. No address is stored; the secret never leaves the encrypted store except to be
carried, in memory, into a store restored over this one (services/erasure_record.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.store.vault import Vault

SECRET_BYTES = 32

MIGRATION_4 = """
CREATE TABLE erasure_secret(
    id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL);
CREATE TABLE erasure_records(digest TEXT PRIMARY KEY, erased_at TEXT NOT NULL);
"""


def migrate_4(c) -> None:
    """4: the keyed erasure record's tables, and the store's secret (random, made once)."""
    for statement in MIGRATION_4.strip().split(";"):
        if statement.strip():
            c.execute(statement)
    c.execute("INSERT INTO erasure_secret(id, secret) VALUES (1, ?)",
              (os.urandom(SECRET_BYTES),))


@dataclass(frozen=True)
class PersonRows:
    """What a restored store holds about one address: its case ids (with their creation times),
    subject ids and register entries."""

    cases: list[tuple[int, str]]
    subjects: list[int]
    requests: list[tuple[int, str]]


class ErasureRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def secret(self) -> bytes:
        rows = self.vault.read("SELECT secret FROM erasure_secret WHERE id = 1")
        if rows:
            return bytes(rows[0][0])
        with self.vault.transaction() as c:  # a store whose secret row was lost: make a new one
            c.execute("INSERT OR IGNORE INTO erasure_secret(id, secret) VALUES (1, ?)",
                      (os.urandom(SECRET_BYTES),))
        return bytes(self.vault.read("SELECT secret FROM erasure_secret WHERE id = 1")[0][0])

    def add(self, digest: str, erased_at: str) -> None:
        """Call inside the erasure's transaction; a second erasure keeps the latest time."""
        self.vault.conn.execute(
            "INSERT INTO erasure_records(digest, erased_at) VALUES (?, ?)"
            " ON CONFLICT(digest) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)",
            (digest, erased_at))

    def found(self, digests: list[str]) -> dict[str, str]:
        """digest -> erased_at for those of digests on record."""
        rows = self.vault.read_in("SELECT digest, erased_at FROM erasure_records WHERE digest IN ({marks})",
                                  list(dict.fromkeys(digests)))
        return {r[0]: r[1] for r in rows}

    def records(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.vault.read("SELECT digest, erased_at FROM erasure_records ORDER BY digest")]

    def count(self) -> int:
        return int(self.vault.read("SELECT count(*) FROM erasure_records")[0][0])

    def replace_all(self, secret: bytes, records: list[tuple[str, str]], *, keep_own: bool) -> None:
        """Make `secret` this store's secret and add `records`; keep_own: keep the records already
        here (they were made under the same secret). Call inside a transaction."""
        c = self.vault.conn
        if not keep_own:
            c.execute("DELETE FROM erasure_records")
        c.execute("INSERT INTO erasure_secret(id, secret) VALUES (1, ?)"
                  " ON CONFLICT(id) DO UPDATE SET secret = excluded.secret", (secret,))
        c.executemany("INSERT INTO erasure_records(digest, erased_at) VALUES (?, ?)"
                      " ON CONFLICT(digest) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)",
                      records)

    def addresses(self) -> list[str]:
        """Every address the store holds about anyone: subjects, cases, register entries."""
        return [r[0] for r in self.vault.read(
            "SELECT email FROM subjects UNION SELECT email FROM cases WHERE email IS NOT NULL"
            " UNION SELECT subject_email FROM requests WHERE subject_email IS NOT NULL")]

    def rows_for(self, email: str) -> PersonRows:
        cases = [(r[0], r[1]) for r in self.vault.read(
            "SELECT c.id, c.created_at FROM cases c LEFT JOIN subjects s ON s.id = c.subject_id"
            " WHERE c.email = ? OR s.email = ? ORDER BY c.id", (email, email))]
        subjects = [r[0] for r in self.vault.read("SELECT id FROM subjects WHERE email = ?", (email,))]
        requests = [(r[0], r[1]) for r in self.vault.read(
            "SELECT id, received_at FROM requests WHERE subject_email = ?", (email,))]
        return PersonRows(cases, subjects, requests)
