"""Append-only audit table with a SHA-256 chain. No personal data goes in: ids and policy names only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from desktop import digests
from desktop.domain.audit import GENESIS, Head, entry_hash
from desktop.domain.clock import from_iso, to_iso
from desktop.domain.models import AuditEntry
from desktop.store.vault import Vault

HEAD_KEY = "audit_head"
_LAST_AND_HEAD = ("SELECT a.id, a.hash, (SELECT value FROM meta WHERE key = ?) FROM (SELECT 1)"
                  " LEFT JOIN (SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1) a")


def _entry_hash(prev_hash: str, at: str, staff: str, action: str, target: str, detail: str) -> str:
    """domain.audit.entry_hash, byte for byte, without building a JSON encoder per entry (a sweep
    appends 100k+ entries): for six strings, json.dumps(ensure_ascii=False, separators=(",", ":"))
    is exactly '[' + ','.join(encode_basestring(each)) + ']'. Anything else takes entry_hash."""
    if not (type(prev_hash) is str and type(at) is str and type(staff) is str and type(action) is str
            and type(target) is str and type(detail) is str):
        return entry_hash(prev_hash, at, staff, action, target, detail)
    payload = "[" + ",".join(map(encode_basestring, (prev_hash, at, staff, action, target, detail))) + "]"
    return digests.sha256(payload.encode("utf-8")).hexdigest()


class AuditRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def append(self, at: datetime, staff: str, action: str, target: str, detail: str = "") -> int:
        """Append one entry and move the recorded head, in one transaction (so a trail cut short
        at the end no longer matches its head)."""
        return self.append_many(at, staff, [(action, target, detail)])[0]

    def append_many(self, at: datetime, staff: str, entries: Sequence[tuple[str, str, str]]) -> list[int]:
        """Append (action, target, detail) entries in order, in one transaction: exactly the chain,
        ids and head that as many append() calls would leave, with one INSERT statement prepared
        once and one head update. Returns the new entry ids."""
        if not entries:
            return []
        with self.vault.transaction() as c:
            # the last entry and the recorded head, in one statement (one intake appends one entry)
            last_id, prev, head_text = c.execute(_LAST_AND_HEAD, (HEAD_KEY,)).fetchone()
            prev = prev if last_id is not None else GENESIS
            old_head = Head.decode(head_text)
            # Continue numbering after the recorded head: entries cut from the end leave a visible
            # gap even after new entries are appended (ids are never reused).
            entry_id = max(last_id or 0, old_head.last_id if old_head else 0)
            at_s = to_iso(at) or ""
            rows = []
            for action, target, detail in entries:
                entry_id += 1
                h = _entry_hash(prev, at_s, staff, action, target, detail)
                rows.append((entry_id, at_s, staff, action, target, detail, prev, h))
                prev = h
            c.executemany(
                "INSERT INTO audit(id, at, staff, action, target, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
                rows,
            )
            head = Head((old_head.count if old_head else 0) + len(rows), entry_id, prev)
            c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (HEAD_KEY, head.encode()))
            return [r[0] for r in rows]

    def head(self) -> Head | None:
        rows = self.vault.read("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,))
        return Head.decode(rows[0][0]) if rows else None

    def snapshot(self) -> tuple[list[tuple], Head | None]:
        """All raw rows and the recorded head, read in one transaction (a consistent pair even
        while another process appends)."""
        with self.vault.transaction() as c:
            rows = c.execute(
                "SELECT id, at, staff, action, target, detail, prev_hash, hash FROM audit ORDER BY id").fetchall()
            head_row = c.execute("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,)).fetchone()
        return rows, Head.decode(head_row[0]) if head_row else None

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
