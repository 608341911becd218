"""Drafts (schema 11): unsaved work kept inside the store when the app locks (domain/drafts.py)."""

from __future__ import annotations

from datetime import datetime

from desktop.domain.clock import from_iso, to_iso
from desktop.domain.drafts import Draft, decode_body
from desktop.store.vault import Vault


class DraftRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def add(self, kind: str, label: str, body: str, staff: str, at: datetime) -> int:
        """Call inside vault.transaction()."""
        cur = self.vault.conn.execute("INSERT INTO drafts(kind, label, body, staff, kept_at) VALUES (?,?,?,?,?)",
                                      (kind, label, body, staff, to_iso(at)))
        return int(cur.lastrowid)

    def of_staff(self, staff: str) -> list[Draft]:
        rows = self.vault.read("SELECT id, kind, label, body, staff, kept_at FROM drafts WHERE staff = ? "
                               "ORDER BY id", (staff,))
        return [Draft(r[0], r[1], r[2], decode_body(r[3]), r[4], from_iso(r[5])) for r in rows]

    def delete(self, draft_id: int) -> bool:
        """Call inside vault.transaction()."""
        return self.vault.conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount > 0

    def delete_kept_before(self, cutoff: datetime) -> int:
        """Call inside vault.transaction()."""
        return self.vault.conn.execute("DELETE FROM drafts WHERE kept_at < ?", (to_iso(cutoff),)).rowcount

    def count(self) -> int:
        return int(self.vault.read("SELECT count(*) FROM drafts")[0][0])
