"""Data subjects (the person behind cases) and their consents."""

from __future__ import annotations

from datetime import datetime

from desktop.domain.clock import to_iso
from desktop.domain.models import Consent, Subject
from desktop.errors import NotFound
from desktop.store.rows import SUBJECT_COLUMNS, consent_from_row, subject_from_row
from desktop.store.vault import Vault

SUBJECT_UPDATABLE = {
    "email", "restricted_at", "restriction_reason", "legal_hold_reason", "legal_hold_by",
    "legal_hold_at", "marketing_objected_at",
}


class SubjectRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def find_or_create(self, email: str, at: datetime) -> int:
        c = self.vault.conn
        row = c.execute("SELECT id FROM subjects WHERE email = ?", (email,)).fetchone()
        if row:
            return int(row[0])
        cur = c.execute("INSERT INTO subjects(email, created_at) VALUES (?, ?)", (email, to_iso(at)))
        return int(cur.lastrowid)

    def create_many(self, emails: list[str], at: datetime) -> dict[str, int]:
        """New subjects for these emails (none may exist yet), ids assigned in list order as
        find_or_create one by one would; returns email -> id. Call inside vault.transaction()."""
        if not emails:
            return {}
        c = self.vault.conn
        created = to_iso(at)
        if len(emails) == 1:
            return {emails[0]: int(c.execute("INSERT INTO subjects(email, created_at) VALUES (?, ?)",
                                             (emails[0], created)).lastrowid)}
        first = int(c.execute("SELECT coalesce(max(id), 0) + 1 FROM subjects").fetchone()[0])
        ids = {email: first + i for i, email in enumerate(emails)}
        c.executemany("INSERT INTO subjects(id, email, created_at) VALUES (?, ?, ?)",
                      [(sid, email, created) for email, sid in ids.items()])
        return ids

    def by_emails(self, emails: list[str]) -> dict[str, Subject]:
        """email -> subject for those of these (normalised) emails that have one."""
        rows = self.vault.read_in(f"SELECT {SUBJECT_COLUMNS} FROM subjects WHERE email IN ({{marks}})",
                                  list(dict.fromkeys(emails)))
        return {r[1]: subject_from_row(r) for r in rows}

    def by_email(self, email: str) -> Subject | None:
        rows = self.vault.read(f"SELECT {SUBJECT_COLUMNS} FROM subjects WHERE email = ?", (email,))
        return subject_from_row(rows[0]) if rows else None

    def get(self, subject_id: int) -> Subject:
        rows = self.vault.read(f"SELECT {SUBJECT_COLUMNS} FROM subjects WHERE id = ?", (subject_id,))
        if not rows:
            raise NotFound(f"data subject {subject_id} not found")
        return subject_from_row(rows[0])

    def get_many(self, ids: list[int]) -> dict[int, Subject]:
        rows = self.vault.read_in(f"SELECT {SUBJECT_COLUMNS} FROM subjects WHERE id IN ({{marks}})", list(ids))
        return {r[0]: subject_from_row(r) for r in rows}

    def update(self, subject_id: int, **fields: object) -> None:
        bad = set(fields) - SUBJECT_UPDATABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        cols = ", ".join(f"{k} = ?" for k in fields)
        params = [to_iso(v) if isinstance(v, datetime) else v for v in fields.values()] + [subject_id]
        cur = self.vault.conn.execute(f"UPDATE subjects SET {cols} WHERE id = ?", params)
        if cur.rowcount == 0:
            raise NotFound(f"data subject {subject_id} not found")

    def delete(self, subject_id: int) -> None:
        self.vault.conn.execute("DELETE FROM subjects WHERE id = ?", (subject_id,))

    def delete_if_orphan(self, subject_id: int) -> bool:
        """Remove a subject with no cases left and no legal hold; True when removed."""
        c = self.vault.conn
        if c.execute("SELECT 1 FROM cases WHERE subject_id = ? LIMIT 1", (subject_id,)).fetchone():
            return False
        cur = c.execute(
            "DELETE FROM subjects WHERE id = ? AND legal_hold_reason IS NULL", (subject_id,))
        return cur.rowcount > 0

    # ---- consents ----------------------------------------------------------------------------
    def add_consent(self, *, subject_id: int, case_id: int | None, kind: str, version: str | None,
                    given_at: datetime, source: str | None) -> int:
        cur = self.vault.conn.execute(
            "INSERT INTO consents(subject_id, case_id, kind, version, given_at, source) VALUES (?,?,?,?,?,?)",
            (subject_id, case_id, kind, version, to_iso(given_at), source),
        )
        return int(cur.lastrowid)

    def withdraw_consents(self, subject_id: int, kind: str, at: datetime) -> int:
        cur = self.vault.conn.execute(
            "UPDATE consents SET withdrawn_at = ? WHERE subject_id = ? AND kind = ? AND withdrawn_at IS NULL",
            (to_iso(at), subject_id, kind),
        )
        return cur.rowcount

    def delete_consent(self, consent_id: int) -> None:
        self.vault.conn.execute("DELETE FROM consents WHERE id = ?", (consent_id,))

    def consents(self, subject_id: int) -> list[Consent]:
        return [consent_from_row(r) for r in self.vault.read(
            "SELECT id, subject_id, case_id, kind, version, given_at, withdrawn_at, source FROM consents"
            " WHERE subject_id = ? ORDER BY given_at, id", (subject_id,))]

    def all_consents(self) -> list[Consent]:
        return [consent_from_row(r) for r in self.vault.read(
            "SELECT id, subject_id, case_id, kind, version, given_at, withdrawn_at, source FROM consents ORDER BY id")]

    def has_active_marketing_consent(self, subject_id: int) -> bool:
        return bool(self.vault.read(
            "SELECT 1 FROM consents WHERE subject_id = ? AND kind = 'marketing' AND withdrawn_at IS NULL",
            (subject_id,)))
