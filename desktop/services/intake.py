"""Capture a support request: validate, link to the data subject, store, index, audit. One transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from desktop.domain.models import IntakeData, Subject
from desktop.domain.retention import CaseFacts, PolicyError, Rules
from desktop.domain.validation import ValidationError, validate_intake
from desktop.errors import RefusedError
from desktop.services.context import CaseHook, Context
from desktop.services.settings import SettingsService
from desktop.store.bulk import NewCase


@dataclass(frozen=True)
class IntakeResult:
    case_id: int
    subject_id: int
    repeat_contact: bool


class IntakeService:
    def __init__(self, ctx: Context, settings: SettingsService, *, timers: CaseHook | None = None) -> None:
        """timers: the case_changed hook that keeps retention timers (its new_case_rules give a new
        case's timer in its own INSERT, and the hook is then skipped for it). The composition root
        registers it as the first hook, so no earlier hook can change a case before its timer is
        computed. None: every hook runs after the INSERT."""
        self.ctx = ctx
        self.settings = settings
        self.timers = timers

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
            result = self._insert([data], source, bulk=False)[0]
            self.ctx.audit("case.create", f"case:{result.case_id},subject:{result.subject_id}", f"source={source}")
        return result

    def store_many(self, items: list[IntakeData], *, source: str = "import") -> list[IntakeResult]:
        """Store many validated submissions in one transaction, with one audit entry naming the ids."""
        if not items:
            return []
        with self.ctx.vault.transaction():
            results = self._insert(items, source, bulk=True)
            ids = [r.case_id for r in results]
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

    def refusals(self, items: list[IntakeData]) -> list[str | None]:
        """refusal() for each item, against the store as it is now (one look-up per 500 people)."""
        existing = self.ctx.subjects.by_emails([d.email for d in items])
        return [self._refusal(d, existing.get(d.email)) for d in items]

    def _insert(self, items: list[IntakeData], source: str, *, bulk: bool) -> list[IntakeResult]:
        """Write these submissions as new cases: refuse as a whole (RefusedError) if any may not be
        stored, link each to its person (created on first contact), and give each its retention
        timer in the same INSERT. Call inside vault.transaction(). The rows, ids and timers are
        those that storing them one by one (subject look-up, case, index, consents, then the
        case_changed hooks) leaves; see store/bulk.py."""
        ctx = self.ctx
        now = ctx.now()
        existing = ctx.subjects.by_emails([d.email for d in items])  # read inside the transaction
        for d in items:
            problem = self._refusal(d, existing.get(d.email))
            if problem:
                raise RefusedError(problem)
        new_emails = list(dict.fromkeys(d.email for d in items if d.email not in existing))
        created = ctx.subjects.create_many(new_emails, now)
        rules, timer_hook = self._timer_rules()
        rows: list[NewCase] = []
        results_meta: list[tuple[int, bool]] = []
        seen: set[str] = set()
        for d in items:
            subject = existing.get(d.email)
            subject_id = subject.id if subject is not None else created[d.email]
            results_meta.append((subject_id, subject is not None or d.email in seen))
            seen.add(d.email)
            timer: tuple[str | None, str | None] = (None, None)
            if rules is not None:
                item = rules.next_removal(new_case_facts(d, subject))
                if item is not None:
                    timer = (item.due_at.isoformat(timespec="seconds"), item.policy_id)
            rows.append(NewCase(d, subject_id, *timer))
        ids = ctx.repos.intake_writer.insert(rows, created_at=now, staff=ctx.staff, source=source)
        if bulk:  # one bulk call to a CaseHook; a single intake calls each hook per case, as before
            ctx.notify_cases_changed(ids, skip=timer_hook)
        else:
            for case_id in ids:
                ctx.notify_case_changed(case_id, skip=timer_hook)
        return [IntakeResult(cid, sid, repeat) for cid, (sid, repeat) in zip(ids, results_meta, strict=True)]

    def _timer_rules(self) -> tuple[Rules | None, CaseHook | None]:
        """The retention rules for new cases' timers and the hook they stand in for (the injected
        timers hook): (None, None) when there is none, or its policies are invalid (the hook then
        runs after the INSERT and logs that, as before)."""
        hook = self.timers
        if hook is None or hook.new_case_rules is None or hook not in self.ctx.case_changed:
            return None, None
        try:
            return hook.new_case_rules(), hook  # type: ignore[return-value]
        except PolicyError:
            return None, None


def new_case_facts(data: IntakeData, subject: Subject | None) -> CaseFacts:
    """The retention facts of a case just taken in (open, last activity = received, no flags), as
    retention_repo.case_facts reads them back from its stored row."""
    return CaseFacts(
        activity_day=data.received_at.astimezone(UTC).date().isoformat(),
        subject_hold=subject is not None and subject.on_hold,
        restricted=subject is not None and subject.restricted,
        phone=bool(data.phone),
        technical_details=bool(data.technical_details),
    )


__all__ = ["IntakeService", "IntakeResult", "RefusedError", "ValidationError"]
