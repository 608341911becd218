"""Bulk queries and removals for retention sweeps. Call the write methods inside vault.transaction().

Removal is real: rows are deleted or overwritten (secure_delete zeroes the old bytes), the case
leaves the full-text index, and change history holding removed values goes too. The caller runs
vault.scrub() afterwards (FTS optimize, WAL checkpoint TRUNCATE).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from desktop.domain.clock import to_iso
from desktop.domain.models import Consent
from desktop.store.rows import consent_from_row
from desktop.store.search import phone_tokens
from desktop.store.vault import Vault

REMOVABLE_FIELDS = ("phone", "technical_details")
CONSENT_COLUMNS = "id, subject_id, case_id, kind, version, given_at, withdrawn_at, source"


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class RetentionRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # ---- reads -------------------------------------------------------------------------------
    def raw_setting(self, key: str) -> str | None:
        rows = self.vault.read("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def due_case_ids(self, before: datetime) -> list[int]:
        """Cases whose stored next removal is before `before`, plus cases with no stored timer that
        could still have one (not anonymised, no case hold): in rowid order."""
        return [r[0] for r in self.vault.read(
            "SELECT id FROM cases WHERE next_removal_at < ?"
            " OR (next_removal_at IS NULL AND anonymised_at IS NULL AND legal_hold_reason IS NULL)"
            " ORDER BY id", (to_iso(before),))]

    def case_ids_after(self, after_id: int, limit: int) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit))]

    def withdrawn_marketing_consents(self, ids: Sequence[int] | None = None) -> list[Consent]:
        sql = f"SELECT {CONSENT_COLUMNS} FROM consents WHERE kind = 'marketing' AND withdrawn_at IS NOT NULL"
        if ids is None:
            return [consent_from_row(r) for r in self.vault.read(sql + " ORDER BY id")]
        out: list[Consent] = []
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            out += [consent_from_row(r) for r in self.vault.read(sql + f" AND id IN ({marks})", tuple(chunk))]
        return sorted(out, key=lambda c: c.id)

    def closed_request_ids(self) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT id FROM requests WHERE status IN ('completed', 'refused') AND completed_at IS NOT NULL"
            " ORDER BY id")]

    def unused_subject_ids(self) -> list[int]:
        """Subjects that nothing needs any more (see _UNUSED), in id order."""
        return [r[0] for r in self.vault.read(f"SELECT s.id FROM subjects s WHERE {_UNUSED} ORDER BY s.id")]

    def subject_facts(self, subject_ids: Sequence[int]) -> dict[int, tuple[set[int], set[int], bool]]:
        """subject id -> (its case ids, its marketing consent ids, kept for another reason)."""
        out: dict[int, tuple[set[int], set[int], bool]] = {}
        for chunk in _chunks(sorted(set(subject_ids))):
            marks = ",".join("?" * len(chunk))
            for (sid, kept) in self.vault.read(
                f"SELECT s.id, ({_KEPT}) FROM subjects s WHERE s.id IN ({marks})", tuple(chunk)
            ):
                out[sid] = (set(), set(), bool(kept))
            for sid, cid in self.vault.read(
                f"SELECT subject_id, id FROM cases WHERE subject_id IN ({marks})", tuple(chunk)
            ):
                out[sid][0].add(cid)
            for sid, cid in self.vault.read(
                f"SELECT subject_id, id FROM consents WHERE kind = 'marketing' AND subject_id IN ({marks})",
                tuple(chunk),
            ):
                out[sid][1].add(cid)
        return out

    # ---- writes ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def savepoint(self, name: str = "retention_case") -> Iterator[None]:
        """A nested transaction inside vault.transaction(): rolled back alone when the block raises."""
        c = self.vault.conn
        c.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            c.execute(f"ROLLBACK TO {name}")
            c.execute(f"RELEASE {name}")
            raise
        c.execute(f"RELEASE {name}")

    def set_next_removal_many(self, rows: Sequence[tuple[str | None, str | None, int]]) -> None:
        """rows of (next_removal_at ISO, policy id, case id)."""
        self.vault.conn.executemany(
            "UPDATE cases SET next_removal_at = ?, next_removal_policy = ? WHERE id = ?", rows)

    def delete_case(self, case_id: int) -> None:
        """Delete a case with its notes, history, notice consents and search entry. A marketing
        consent recorded with the case stays with the person (kept until withdrawn)."""
        c = self.vault.conn
        self._detach_consents(case_id)
        c.execute("DELETE FROM cases_fts WHERE rowid = ?", (case_id,))
        c.execute("DELETE FROM cases WHERE id = ?", (case_id,))  # notes, changes, request links cascade

    def anonymise_case(self, case_id: int, at: datetime) -> None:
        """Remove identifiers, free text, notes, history and every link to the person; keep category,
        channel, status and dates. No hash or other stand-in for an identifier is kept."""
        c = self.vault.conn
        self._detach_consents(case_id)
        c.execute("DELETE FROM case_notes WHERE case_id = ?", (case_id,))
        c.execute("DELETE FROM case_changes WHERE case_id = ?", (case_id,))
        c.execute("DELETE FROM request_cases WHERE case_id = ?", (case_id,))
        c.execute("DELETE FROM cases_fts WHERE rowid = ?", (case_id,))
        c.execute(
            "UPDATE cases SET name = NULL, email = NULL, phone = NULL, description = NULL,"
            " technical_details = NULL, resolution = NULL, subject_id = NULL, child_flagged_at = NULL,"
            " anonymised_at = ? WHERE id = ?", (to_iso(at), case_id))

    def remove_field(self, case_id: int, field: str) -> None:
        """Clear phone or technical details, with the change history that recorded their values."""
        if field not in REMOVABLE_FIELDS:
            raise ValueError(f"not a removable field: {field}")
        c = self.vault.conn
        c.execute(f"UPDATE cases SET {field} = NULL WHERE id = ?", (case_id,))
        c.execute("DELETE FROM case_changes WHERE case_id = ? AND field = ?", (case_id, field))
        if field == "phone":
            row = c.execute("SELECT name, email, description FROM cases WHERE id = ?", (case_id,)).fetchone()
            c.execute("DELETE FROM cases_fts WHERE rowid = ?", (case_id,))
            if row is not None:
                c.execute("INSERT INTO cases_fts(rowid, name, email, phone, description) VALUES (?,?,?,?,?)",
                          (case_id, row[0] or "", row[1] or "", phone_tokens(None), row[2] or ""))

    def delete_consent(self, consent_id: int) -> bool:
        cur = self.vault.conn.execute(
            "DELETE FROM consents WHERE id = ? AND kind = 'marketing' AND withdrawn_at IS NOT NULL", (consent_id,))
        return cur.rowcount > 0

    def delete_request(self, request_id: int) -> bool:
        cur = self.vault.conn.execute(
            "DELETE FROM requests WHERE id = ? AND status IN ('completed', 'refused')", (request_id,))
        return cur.rowcount > 0

    def delete_subject_if_unused(self, subject_id: int) -> bool:
        cur = self.vault.conn.execute(
            f"DELETE FROM subjects WHERE id IN (SELECT s.id FROM subjects s WHERE s.id = ? AND {_UNUSED})",
            (subject_id,))
        return cur.rowcount > 0

    def _detach_consents(self, case_id: int) -> None:
        c = self.vault.conn
        c.execute("DELETE FROM consents WHERE case_id = ? AND kind <> 'marketing'", (case_id,))
        c.execute("UPDATE consents SET case_id = NULL WHERE case_id = ?", (case_id,))


# A subject is kept while it has a legal hold, a recorded marketing objection (a suppression
# record), a restriction, or a request still being answered.
_KEPT = (
    "s.legal_hold_reason IS NOT NULL OR s.marketing_objected_at IS NOT NULL OR s.restricted_at IS NOT NULL"
    " OR EXISTS (SELECT 1 FROM requests r WHERE r.subject_id = s.id AND r.status NOT IN ('completed', 'refused'))"
)
# ... and removed when nothing needs it: no case, no marketing consent (standing or withdrawn
# proof still in its retention period), and nothing from _KEPT.
_UNUSED = (
    "NOT EXISTS (SELECT 1 FROM cases c WHERE c.subject_id = s.id)"
    " AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.subject_id = s.id AND k.kind = 'marketing')"
    f" AND NOT ({_KEPT})"
)
