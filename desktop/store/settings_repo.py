"""Compliance settings (JSON values) in the encrypted store."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.clock import from_iso, to_iso
from desktop.store.vault import Vault


class SettingsRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def get(self, key: str) -> object | None:
        raw = self.raw(key)
        return json.loads(raw) if raw is not None else None

    def raw(self, key: str) -> str | None:
        """The stored JSON text (None when unset)."""
        rows = self.vault.read("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set(self, key: str, value: object, at: datetime, staff: str) -> None:
        self.vault.conn.execute(
            "INSERT INTO settings(key, value, updated_at, updated_by) VALUES (?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            (key, json.dumps(value, ensure_ascii=False, sort_keys=True), to_iso(at), staff),
        )

    def all(self) -> dict[str, object]:
        return {k: json.loads(v) for k, v in self.vault.read("SELECT key, value FROM settings")}

    # ---- the privacy notice's versions (schema 10) ----------------------------------------------
    def notice_versions(self) -> list[dict]:
        """Every saved version of the privacy notice, oldest first."""
        rows = self.vault.read("SELECT version, text, organisation, contact, saved_at, saved_by"
                               " FROM notice_versions ORDER BY saved_at, rowid")
        return [{"version": v, "text": t, "organisation": o, "contact": c, "saved_at": from_iso(at), "saved_by": by}
                for v, t, o, c, at, by in rows]

    def add_notice_version(self, version: str, text: str, organisation: str, contact: str,
                           at: datetime, staff: str) -> None:
        """Inside the caller's transaction (the same one that stores the profile)."""
        self.vault.conn.execute("INSERT INTO notice_versions(version, text, organisation, contact, saved_at, saved_by)"
                                " VALUES (?,?,?,?,?,?)", (version, text, organisation, contact, to_iso(at), staff))
