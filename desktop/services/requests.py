"""The data-subject request register: open, match, verify identity, extend, close, list.

Every step is audited with ids only (request:N, subject:N, case:N) and policy names, never the
person's email, phone or any free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop import digests
from desktop.domain import deadlines as dl
from desktop.domain.models import (
    VERIFICATION_METHODS,
    RequestStatus,
    RequestType,
    Subject,
    SubjectRequest,
    pick_verified,
)
from desktop.domain.validation import (
    ValidationError,
    check_channel,
    check_email,
    check_phone,
    received_at_error,
    typed_phone_matches,
)
from desktop.errors import NotFound, RefusedError
from desktop.services.context import Context
from desktop.services.request_actions import (
    ERASE_FIRST,
    Allowed,
    allowed,
    extension_block,
    still_open,
)
from desktop.services.settings import SettingsService

MAX_TEXT = 2000



@dataclass(frozen=True)
class CaseMatch:
    case_id: int
    matched_on: tuple[str, ...]  # "email", "phone"


@dataclass(frozen=True)
class OpenResult:
    request: SubjectRequest
    proposed: list[CaseMatch]


@dataclass(frozen=True)
class RequestRow:
    """A register entry with its countdown as of the clock's today (what a list or view shows)."""

    request: SubjectRequest
    due: datetime
    days_left: int | None  # None for a closed request: no countdown
    overdue: bool
    due_soon: bool
    rule: str
    confirm_receipt_by: datetime | None = None


@dataclass(frozen=True)
class RequestCounts:
    open: int
    due_soon: int
    overdue: int


def clean_text(value: str | None, field_name: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError({field_name: "A reason is required." if "reason" in field_name
                                   else f"{field_name.replace('_', ' ').capitalize()} is required."})
        return None
    if len(text) > MAX_TEXT:
        raise ValidationError({field_name: f"At most {MAX_TEXT} characters."})
    if "\x00" in text:
        raise ValidationError({field_name: "Must not contain NUL characters."})
    return text


def parse_type(value: str | RequestType) -> RequestType:
    try:
        return RequestType(str(getattr(value, "value", value)).strip().lower())
    except ValueError:
        choices = ", ".join(t.value for t in RequestType)
        raise ValidationError({"type": f"Unknown request type; use one of: {choices}."}) from None


class RequestService:
    def __init__(self, ctx: Context, settings: SettingsService) -> None:
        self.ctx = ctx
        self.settings = settings
        self.repo = ctx.repos.requests

    # ---- configuration ------------------------------------------------------------------------
    def rule(self) -> dl.DeadlineRule:
        return dl.parse_rule(str(self.settings.app().get("deadline_rule") or dl.DEFAULT_RULE.value))

    def calendar(self) -> dl.Calendar:
        app = self.settings.app()
        return dl.check_calendar(str(app.get("holiday_country") or "GB"),
                                 str(app.get("holiday_subdivision") or "") or None)

    def _rule_of(self, req: SubjectRequest) -> dl.DeadlineRule:
        stored = (req.details or {}).get("rule")
        return dl.parse_rule(stored) if stored else self.rule()

    # ---- lookup -----------------------------------------------------------------------------------
    def get(self, request_id: int) -> SubjectRequest:
        return self.repo.get(request_id)

    def allowed(self, req: SubjectRequest) -> dict[str, Allowed]:
        """Which actions this request allows now, and why not (services/request_actions.py)."""
        return allowed(req, self.subject_of(req), self.ctx.now())

    def linked_cases(self, request_id: int) -> list[int]:
        """The cases confirmed for this request."""
        return self.repo.linked_cases(request_id)

    def for_email(self, email: str) -> list[SubjectRequest]:
        return self.repo.for_email(email)

    def audit_view(self, req: SubjectRequest) -> None:
        """A request shown outside the window (CLI)."""
        self.ctx.audit("request.view", f"request:{req.id}")

    def by_ref(self, ref: str) -> SubjectRequest:
        return self.repo.by_ref((ref or "").strip().upper())

    def subject_of(self, req: SubjectRequest) -> Subject | None:
        if req.subject_id is not None:
            try:
                return self.ctx.subjects.get(req.subject_id)
            except NotFound:
                pass
        return self.ctx.subjects.by_email(req.subject_email) if req.subject_email else None

    def proposals(self, email: str, phone: str | None) -> list[CaseMatch]:
        """Cases that may belong to the person: filed under their email, or with their number."""
        found: dict[int, set[str]] = {}
        subject = self.ctx.subjects.by_email(email)
        ids = set(self.repo.case_ids_by_email(email))
        if subject is not None:
            ids.update(self.ctx.cases.ids_for_subject(subject.id))
        for cid in ids:
            found.setdefault(cid, set()).add("email")
        if phone:
            for cid in self.repo.case_ids_by_phone(phone):
                found.setdefault(cid, set()).add("phone")
            for cid, typed in self.repo.unchecked_phones():
                if typed_phone_matches(typed, phone):
                    found.setdefault(cid, set()).add("phone")
        return [CaseMatch(cid, tuple(sorted(found[cid]))) for cid in sorted(found)]

    def cases_for(self, req: SubjectRequest) -> list[int]:
        """The cases a request covers: every case filed under the person's address, plus those
        staff confirmed as theirs (found by phone or under another address). The same set the
        access report and export show."""
        subject = self.subject_of(req)
        ids = set(self.ctx.cases.ids_for_subject(subject.id)) if subject else set()
        ids.update(self.repo.linked_cases(req.id))
        return sorted(ids)

    # ---- opening ----------------------------------------------------------------------------------
    def open(self, type: RequestType | str, email: str, phone: str | None = None,
             received_at: datetime | None = None, channel: str | None = None,
             *, details: dict | None = None) -> OpenResult:
        """Register a request; returns it with the cases proposed as the person's. Nothing is
        written when any input is invalid (ValidationError names every bad field)."""
        errors: dict[str, str] = {}
        try:
            rtype = parse_type(type)
        except ValidationError as exc:
            errors.update(exc.errors)
        em = check_email(email)
        ph = check_phone(phone, self.settings.phone_region)
        ch = check_channel(channel)
        for name, res in (("email", em), ("phone", ph), ("channel", ch)):
            if res.error:
                errors[name] = res.error
        now = self.ctx.now()
        received = received_at or now
        received_error = received_at_error(received, now)
        if received_error:
            errors["received_at"] = received_error
        if errors:
            raise ValidationError(errors)
        rule, cal = self.rule(), self.calendar()
        address, number = str(em.value), ph.value  # type: ignore[assignment]
        subject = self.ctx.subjects.by_email(address)
        info = dict(details or {})
        info["rule"] = rule.value
        confirm = dl.receipt_confirmation_date(rule, received, cal)
        if confirm is not None:
            info["confirm_receipt_by"] = confirm.isoformat()
        with self.ctx.vault.transaction():
            prefix = f"DSR-{now.year}-"
            ref = f"{prefix}{self.repo.next_sequence(prefix):04d}"
            subject_ref = self.repo.subject_ref_for(subject.id if subject else None, address) \
                or "P-" + digests.token_hex(5).upper()
            request_id = self.repo.insert(
                ref=ref, type=rtype, subject_id=subject.id if subject else None, subject_email=address,
                subject_phone=number, subject_ref=subject_ref, received_at=received,  # type: ignore[arg-type]
                channel=getattr(ch.value, "value", None), due_at=dl.due_date(rule, received, cal),
                created_by=self.ctx.staff, details=info)
            target = f"request:{request_id}" + (f",subject:{subject.id}" if subject else "")
            self.ctx.audit("request.open", target, f"type={rtype.value};rule={rule.value}")
        return OpenResult(self.repo.get(request_id), self.proposals(address, number))  # type: ignore[arg-type]

    def confirm_cases(self, request_id: int, case_ids: list[int]) -> list[int]:
        """Staff confirm which further cases are the person's (e.g. matched by phone or under another
        address); replaces any earlier confirmation. Cases filed under the request's address are
        always covered."""
        req = self._open_request(request_id)
        ids = sorted({int(i) for i in case_ids})
        missing = [i for i in ids if not self.ctx.cases.exists(i)]
        if missing:
            raise NotFound(f"case {missing[0]} not found")
        with self.ctx.vault.transaction():
            self.repo.unlink_cases(req.id)
            self.repo.link_cases(req.id, ids)
            self.ctx.audit("request.cases", f"request:{req.id}", "cases=" + ",".join(map(str, ids)))
        return ids

    # ---- identity -----------------------------------------------------------------------------------
    def record_verification(self, request_id: int, method: str, verified_by: str | None = None,
                            note: str | None = None) -> SubjectRequest:
        """Record how identity was checked, by whom and when; the request moves to in progress."""
        req = self._open_request(request_id)
        key = (method or "").strip().lower().replace("-", "_")
        if key not in VERIFICATION_METHODS:
            raise ValidationError({"method": "Unknown method; use one of: " + ", ".join(VERIFICATION_METHODS) + "."})
        text = clean_text(note, "note", required=False)
        if key == "other" and not text:
            raise ValidationError({"note": "Describe how identity was checked when the method is 'other'."})
        if text and len(text) > 200:
            raise ValidationError({"note": "Describe the method in at most 200 characters."})
        who = clean_text(verified_by, "verified_by", required=False) or self.ctx.staff
        stored = key if key != "other" else f"other: {text}"
        with self.ctx.vault.transaction():
            self.repo.update(req.id, verification_method=stored, verified_by=who[:80],
                             verified_at=self.ctx.now(), status=RequestStatus.IN_PROGRESS)
            self.ctx.audit("request.verify", f"request:{req.id}", f"method={key}")
        return self.repo.get(req.id)

    def start_verification(self, request_id: int) -> SubjectRequest:
        """received -> verifying (staff have asked the person to confirm who they are)."""
        req = self._open_request(request_id)
        if req.status is not RequestStatus.RECEIVED:
            raise RefusedError(f"{req.ref} is {req.status.value}, not received")
        with self.ctx.vault.transaction():
            self.repo.update(req.id, status=RequestStatus.VERIFYING)
            self.ctx.audit("request.status", f"request:{req.id}", "received->verifying")
        return self.repo.get(req.id)

    def require_verified(self, request_id: int) -> SubjectRequest:
        """The request, if its requester's identity was verified; RefusedError otherwise.
        Called before any release or destruction of data (report, export, erasure, rectification)."""
        req = self.repo.get(request_id)
        if req.status is RequestStatus.REFUSED:
            raise RefusedError(f"{req.ref} was refused; nothing may be released for it")
        if not req.verified:
            raise RefusedError(f"the requester's identity for {req.ref} has not been verified; "
                               f"record it with 'request verify {req.ref} --method ...' first")
        return req

    def verified_request_for(self, email: str, types: tuple[RequestType | str, ...] | list) -> SubjectRequest:
        """The latest verified request of one of `types` for this email (open ones first).
        NotFound when the person has no such request; RefusedError when none is verified."""
        em = check_email(email)
        if em.error:
            raise ValidationError({"email": em.error})
        wanted = {parse_type(t) for t in types}
        candidates = [r for r in self.repo.for_email(str(em.value)) if r.type in wanted]
        if not candidates:
            names = "/".join(sorted(t.value for t in wanted))
            raise NotFound(f"no {names} request for this person; open one with 'request open'")
        chosen = pick_verified(candidates)
        if chosen is None:
            latest = candidates[-1]
            raise RefusedError(f"the requester's identity for {latest.ref} has not been verified; "
                               f"record it with 'request verify {latest.ref} --method ...' first")
        return chosen

    # ---- deadlines and closing ---------------------------------------------------------------------
    def extend(self, request_id: int, reason: str) -> SubjectRequest:
        """The one extension a request may have, with a reason the person must be told, given
        before the original deadline passes."""
        text = clean_text(reason, "reason", required=True)
        req = self._open_request(request_id)
        block = extension_block(req, self.ctx.now())
        if block == "extended":
            raise RefusedError(f"{req.ref} has already been extended once; only one extension is allowed")
        if block == "late":
            raise RefusedError(f"{req.ref} is past its original deadline; an extension must be "
                               "given (and the person told) within the first period")
        rule = self._rule_of(req)
        new_due = dl.extended_due_date(rule, req.received_at, self.calendar())
        with self.ctx.vault.transaction():
            self.repo.update(req.id, extended_due_at=new_due, extension_reason=text)
            self.ctx.audit("request.extend", f"request:{req.id}", f"rule={rule.value}")
        return self.repo.get(req.id)

    def complete(self, request_id: int, outcome: str | None = None) -> SubjectRequest:
        req = self._open_request(request_id)
        self.require_verified(req.id)
        if req.status is not RequestStatus.IN_PROGRESS:
            raise RefusedError(f"{req.ref} is {req.status.value}; only a request in progress can be completed")
        if req.type is RequestType.ERASURE:
            raise RefusedError(f"{req.ref}: {ERASE_FIRST}")
        text = clean_text(outcome, "outcome", required=False) or "Completed."
        with self.ctx.vault.transaction():
            self.repo.update(req.id, status=RequestStatus.COMPLETED, outcome=text, completed_at=self.ctx.now())
            self.ctx.audit("request.complete", f"request:{req.id}", f"type={req.type.value}")
        return self.repo.get(req.id)

    def refuse(self, request_id: int, reason: str) -> SubjectRequest:
        """Refuse with a reason (kept in the register: CCPA 7101 asks for denial reasons)."""
        text = clean_text(reason, "reason", required=True)
        req = self._open_request(request_id)
        with self.ctx.vault.transaction():
            self.repo.update(req.id, status=RequestStatus.REFUSED, refusal_reason=text,
                             completed_at=self.ctx.now())
            self.ctx.audit("request.refuse", f"request:{req.id}", f"type={req.type.value}")
        return self.repo.get(req.id)

    def add_details(self, request_id: int, **values: object) -> None:
        """Merge values into the request's details (call inside the caller's transaction)."""
        req = self.repo.get(request_id)
        merged = dict(req.details or {})
        merged.update(values)
        self.repo.update(request_id, details=merged)

    def mark_told(self, request_id: int, recipient: str, told: bool = True) -> SubjectRequest:
        """Art. 19: record (or take back) that a recipient on the request's list was told, with the
        date and who; kept on the request, also after it is completed (an erasure completes it)."""
        req = self.repo.get(request_id)
        names = [str(n) for n in (req.details or {}).get("notify_recipients") or []]
        if recipient not in names:
            raise RefusedError(f"{recipient} is not on the list of recipients to tell for {req.ref}")
        marks = dict((req.details or {}).get("told") or {})
        if told:
            marks[recipient] = {"at": self.ctx.now().isoformat(), "by": self.ctx.staff}
        else:
            marks.pop(recipient, None)
        with self.ctx.vault.transaction():
            self.add_details(request_id, told=marks)
            self.ctx.audit("request.recipient_told", f"request:{request_id}",
                           f"recipient={names.index(recipient) + 1};told={int(told)}")
        return self.repo.get(request_id)

    def _open_request(self, request_id: int) -> SubjectRequest:
        req = self.repo.get(request_id)
        if req.status.closed:
            raise RefusedError(f"{req.ref} is already {req.status.value}")
        return req

    # ---- listing --------------------------------------------------------------------------------------
    def row(self, req: SubjectRequest, now: datetime | None = None) -> RequestRow:
        now = now or self.ctx.now()
        closed = req.status.closed
        due = req.effective_due
        confirm = (req.details or {}).get("confirm_receipt_by")
        return RequestRow(
            request=req, due=due, days_left=dl.days_left(due, now, closed=closed),
            overdue=dl.is_overdue(due, now, closed=closed), due_soon=dl.due_soon(due, now, closed=closed),
            rule=str((req.details or {}).get("rule") or self.rule().value),
            confirm_receipt_by=datetime.fromisoformat(confirm) if confirm else None,
        )

    def list(self, *, open_only: bool = False, overdue_only: bool = False) -> list[RequestRow]:
        now = self.ctx.now()
        if open_only and not overdue_only:  # closed ones with recipients still to tell stay on the list
            rows = [self.row(r, now) for r in self.repo.list(open_only=False) if still_open(r)]
        else:
            rows = [self.row(r, now) for r in self.repo.list(open_only=overdue_only)]
        if overdue_only:
            rows = [r for r in rows if r.overdue]
        self.ctx.audit("request.list", "requests", f"count={len(rows)}")
        return rows

    def counts(self) -> RequestCounts:
        """For the status bar: open requests, how many are due within 7 days, how many overdue."""
        now = self.ctx.now()
        rows = [self.row(r, now) for r in self.repo.list(open_only=True)]
        return RequestCounts(len(rows), sum(r.due_soon for r in rows), sum(r.overdue for r in rows))
