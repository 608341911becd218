"""SQL for the data-subject rights: erase a person in one place, and who may be processed.

Every write here runs inside the caller's vault.transaction(); the caller scrubs afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from desktop.store.order_keys import key_sql
from desktop.store.search import unindex
from desktop.store.vault import Vault


@dataclass(frozen=True)
class ErasedCounts:
    cases: int = 0
    notes: int = 0
    changes: int = 0
    consents: int = 0
    subject: bool = False
    requests_cleared: int = 0


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class RightsRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # ---- erasure -----------------------------------------------------------------------------
    def erase(self, *, subject_id: int | None, case_ids: list[int], delete_subject: bool,
              request_ids: list[int]) -> ErasedCounts:
        """Delete the given cases with their notes, change history, consents, request links and
        search-index rows; delete the subject row (and its remaining consents) when asked; clear
        the identifiers (subject id, email, phone) of the given register entries.

        Call inside a transaction. secure_delete is on, so freed pages are zeroed; the caller
        then runs vault.scrub() to truncate the WAL. The search entries go with the FTS5 'delete'
        command and the index's secure-delete option, so their terms leave the index pages at once.
        """
        c = self.vault.conn
        notes = changes = consents = cases = 0
        for chunk in _chunks(list(case_ids)):
            marks = ",".join("?" * len(chunk))
            notes += c.execute(f"DELETE FROM case_notes WHERE case_id IN ({marks})", chunk).rowcount
            changes += c.execute(f"DELETE FROM case_changes WHERE case_id IN ({marks})", chunk).rowcount
            consents += c.execute(f"DELETE FROM consents WHERE case_id IN ({marks})", chunk).rowcount
            c.execute(f"DELETE FROM request_cases WHERE case_id IN ({marks})", chunk)
            unindex(c, chunk, key_sql())
            cases += c.execute(f"DELETE FROM cases WHERE id IN ({marks})", chunk).rowcount
        subject_gone = False
        if delete_subject and subject_id is not None:
            consents += c.execute("DELETE FROM consents WHERE subject_id = ?", (subject_id,)).rowcount
            subject_gone = c.execute("DELETE FROM subjects WHERE id = ?", (subject_id,)).rowcount > 0
        cleared = 0
        for chunk in _chunks(list(request_ids)):
            marks = ",".join("?" * len(chunk))
            cleared += c.execute(
                f"UPDATE requests SET subject_id = NULL, subject_email = NULL, subject_phone = NULL"
                f" WHERE id IN ({marks})", chunk).rowcount
        return ErasedCounts(cases, notes, changes, consents, subject_gone, cleared)

    def subject_case_count(self, subject_id: int) -> int:
        return int(self.vault.read("SELECT count(*) FROM cases WHERE subject_id = ?", (subject_id,))[0][0])

    # ---- restriction and objection: who may be processed ----------------------------------------
    def restricted_case_ids(self, case_ids: Iterable[int]) -> set[int]:
        """Those of case_ids whose data subject is restricted (Art. 18)."""
        out: set[int] = set()
        for chunk in _chunks(list(case_ids)):
            marks = ",".join("?" * len(chunk))
            out.update(r[0] for r in self.vault.read(
                f"SELECT c.id FROM cases c JOIN subjects s ON s.id = c.subject_id"
                f" WHERE s.restricted_at IS NOT NULL AND c.id IN ({marks})", tuple(chunk)))
        return out

    def restricted_subject_ids(self) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT id FROM subjects WHERE restricted_at IS NOT NULL ORDER BY id")]

    def marketing_audience(self) -> list[tuple[int, str]]:
        """(subject id, email) of people with an active marketing consent who have neither
        objected to marketing nor had processing restricted."""
        return [(r[0], r[1]) for r in self.vault.read(
            "SELECT s.id, s.email FROM subjects s WHERE s.restricted_at IS NULL"
            " AND s.marketing_objected_at IS NULL AND EXISTS (SELECT 1 FROM consents k"
            " WHERE k.subject_id = s.id AND k.kind = 'marketing' AND k.withdrawn_at IS NULL)"
            " ORDER BY s.id")]
