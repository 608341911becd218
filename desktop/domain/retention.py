"""Retention rules: policies, and when each piece of a record is due to go. Pure; no storage.

Timers are computed from stored timestamps (closed_at, last_activity_at, child_flagged_at,
a consent's withdrawn_at, a request's completed_at), never from running timers, so sleep,
restarts and clock jumps cannot skip or repeat a removal. Dates are UTC calendar days: an item
due on day D is removed by any sweep whose as-of time falls on D or later.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from desktop.domain.models import Case, Consent, Status, Subject, SubjectRequest

# trigger -> actions allowed with it
TRIGGERS: dict[str, tuple[str, ...]] = {
    "case_closed": ("delete", "anonymise", "remove_field"),
    "last_activity": ("delete", "anonymise", "remove_field"),  # cases not closed
    "child_flagged": ("delete",),
    "consent_withdrawn": ("delete",),
    "request_completed": ("delete",),
}
CASE_TRIGGERS = ("case_closed", "last_activity", "child_flagged")
ACTIONS = ("delete", "anonymise", "remove_field")
FIELDS = ("phone", "technical_details")
UNITS = ("days", "months")
CATEGORIES = ("case", "phone", "technical_details", "marketing_consent", "request_record", "child_record")
MAX_DAYS = 36_500
MAX_MONTHS = 1_200
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

# What anonymising a case removes (columns set to NULL) and what it keeps.
ANONYMISED_COLUMNS = ("name", "email", "phone", "description", "technical_details", "resolution", "subject_id")
KEPT_ON_ANONYMISE = ("category", "channel", "status", "received_at", "created_at", "last_activity_at",
                     "closed_at")

WHAT_TEXT = {
    ("case", "delete"): "case deleted",
    ("case", "anonymise"): "case anonymised",
    ("phone", "remove_field"): "phone removed",
    ("technical_details", "remove_field"): "technical details removed",
    ("consent_proof", "delete"): "marketing consent proof deleted",
    ("request_record", "delete"): "request record deleted",
    ("data_subject", "delete"): "person's record deleted",
}


class PolicyError(ValueError):
    """Invalid policy list; str() is one readable line, .problems lists each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Policy:
    id: str
    label: str
    category: str
    period: int
    unit: str  # "days" | "months"
    trigger: str
    action: str
    reason: str
    field: str | None = None  # for remove_field

    @property
    def what(self) -> str:
        """What this policy removes: 'case', a field name, 'consent_proof' or 'request_record'."""
        if self.action == "remove_field":
            return str(self.field)
        if self.trigger == "consent_withdrawn":
            return "consent_proof"
        if self.trigger == "request_completed":
            return "request_record"
        return "case"

    @property
    def period_text(self) -> str:
        unit = self.unit if self.period != 1 else self.unit[:-1]
        return f"{self.period} {unit}"

    def due_date(self, start: datetime) -> date:
        return self.due_on(start.astimezone(UTC).date())

    def due_on(self, day: date) -> date:
        """The due day for a trigger that happened on `day` (a UTC calendar day)."""
        if self.unit == "months":
            return add_months(day, self.period)
        return date.fromordinal(day.toordinal() + self.period)

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["field"] is None:
            del data["field"]
        return data


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_policies(value: object) -> list[Policy]:
    """A list of policy dicts (or {"policies": [...]}) -> validated Policy objects. Raises PolicyError."""
    if isinstance(value, dict):
        value = value.get("policies")
    if not isinstance(value, list):
        raise PolicyError(["retention policies must be a list"])
    problems: list[str] = []
    out: list[Policy] = []
    seen: set[str] = set()
    for n, item in enumerate(value, 1):
        where = f"policy {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        pid = item.get("id")
        if not isinstance(pid, str) or not _ID.match(pid):
            problems.append(f"{where}: id must be 1-40 lower-case letters, digits, '-' or '_'")
            continue
        where = f"policy {pid!r}"
        if pid in seen:
            problems.append(f"{where}: id used twice")
        seen.add(pid)
        before = len(problems)
        label, reason = item.get("label"), item.get("reason")
        if not isinstance(label, str) or not label.strip() or len(label) > 80:
            problems.append(f"{where}: label must be 1-80 characters")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
            problems.append(f"{where}: a stated reason (1-1000 characters) is required")
        category = item.get("category")
        if category not in CATEGORIES:
            problems.append(f"{where}: category must be one of {', '.join(CATEGORIES)}")
        unit = item.get("unit", "days")
        if unit not in UNITS:
            problems.append(f"{where}: unit must be days or months")
        period = item.get("period")
        limit = MAX_MONTHS if unit == "months" else MAX_DAYS
        if isinstance(period, bool) or not isinstance(period, int) or not 0 <= period <= limit:
            problems.append(f"{where}: period must be a whole number from 0 to {limit}")
        trigger, action, field = item.get("trigger"), item.get("action"), item.get("field")
        if trigger not in TRIGGERS:
            problems.append(f"{where}: trigger must be one of {', '.join(TRIGGERS)}")
        elif action not in TRIGGERS[trigger]:
            problems.append(f"{where}: action for trigger {trigger} must be one of {', '.join(TRIGGERS[trigger])}")
        if action == "remove_field":
            if field not in FIELDS:
                problems.append(f"{where}: field must be one of {', '.join(FIELDS)}")
        elif field is not None:
            problems.append(f"{where}: field is only used with action remove_field")
        unknown = set(item) - {"id", "label", "category", "period", "unit", "trigger", "action", "reason", "field"}
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if len(problems) == before:
            out.append(Policy(id=pid, label=label.strip(), category=category, period=period, unit=unit,
                              trigger=trigger, action=action, reason=reason.strip(), field=field))
    if not any(p.trigger == "child_flagged" for p in out) and not problems:
        problems.append("a policy with trigger child_flagged is required: a child's record must be deleted")
    if problems:
        raise PolicyError(problems)
    return out


def policies_to_json(policies: Iterable[Policy]) -> dict:
    return {"policies": [p.to_dict() for p in policies]}


@dataclass(frozen=True)
class PlannedRemoval:
    due: date
    what: str  # "case" | "phone" | "technical_details" | "consent_proof" | "request_record"
    action: str  # "delete" | "anonymise" | "remove_field"
    policy_id: str
    policy_label: str
    reason: str

    @property
    def due_at(self) -> datetime:
        """Start of the due day, UTC: what is stored as a case's next_removal_at."""
        return datetime.combine(self.due, time(0, 0), tzinfo=UTC)

    @property
    def text(self) -> str:
        """e.g. 'phone removed on 2027-01-05, policy: Phone number after closing'."""
        phrase = WHAT_TEXT.get((self.what, self.action), f"{self.what} {self.action}")
        return f"{phrase} on {self.due.isoformat()}, policy: {self.policy_label}"

    def is_due(self, as_of: datetime) -> bool:
        return self.due <= as_of.astimezone(UTC).date()


def _item(policy: Policy, start: datetime) -> PlannedRemoval:
    return PlannedRemoval(policy.due_date(start), policy.what, policy.action, policy.id, policy.label,
                          policy.reason)


def hold_of(case: Case, subject: Subject | None) -> str | None:
    """'case' or 'subject' when a legal hold blocks removal, else None."""
    if case.on_hold:
        return "case"
    if subject is not None and subject.on_hold:
        return "subject"
    return None


class CaseFacts(NamedTuple):
    """Everything the case rules read from a case and its person. Days are UTC calendar days as
    ISO text ('2026-01-10'), which is also how the store hands them over.

    Two cases with equal facts have the same schedule, so a sweep over many cases evaluates the
    rules once per distinct facts (Rules). Build them with facts_of() from domain objects, or
    from stored rows (store/retention_repo.py). A tuple, so that building and hashing 100k of
    them stays cheap; flags may come as 0/1 from the store (equal to False/True).
    """

    closed_day: str | None = None  # the day it was closed, only while its status is closed
    activity_day: str | None = None  # its last activity, only while it is not closed
    child_day: str | None = None  # the day it was flagged as a child's
    anonymised: bool = False
    case_hold: bool = False
    subject_hold: bool = False
    restricted: bool = False  # its person restricted processing (Art. 18)
    phone: bool = False  # holds a phone number
    technical_details: bool = False  # holds technical details

    def after(self, what: str, action: str) -> CaseFacts:
        """The facts once a removal has been carried out (to compute the case's next timer).
        Anonymising clears the fields, the child flag and the link to the person."""
        if what == "case" and action == "anonymise":
            return CaseFacts(self.closed_day, self.activity_day, None, True, bool(self.case_hold))
        if what in FIELDS:
            return self._replace(**{what: False})
        raise ValueError(f"no facts after {what} {action}")


def _utc_day(value: datetime | None) -> str | None:
    return value.astimezone(UTC).date().isoformat() if value is not None else None


def facts_of(case: Case, subject: Subject | None) -> CaseFacts:
    closed = case.status == Status.CLOSED and case.closed_at is not None
    return CaseFacts(
        closed_day=_utc_day(case.closed_at) if closed else None,
        activity_day=None if closed else _utc_day(case.last_activity_at),
        child_day=_utc_day(case.child_flagged_at),
        anonymised=case.anonymised,
        case_hold=case.on_hold,
        subject_hold=subject is not None and subject.on_hold,
        restricted=subject is not None and subject.restricted,
        phone=bool(case.phone),
        technical_details=bool(case.technical_details),
    )


def _start_day(facts: CaseFacts, trigger: str) -> date | None:
    if trigger == "case_closed":
        day = facts.closed_day
    elif trigger == "last_activity":
        day = facts.activity_day
    elif trigger == "child_flagged":
        day = facts.child_day
    else:
        return None
    return date.fromisoformat(day) if day is not None else None


def schedule(case: Case, subject: Subject | None, policies: Iterable[Policy]) -> list[PlannedRemoval]:
    """Everything still to be removed from this case, earliest first.

    - A legal hold on the case or its subject blocks everything: [].
    - Field removals are listed only while the field holds data and only before the first
      whole-case action (which removes the fields anyway). On the same day, delete beats
      anonymise, and a whole-case action beats a field removal.
    - An anonymised case has nothing left but statistics; only a whole-case *delete* policy
      can still apply to it (none of the defaults does, so it is kept).
    - Restricted processing (Art. 18) pauses automatic removal: the person may need the data for
      a legal claim (Art. 18(1)(c)) and erasure is itself processing. Only the child-data rule
      still applies, because that data must not be held at all.
    """
    return schedule_facts(facts_of(case, subject), policies)


def schedule_facts(facts: CaseFacts, policies: Iterable[Policy]) -> list[PlannedRemoval]:
    """schedule() from a case's facts."""
    if facts.case_hold or facts.subject_hold:
        return []
    items: list[PlannedRemoval] = []
    for p in policies:
        if p.trigger not in CASE_TRIGGERS:
            continue
        if facts.restricted and p.trigger != "child_flagged":
            continue
        if facts.anonymised and not (p.what == "case" and p.action == "delete"):
            continue
        start = _start_day(facts, p.trigger)
        if start is None:
            continue
        if p.action == "remove_field" and not getattr(facts, str(p.field)):
            continue
        items.append(PlannedRemoval(p.due_on(start), p.what, p.action, p.id, p.label, p.reason))
    rank = {"delete": 0, "anonymise": 1, "remove_field": 2}
    items.sort(key=lambda i: (i.due, i.what != "case", rank[i.action], i.policy_id))
    out: list[PlannedRemoval] = []
    first_whole: PlannedRemoval | None = None
    for item in items:
        if item.what == "case":
            if first_whole is None:
                first_whole = item
                out.append(item)
            elif first_whole.action == "anonymise" and item.action == "delete" and item.due > first_whole.due:
                out.append(item)  # deleting the anonymised remainder later
                break
        elif first_whole is None and all(o.what != item.what for o in out):
            out.append(item)
    return out


def _fold_due(items: Iterable[PlannedRemoval], as_of: datetime) -> list[PlannedRemoval]:
    due = [i for i in items if i.is_due(as_of)]
    whole = [i for i in due if i.what == "case"]
    if whole:
        return [whole[-1]]  # anonymise then delete, both due: delete is what happens
    return due


def next_removal(case: Case, subject: Subject | None, policies: Iterable[Policy]) -> PlannedRemoval | None:
    items = schedule(case, subject, policies)
    return items[0] if items else None


def due_removals(case: Case, subject: Subject | None, policies: Iterable[Policy],
                 as_of: datetime) -> list[PlannedRemoval]:
    """What a sweep at as_of removes from this case: every item due on or before as_of's UTC day.

    When a whole-case action is due, field removals due alongside it are folded into it.
    """
    return _fold_due(schedule(case, subject, policies), as_of)


class Rules:
    """The case rules for one policy list, remembered per distinct CaseFacts: a sweep over 100k
    cases meets a few thousand distinct facts, so each is evaluated once. Same results as
    schedule() / next_removal() / due_removals() (which are defined through the same code)."""

    MAX_REMEMBERED = 50_000  # distinct facts (and as-of days) kept; forgotten all at once beyond

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies = tuple(policies)
        self._schedules: dict[CaseFacts, tuple[PlannedRemoval, ...]] = {}
        self._due: dict[tuple[CaseFacts, date], tuple[PlannedRemoval, ...]] = {}
        self._as_of: datetime | None = None
        self._as_of_day: date | None = None

    def schedule(self, facts: CaseFacts) -> tuple[PlannedRemoval, ...]:
        got = self._schedules.get(facts)
        if got is None:
            if len(self._schedules) >= self.MAX_REMEMBERED:
                self._schedules.clear()
            got = self._schedules[facts] = tuple(schedule_facts(facts, self.policies))
        return got

    def next_removal(self, facts: CaseFacts) -> PlannedRemoval | None:
        items = self.schedule(facts)
        return items[0] if items else None

    def due(self, facts: CaseFacts, as_of: datetime) -> tuple[PlannedRemoval, ...]:
        if as_of is not self._as_of:
            self._as_of, self._as_of_day = as_of, as_of.astimezone(UTC).date()
        key = (facts, self._as_of_day)
        got = self._due.get(key)
        if got is None:
            if len(self._due) >= self.MAX_REMEMBERED:
                self._due.clear()
            got = self._due[key] = tuple(_fold_due(self.schedule(facts), as_of))
        return got


def describe(case: Case, subject: Subject | None, policies: Iterable[Policy]) -> str:
    """One line for the case list and detail view: what goes next, when, and why."""
    hold = hold_of(case, subject)
    if hold == "case":
        return "on legal hold: nothing is removed until the hold is lifted"
    if hold == "subject":
        return "on legal hold (whole data subject): nothing is removed until the hold is lifted"
    item = next_removal(case, subject, policies)
    if item is not None:
        return item.text
    if subject is not None and subject.restricted:
        return "processing restricted: automatic removal paused until the restriction is lifted"
    if case.anonymised:
        return f"anonymised on {case.anonymised_at.date().isoformat()}; kept for statistics"  # type: ignore[union-attr]
    return "no removal scheduled"


def consent_removal(consent: Consent, subject: Subject | None, policies: Iterable[Policy]) -> PlannedRemoval | None:
    """When a withdrawn marketing consent's proof goes. Standing consents are kept until withdrawn."""
    if consent.kind != "marketing" or consent.withdrawn_at is None:
        return None
    if subject is not None and subject.on_hold:
        return None
    items = [_item(p, consent.withdrawn_at) for p in policies if p.trigger == "consent_withdrawn"]
    return min(items, key=lambda i: i.due) if items else None


def request_removal(request: SubjectRequest, subject: Subject | None,
                    policies: Iterable[Policy]) -> PlannedRemoval | None:
    """When a completed or refused request's record leaves the register."""
    if not request.status.closed or request.completed_at is None:
        return None
    if subject is not None and subject.on_hold:
        return None
    items = [_item(p, request.completed_at) for p in policies if p.trigger == "request_completed"]
    return min(items, key=lambda i: i.due) if items else None


@dataclass(frozen=True)
class PlannedAction:
    """One removal a sweep makes. kind: case | consent | request | subject."""

    kind: str
    target_id: int
    what: str  # case, phone, technical_details, consent_proof, request_record, data_subject
    action: str  # delete | anonymise | remove_field
    policy_id: str
    policy_label: str
    due: date
    reason: str

    @property
    def target(self) -> str:
        return f"{self.kind}:{self.target_id}"

    @property
    def key(self) -> tuple:
        return (self.kind, self.target_id, self.what, self.action, self.policy_id)

    @property
    def text(self) -> str:
        phrase = WHAT_TEXT.get((self.what, self.action), f"{self.what} {self.action}")
        return f"{self.target}: {phrase} (due {self.due.isoformat()}, policy: {self.policy_label})"

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.target_id, "what": self.what, "action": self.action,
                "policy": self.policy_id, "policy_label": self.policy_label, "due": self.due.isoformat(),
                "reason": self.reason}

    @classmethod
    def from_removal(cls, kind: str, target_id: int, item: PlannedRemoval) -> PlannedAction:
        return cls(kind, target_id, item.what, item.action, item.policy_id, item.policy_label, item.due,
                   item.reason)


@dataclass
class SweepReport:
    as_of: datetime
    done: list[PlannedAction] = field(default_factory=list)
    skipped: list[PlannedAction] = field(default_factory=list)  # changed since planning (e.g. a new hold)
    failed: list[int] = field(default_factory=list)  # case ids whose removal failed and was rolled back
    compacted: bool = False

    def count(self, kind: str, what: str | None = None) -> int:
        return sum(1 for a in self.done if a.kind == kind and (what is None or a.what == what))

    @property
    def summary(self) -> str:
        cases = self.count("case", "case")
        fields = self.count("case") - cases
        return (f"{cases} case(s) deleted or anonymised, {fields} field(s) removed, "
                f"{self.count('consent')} consent proof(s), {self.count('request')} request record(s) and "
                f"{self.count('subject')} person record(s) deleted")
