"""Compliance settings (JSON values) in the encrypted store."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.clock import to_iso
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
