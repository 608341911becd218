"""SQL for mail intake: a case's mail record (diagnosis, Message-ID hash, confirmation)."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.clock import to_iso
from desktop.store.vault import Vault


class MailRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def known_keys(self, keys: list[str]) -> set[str]:
        rows = self.vault.read_in("SELECT message_key FROM case_mail WHERE message_key IN ({marks})", keys)
        return {r[0] for r in rows}

    def add(self, case_id: int, key: str, source: str, diagnosis: dict | None, at: datetime,
            confirmed_by: str | None = None) -> None:
        """Call inside a transaction. Without confirmed_by the case was made without staff, so it
        stays unconfirmed (no privacy-notice acknowledgement or consent row) until confirm()."""
        c = self.vault.conn
        c.execute("INSERT INTO case_mail(case_id, message_key, source, diagnosis, created_at, confirmed_at,"
                  " confirmed_by) VALUES (?,?,?,?,?,?,?)",
                  (case_id, key, source, json.dumps(diagnosis, ensure_ascii=False) if diagnosis else None, to_iso(at),
                   to_iso(at) if confirmed_by else None, confirmed_by))
        if confirmed_by:
            return
        c.execute("UPDATE cases SET notice_acknowledged_at = NULL WHERE id = ?", (case_id,))
        c.execute("DELETE FROM consents WHERE case_id = ? AND kind = 'privacy_notice'", (case_id,))

    def record(self, case_id: int) -> dict | None:
        rows = self.vault.read("SELECT source, diagnosis, created_at, confirmed_at, confirmed_by FROM case_mail"
                               " WHERE case_id = ?", (case_id,))
        if not rows:
            return None
        source, diagnosis, created, confirmed_at, confirmed_by = rows[0]
        return {"source": source, "diagnosis": json.loads(diagnosis) if diagnosis else None, "created_at": created,
                "confirmed_at": confirmed_at, "confirmed_by": confirmed_by}

    def records(self, case_ids: list[int]) -> dict[int, dict]:
        rows = self.vault.read_in("SELECT case_id, source, diagnosis, confirmed_at FROM case_mail"
                                  " WHERE case_id IN ({marks})", case_ids)
        return {r[0]: {"source": r[1], "diagnosis": json.loads(r[2]) if r[2] else None, "confirmed_at": r[3]}
                for r in rows}

    def confirm(self, case_id: int, subject_id: int | None, notice_version: str, at: datetime, staff: str) -> bool:
        """Staff confirmed the notice was given and the person is 13 or older. Inside a transaction."""
        c = self.vault.conn
        done = c.execute("UPDATE case_mail SET confirmed_at = ?, confirmed_by = ? WHERE case_id = ?"
                         " AND confirmed_at IS NULL", (to_iso(at), staff, case_id)).rowcount
        if done:
            c.execute("UPDATE cases SET notice_acknowledged_at = ?, notice_version = ? WHERE id = ?",
                      (to_iso(at), notice_version, case_id))
            c.execute("INSERT INTO consents(subject_id, case_id, kind, version, given_at, source)"
                      " VALUES (?,?,?,?,?,?)", (subject_id, case_id, "privacy_notice", notice_version, to_iso(at), "staff"))
        return bool(done)

    def set_diagnosis(self, case_id: int, diagnosis: dict | None) -> None:
        self.vault.conn.execute("UPDATE case_mail SET diagnosis = ? WHERE case_id = ?",
                                (json.dumps(diagnosis, ensure_ascii=False) if diagnosis else None, case_id))
