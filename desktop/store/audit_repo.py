"""Append-only audit table with a SHA-256 chain. No personal data goes in: ids and policy names only."""

from __future__ import annotations

from datetime import datetime

from desktop.domain.audit import GENESIS, entry_hash
from desktop.domain.clock import from_iso, to_iso
from desktop.domain.models import AuditEntry
from desktop.store.vault import Vault


class AuditRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def append(self, at: datetime, staff: str, action: str, target: str, detail: str = "") -> int:
        with self.vault.transaction() as c:
            row = c.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            at_s = to_iso(at) or ""
            h = entry_hash(prev, at_s, staff, action, target, detail)
            cur = c.execute(
                "INSERT INTO audit(at, staff, action, target, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
                (at_s, staff, action, target, detail, prev, h),
            )
            return int(cur.lastrowid)

    def raw_rows(self) -> list[tuple]:
        return self.vault.read(
            "SELECT id, at, staff, action, target, detail, prev_hash, hash FROM audit ORDER BY id")

    def entries(self, *, action: str | None = None, target: str | None = None,
                since: str | None = None, until: str | None = None, limit: int = 10_000) -> list[AuditEntry]:
        where, params = [], []
        if action:
            where.append("action = ?")
            params.append(action)
        if target:
            where.append("(target = ? OR target LIKE ? OR target LIKE ?)")
            params += [target, target + ",%", "%," + target]
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at < ?")
            params.append(until)
        sql = "SELECT id, at, staff, action, target, detail, prev_hash, hash FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [AuditEntry(r[0], from_iso(r[1]), r[2], r[3], r[4], r[5], r[6], r[7])  # type: ignore[arg-type]
                for r in self.vault.read(sql, tuple(params))]

    def actions(self) -> list[str]:
        return [r[0] for r in self.vault.read("SELECT DISTINCT action FROM audit ORDER BY action")]
