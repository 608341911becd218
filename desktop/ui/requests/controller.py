"""Behaviour of the Requests view without a window: load the register, say which actions a request
allows (and why not), run each step through the services and turn failures into one clear line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from desktop.domain.models import (
    Case,
    RequestStatus,
    RequestType,
    Subject,
    SubjectRequest,
    verification_label,
)
from desktop.domain.validation import ValidationError
from desktop.services.request_actions import ACTIONS, NOT_VERIFIED, Allowed, day, stamp  # noqa: F401 - re-exported
from desktop.services.requests import CaseMatch, RequestCounts, RequestRow
from desktop.ui.widgets.messages import user_message

FILTERS = {"open": "Open requests and recipients to tell", "overdue": "Overdue only", "all": "All requests"}

TYPE_LABELS = {
    RequestType.ACCESS: "Access (Art. 15)",
    RequestType.RECTIFICATION: "Rectification (Art. 16)",
    RequestType.ERASURE: "Erasure (Art. 17)",
    RequestType.RESTRICTION: "Restriction (Art. 18)",
    RequestType.PORTABILITY: "Portability (Art. 20)",
    RequestType.OBJECTION: "Objection (Art. 21)",
}
STATUS_LABELS = {
    RequestStatus.RECEIVED: "Received",
    RequestStatus.VERIFYING: "Verifying identity",
    RequestStatus.IN_PROGRESS: "In progress",
    RequestStatus.COMPLETED: "Completed",
    RequestStatus.REFUSED: "Refused",
}


def countdown(row: RequestRow) -> str:
    """What the 'Days left' column says; a closed request has no countdown."""
    if row.days_left is None:
        return "—"
    n = row.days_left
    if row.overdue:
        return f"⚠ OVERDUE by {-n} day{'s' if -n != 1 else ''}" if n < 0 else "⚠ OVERDUE"
    if n == 0:
        return "Due today"
    text = f"{n} day{'s' if n != 1 else ''}"
    return f"{text} (due soon)" if row.due_soon else text


def method_label(stored: str | None) -> str:
    return verification_label(stored) if stored else "—"


def further_cases(n: int) -> str:
    return f"{n} further case{'' if n == 1 else 's'} confirmed as the person's."


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    value: Any = None


@dataclass(frozen=True)
class MatchedCase:
    case_id: int
    name: str
    email: str
    received: str
    category: str
    matched_on: tuple[str, ...]
    on_hold: bool = False


@dataclass(frozen=True)
class ErasurePlan:
    erase: list[MatchedCase]
    kept: list[tuple[MatchedCase, str]]  # case, hold reason
    person_hold: str | None  # the whole person is under a legal hold


def _run(action: Callable[[], Any], done: str | Callable[[Any], str], failed: str) -> Outcome:
    try:
        value = action()
    except ValidationError as exc:
        return Outcome(False, f"{failed}: " + "; ".join(exc.errors.values()), dict(exc.errors))
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line, never a traceback
        return Outcome(False, f"{failed}: {user_message(exc)}")
    return Outcome(True, done(value) if callable(done) else done, value=value)


class RequestsController:
    def __init__(self, services) -> None:
        self.services = services
        self.filter = "open"
        self.rows: list[RequestRow] = []

    # ---- register -------------------------------------------------------------------------------
    def load(self, filter_key: str | None = None) -> list[RequestRow]:
        if filter_key is not None:
            self.filter = filter_key
        rs = self.services.requests
        self.rows = rs.list(open_only=self.filter == "open", overdue_only=self.filter == "overdue")
        self.rows.sort(key=lambda r: (r.request.status.closed, r.due, r.request.id))
        return self.rows

    def recount(self) -> list[RequestRow]:
        """Countdowns again from the clock, without reading the store (the minute timer)."""
        now = self.services.now()
        self.rows = [self.services.requests.row(r.request, now) for r in self.rows]
        return self.rows

    def counts(self) -> RequestCounts:
        return self.services.requests.counts()

    def row_for(self, request_id: int) -> RequestRow:
        return self.services.requests.row(self.services.requests.get(request_id))

    def subject(self, req: SubjectRequest) -> Subject | None:
        return self.services.requests.subject_of(req)

    def today(self) -> date:
        return self.services.now().astimezone(UTC).date()

    # ---- opening --------------------------------------------------------------------------------
    def open_request(self, rtype: str, email: str, phone: str, received: date, channel: str) -> Outcome:
        now = self.services.now()
        when = now if received >= now.date() else datetime.combine(received, time(12, 0), UTC)
        return _run(lambda: self.services.requests.open(rtype, email, phone or None, when, channel or None),
                    lambda res: f"Request {res.request.ref} opened; due {day(res.request.due_at)}.",
                    "Not opened")

    def describe(self, matches: list[CaseMatch]) -> list[MatchedCase]:
        cases = self.services.cases.rows([m.case_id for m in matches])
        return [self._matched(cases[m.case_id], m.matched_on) for m in matches if m.case_id in cases]

    @staticmethod
    def _matched(case: Case, matched_on: tuple[str, ...] = ()) -> MatchedCase:
        return MatchedCase(case.id, case.name or "(anonymised)", case.email or "—", day(case.received_at),
                           case.category.label, matched_on, case.on_hold)

    def confirm_cases(self, request_id: int, case_ids: list[int]) -> Outcome:
        return _run(lambda: self.services.requests.confirm_cases(request_id, case_ids),
                    lambda ids: further_cases(len(ids)) if ids
                    else "Only the cases under the request's address are covered.", "Not confirmed")

    def covered_cases(self, request_id: int) -> list[MatchedCase]:
        req = self.services.requests.get(request_id)
        ids = self.services.requests.cases_for(req)
        cases = self.services.cases.rows(ids)
        return [self._matched(cases[i]) for i in ids if i in cases]

    # ---- what may be done -------------------------------------------------------------------------
    def allowed(self, row: RequestRow) -> dict[str, Allowed]:
        """Each action's state and why not, as the services' refusal rules say."""
        return self.services.requests.allowed(row.request)

    # ---- workflow ---------------------------------------------------------------------------------
    def start_verification(self, request_id: int) -> Outcome:
        return _run(lambda: self.services.requests.start_verification(request_id),
                    lambda r: f"{r.ref}: waiting for the person to confirm who they are.", "Not changed")

    def verify(self, request_id: int, method: str, note: str = "") -> Outcome:
        return _run(lambda: self.services.requests.record_verification(request_id, method, None, note or None),
                    lambda r: f"{r.ref}: identity verified by {r.verified_by} ({method_label(r.verification_method)}).",
                    "Not recorded")

    def extend(self, request_id: int, reason: str) -> Outcome:
        return _run(lambda: self.services.requests.extend(request_id, reason),
                    lambda r: f"{r.ref} extended to {day(r.extended_due_at)}. Tell the person, with the reason.",
                    "Not extended")

    def complete(self, request_id: int, outcome: str) -> Outcome:
        return _run(lambda: self.services.requests.complete(request_id, outcome or None),
                    lambda r: f"{r.ref} completed.", "Not completed")

    def refuse(self, request_id: int, reason: str) -> Outcome:
        return _run(lambda: self.services.requests.refuse(request_id, reason),
                    lambda r: f"{r.ref} refused; the reason is kept in the register.", "Not refused")

    def mark_told(self, request_id: int, recipient: str, told: bool) -> Outcome:
        """Art. 19: tick (or untick) that a recipient was told; the date and who are kept."""
        return _run(lambda: self.services.requests.mark_told(request_id, recipient, told),
                    lambda r: (f"{r.ref}: {recipient} marked as told." if told
                               else f"{r.ref}: {recipient} marked as not told yet."), "Not saved")

    # ---- rights -----------------------------------------------------------------------------------
    def erasure_plan(self, request_id: int) -> ErasurePlan:
        rs = self.services.requests
        req = rs.get(request_id)
        subject = rs.subject_of(req)
        cases = self.services.cases.rows(rs.cases_for(req))
        listed = [self._matched(c) for c in cases.values()]
        if subject is not None and subject.on_hold:
            return ErasurePlan([], [(m, subject.legal_hold_reason or "") for m in listed],
                               subject.legal_hold_reason or "legal hold")
        kept = [(self._matched(c), c.legal_hold_reason or "") for c in cases.values() if c.on_hold]
        return ErasurePlan([m for m in listed if not m.on_hold], kept, None)

    def erase(self, request_id: int) -> Outcome:
        return _run(lambda: self.services.rights.erase(request_id), lambda r: r.outcome, "Not erased")

    def restrict(self, request_id: int, reason: str) -> Outcome:
        req = self.services.requests.get(request_id)
        return _run(lambda: self.services.rights.restrict(req.subject_email or "", reason or None,
                                                          request_ref=req.ref),
                    "Processing restricted: the person's cases are now read-only.", "Not restricted")

    def lift(self, request_id: int) -> Outcome:
        req = self.services.requests.get(request_id)
        return _run(lambda: self.services.rights.lift_restriction(req.subject_email or "", request_ref=req.ref),
                    "Restriction lifted.", "Not lifted")

    def object(self, request_id: int, kind: str, text: str) -> Outcome:
        req = self.services.requests.get(request_id)
        done = {"marketing": "Objection to marketing recorded: marketing consent withdrawn and blocked.",
                "analytics": "Objection to analytics recorded.", "other": "Objection recorded."}
        return _run(lambda: self.services.rights.object(req.subject_email or "", kind, text or None,
                                                        request_ref=req.ref),
                    done.get(kind, "Objection recorded."), "Not recorded")

    def report_job(self, request_id: int, out_path, password: str | None):
        """A function for the task runner: func(report) writes the access report to out_path."""
        req = self.services.requests.get(request_id)
        email = req.subject_email or ""
        reports = self.services.reports

        def job(report: Callable[[int, int], None]):
            return reports.access_report(email, out_path, password=password or None,
                                         progress=lambda f, _m: report(int(f * 100), 100))
        return job

    def export_job(self, request_id: int, out_path):
        req = self.services.requests.get(request_id)
        email = req.subject_email or ""
        reports = self.services.reports

        def job(report: Callable[[int, int], None]):
            return reports.export(email, out_path, progress=lambda f, _m: report(int(f * 100), 100))
        return job


def rectification_controller(services, request_id: int, case_id: int):
    """A case-detail controller whose corrections go through the rectification request, so every
    change in the case's history carries the request reference (and the request lists it)."""
    from desktop.ui.cases.detail_controller import ActionOutcome, CaseDetailController

    class RectifyingController(CaseDetailController):
        def save(self, values: dict[str, str]) -> ActionOutcome:
            current = self.shown_values()
            changes = {k: v for k, v in values.items() if k in current and v != current[k]}
            if not changes:
                return ActionOutcome(True, "Nothing to save: no field was changed.")
            try:
                result = services.rights.rectify(request_id, case_id, changes)
            except ValidationError as exc:
                return ActionOutcome(False, "Not saved: please correct the fields marked in red.", dict(exc.errors))
            except Exception as exc:  # noqa: BLE001
                return ActionOutcome(False, "Not saved: " + user_message(exc))
            self.refresh()
            if not result.detail:
                return ActionOutcome(True, "Nothing changed after normalising the values.")
            fields = ", ".join(f.replace("_", " ") for f in result.detail.split(","))
            tell = ", ".join(result.recipients) or "none listed"
            return ActionOutcome(True, f"Saved under {result.request_ref}: {fields}. Tell the recipients "
                                       f"(Art. 19): {tell}." + self.phone_caution(changes))

    return RectifyingController(services, case_id)
