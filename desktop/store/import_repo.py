"""Provenance of imported cases (which export row each came from) and saved import mappings."""

from __future__ import annotations

from datetime import datetime

from desktop.domain.clock import to_iso
from desktop.store.vault import Vault


class ImportRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def known(self, keys: list[str]) -> set[str]:
        """The provenance keys among these that an earlier import already stored."""
        if not keys:
            return set()
        rows = self.vault.read_in("SELECT key FROM import_provenance WHERE key IN ({marks})", keys)
        return {r[0] for r in rows}

    def add_many(self, items: list[tuple[str, int]], profile: str, at: datetime) -> None:
        """(key, case id) pairs; call inside vault.transaction() with the cases' own INSERT."""
        when = to_iso(at)
        self.vault.conn.executemany(
            "INSERT INTO import_provenance(key, case_id, profile, imported_at) VALUES (?,?,?,?)",
            [(k, case_id, profile, when) for k, case_id in items])

    def of_case(self, case_id: int) -> str | None:
        rows = self.vault.read("SELECT key FROM import_provenance WHERE case_id = ?", (case_id,))
        return rows[0][0] if rows else None
