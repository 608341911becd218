"""The keyed erasure record: who was erased on request, without keeping who.

When a person is erased on request (RightsService.erase) and nothing is held about them any more,
an HMAC-SHA256 of their normalised email (check_email's normal form, else trimmed and lower-cased)
under the store's own random secret is kept with the time of the erasure. The secret lives only
inside the encrypted store (made once by migration 4), is never logged, never exported, never
shown. Other services ask `was_erased(email)` (the form import holds rows of erased people).

Restore (services/backup_service.py) carries the live store's secret and records into the store
it puts in place, then erases again, in the restored store, everything about each recorded address
that was created no later than its erasure (`reapply`). A backup older than the record (schema
below 4, or made before an erasure) therefore comes back without the people erased since.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.clock import to_iso
from desktop.domain.validation import check_email
from desktop.services.context import Context


def normalise_email(email: str) -> str:
    text = (email or "").strip()
    checked = check_email(text)
    return str(checked.value) if checked.error is None else text.lower()


def digest(secret: bytes, email: str) -> str:
    import hashlib  # here, not at start: hmac and hashlib load OpenSSL (desktop/digests.py)
    import hmac

    return hmac.new(secret, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ErasureMemory:
    """A store's secret and records, carried in memory from the store a restore replaces."""

    secret: bytes
    records: list[tuple[str, str]]

    def __repr__(self) -> str:  # never show the secret
        return f"ErasureMemory(records={len(self.records)})"


@dataclass(frozen=True)
class Reapplied:
    people: int
    cases: int


class ErasureRecordService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.repo = ctx.repos.erasures

    def _digest(self, email: str) -> str:
        return digest(self.repo.secret(), email)

    def record(self, *emails: str | None) -> None:
        """Note these addresses as erased now. Call inside the erasure's transaction."""
        at = to_iso(self.ctx.now())
        for email in dict.fromkeys(e for e in emails if e and e.strip()):
            self.repo.add(self._digest(email), at)

    def was_erased(self, email: str) -> bool:
        return bool(email and email.strip()) and bool(self.repo.found([self._digest(email)]))

    def erased_among(self, emails: list[str]) -> set[str]:
        """Those of emails (as given) whose person was erased on request: one query for many rows."""
        secret = self.repo.secret()
        by_digest: dict[str, list[str]] = {}
        for email in emails:
            if email and email.strip():
                by_digest.setdefault(digest(secret, email), []).append(email)
        found = self.repo.found(list(by_digest))
        return {email for d in found for email in by_digest[d]}

    def count(self) -> int:
        return self.repo.count()

    def memory(self) -> ErasureMemory:
        return ErasureMemory(self.repo.secret(), self.repo.records())

    def adopt(self, memory: ErasureMemory) -> int:
        """Make the carried secret and records this store's (a restore). The store's own records
        are kept when they were made under the same secret (a backup of the same store); under
        another secret they cannot be matched any more and are dropped: returns how many."""
        from hmac import compare_digest

        same = compare_digest(self.repo.secret(), memory.secret)
        dropped = 0 if same else self.repo.count()
        with self.ctx.vault.transaction():
            self.repo.replace_all(memory.secret, memory.records, keep_own=same)
        return dropped

    def reapply(self) -> Reapplied:
        """Erase again everything this store holds about each recorded address that was created no
        later than its erasure: cases (with notes, history, consents, search entries), the person's
        record when nothing is left, the register's identifiers. Scrubs afterwards."""
        secret = self.repo.secret()
        addresses = self.repo.addresses()
        found = self.repo.found([digest(secret, a) for a in addresses])
        if not found:
            return Reapplied(0, 0)
        rights = self.ctx.repos.rights
        people = cases = 0
        with self.ctx.vault.transaction():
            for address in addresses:
                erased_at = found.get(digest(secret, address))
                if erased_at is None:
                    continue
                rows = self.repo.rows_for(address)
                doomed = [cid for cid, created in rows.cases if created <= erased_at]
                requests = [rid for rid, received in rows.requests if received <= erased_at]
                counts = rights.erase(subject_id=None, case_ids=doomed, delete_subject=False, request_ids=requests)
                for subject_id in rows.subjects:
                    self.ctx.subjects.delete_if_orphan(subject_id)
                people += 1
                cases += counts.cases
            self.ctx.audit("rights.erase_reapplied", "store", f"people={people};cases={cases}")
        self.ctx.vault.scrub()
        return Reapplied(people, cases)
