"""Legal holds and child flags on cases and people: part of RetentionService (services/retention.py),
which mixes this in; every change refreshes the retention timers it touches and is audited."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.domain import retention as r
from desktop.domain.validation import check_email
from desktop.errors import NotFound, RefusedError

if TYPE_CHECKING:
    from desktop.domain.models import Case, Subject
    from desktop.services.context import Context

MAX_REASON = 500


class HoldsMixin:
    ctx: Context
    refresh: Callable[[int], None]  # RetentionService's: recompute one case's timer
    _subject: Callable[[Case], Subject | None]  # RetentionService's

    def subject_id_for_email(self, email: str) -> int:
        result = check_email(email)
        if result.error:
            raise ValueError(result.error)
        subject = self.ctx.subjects.by_email(str(result.value))
        if subject is None:
            raise NotFound("no data subject with that email address")
        return subject.id

    def set_hold(self, *, reason: str, case_id: int | None = None, subject_id: int | None = None) -> None:
        """Legal hold on a case or a whole data subject: blocks every purge and erasure of it.
        Setting it again replaces the reason. The audit entry names the target only, never the reason."""
        text = _check_reason(reason)
        self._apply_hold(case_id, subject_id, {
            "legal_hold_reason": text, "legal_hold_by": self.ctx.staff, "legal_hold_at": self.ctx.now()},
            "hold.set")

    def lift_hold(self, *, case_id: int | None = None, subject_id: int | None = None) -> bool:
        """Lift a hold (audited); False when there was none. Timers resume from the stored
        timestamps, so anything overdue goes at the next sweep."""
        if case_id is not None and subject_id is None and not self.ctx.cases.get(case_id).on_hold:
            return False
        if subject_id is not None and case_id is None and not self.ctx.subjects.get(subject_id).on_hold:
            return False
        self._apply_hold(case_id, subject_id, {
            "legal_hold_reason": None, "legal_hold_by": None, "legal_hold_at": None}, "hold.lift")
        return True

    def _apply_hold(self, case_id: int | None, subject_id: int | None, fields: dict, action: str) -> None:
        if (case_id is None) == (subject_id is None):
            raise ValueError("name exactly one case or one data subject")
        with self.ctx.vault.transaction():
            if case_id is not None:
                self.ctx.cases.update(case_id, **fields)
                self.ctx.audit(action, f"case:{case_id}")
                self.refresh(case_id)
            else:
                self.ctx.subjects.update(subject_id, **fields)  # type: ignore[arg-type]
                self.ctx.audit(action, f"subject:{subject_id}")
                for cid in self.ctx.cases.ids_for_subject(subject_id):  # type: ignore[arg-type]
                    self.refresh(cid)

    def is_held(self, case_id: int) -> bool:
        case = self.ctx.cases.get(case_id)
        return r.hold_of(case, self._subject(case)) is not None

    def flag_child(self, case_id: int) -> None:
        """Mark a case as a child's (under 13): the next sweep deletes it, unless a legal hold applies."""
        case = self.ctx.cases.get(case_id)
        if case.anonymised:
            raise RefusedError(f"case {case_id} is anonymised; it holds no personal data to delete")
        if case.child_flagged_at is not None:
            return
        with self.ctx.vault.transaction():
            self.ctx.cases.update(case_id, child_flagged_at=self.ctx.now())
            self.ctx.audit("case.child_flag", f"case:{case_id}")
            self.refresh(case_id)

    def unflag_child(self, case_id: int) -> None:
        """Undo a mistaken child flag before the sweep (audited)."""
        case = self.ctx.cases.get(case_id)
        if case.child_flagged_at is None:
            return
        with self.ctx.vault.transaction():
            self.ctx.cases.update(case_id, child_flagged_at=None)
            self.ctx.audit("case.child_unflag", f"case:{case_id}")
            self.refresh(case_id)


def _check_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ValueError("a legal hold needs a reason")
    if len(text) > MAX_REASON:
        raise ValueError(f"the reason can be at most {MAX_REASON} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise ValueError("the reason contains control characters")
    return text
