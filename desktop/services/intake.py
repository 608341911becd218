"""Capture a support request: validate, link to the data subject, store, index, audit. One transaction."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.models import IntakeData
from desktop.domain.validation import ValidationError, validate_intake
from desktop.services.context import Context
from desktop.services.settings import SettingsService


class RefusedError(Exception):
    """The request was valid but the law or a restriction says no (shown to the user as is)."""


@dataclass(frozen=True)
class IntakeResult:
    case_id: int
    subject_id: int
    repeat_contact: bool


class IntakeService:
    def __init__(self, ctx: Context, settings: SettingsService) -> None:
        self.ctx = ctx
        self.settings = settings

    def validate(self, raw: dict[str, object]) -> IntakeData:
        return validate_intake(
            raw,
            default_region=self.settings.phone_region,
            now=self.ctx.now(),
            notice_version=self.settings.notice_version,
        )

    def submit(self, raw: dict[str, object], *, source: str = "form") -> IntakeResult:
        """Validate and store. Raises ValidationError (nothing written) on bad input."""
        data = self.validate(raw)
        return self.store(data, source=source)

    def store(self, data: IntakeData, *, source: str = "form") -> IntakeResult:
        with self.ctx.vault.transaction():
            result = self._store_one(data, source)
            self.ctx.audit("case.create", f"case:{result.case_id},subject:{result.subject_id}", f"source={source}")
        return result

    def store_many(self, items: list[IntakeData], *, source: str = "import") -> list[IntakeResult]:
        """Store many validated submissions in one transaction, with one audit entry naming the ids."""
        if not items:
            return []
        with self.ctx.vault.transaction():
            results = [self._store_one(d, source, notify=False) for d in items]
            ids = [r.case_id for r in results]
            self.ctx.notify_cases_changed(ids)  # one bulk call: timers for all new cases
            self.ctx.audit("case.import", f"case:{ids[0]}-{ids[-1]}", f"count={len(ids)};source={source}")
        return results

    def refusal(self, data: IntakeData) -> str | None:
        """Why this valid submission may not be stored now, or None."""
        return self._refusal(data, self.ctx.subjects.by_email(data.email))

    @staticmethod
    def _refusal(data: IntakeData, existing) -> str | None:
        if existing is None:
            return None
        if existing.restricted:
            # Restriction (Art. 18): storing new data is processing; the desk must decide by hand.
            return "processing of this person's data is restricted; lift the restriction before adding a case"
        if data.marketing_consent and existing.marketing_objected_at is not None:
            return "this person objected to marketing; marketing consent cannot be recorded"
        return None

    def _store_one(self, data: IntakeData, source: str, notify: bool = True) -> IntakeResult:
        ctx = self.ctx
        now = ctx.now()
        existing = ctx.subjects.by_email(data.email)  # one look-up serves the refusal check and the link
        problem = self._refusal(data, existing)
        if problem:
            raise RefusedError(problem)
        subject_id = existing.id if existing else ctx.subjects.find_or_create(data.email, now)
        case_id = ctx.cases.insert(data, subject_id=subject_id, created_at=now, staff=ctx.staff)
        ctx.subjects.add_consent(
            subject_id=subject_id, case_id=case_id, kind="privacy_notice",
            version=data.notice_version, given_at=data.notice_acknowledged_at, source=source,
        )
        if data.marketing_consent:
            ctx.subjects.add_consent(
                subject_id=subject_id, case_id=case_id, kind="marketing",
                version=data.notice_version, given_at=now, source=source,
            )
        if notify:
            ctx.notify_case_changed(case_id)
        return IntakeResult(case_id, subject_id, existing is not None)


__all__ = ["IntakeService", "IntakeResult", "RefusedError", "ValidationError"]
