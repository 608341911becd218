"""When each piece of a record is due to go under the policies: timers, schedules, holds.

Timers are computed from stored timestamps (closed_at, last_activity_at, child_flagged_at,
a consent's withdrawn_at, a request's completed_at), never from running timers, so sleep,
restarts and clock jumps cannot skip or repeat a removal. Dates are UTC calendar days: an item
due on day D is removed by any sweep whose as-of time falls on D or later.
"""


from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from desktop.domain.models import Case, Consent, Status, Subject, SubjectRequest
from desktop.domain.retention.policies import CASE_TRIGGERS, FIELDS, WHAT_TEXT, Policy


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
    diagnosis: bool = False  # has a stored delivery diagnosis (mail intake)

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


def facts_of(case: Case, subject: Subject | None, *, diagnosis: bool = False) -> CaseFacts:
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
        diagnosis=diagnosis and not case.anonymised,
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


def schedule(case: Case, subject: Subject | None, policies: Iterable[Policy], *,
             diagnosis: bool = False) -> list[PlannedRemoval]:
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
    return schedule_facts(facts_of(case, subject, diagnosis=diagnosis), policies)


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


def next_removal(case: Case, subject: Subject | None, policies: Iterable[Policy], *,
                 diagnosis: bool = False) -> PlannedRemoval | None:
    items = schedule(case, subject, policies, diagnosis=diagnosis)
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


def describe(case: Case, subject: Subject | None, policies: Iterable[Policy], *, diagnosis: bool = False) -> str:
    """One line for the case list and detail view: what goes next, when, and why."""
    hold = hold_of(case, subject)
    if hold == "case":
        return "on legal hold: nothing is removed until the hold is lifted"
    if hold == "subject":
        return "on legal hold (whole data subject): nothing is removed until the hold is lifted"
    item = next_removal(case, subject, policies, diagnosis=diagnosis)
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


def last_start_due_by(policies: Iterable[Policy], trigger: str, day: date) -> date | None:
    """The last UTC day a `trigger` ('consent_withdrawn', 'request_completed') may have happened on
    for its record to be due by `day` under any of these policies; None when no policy has that
    trigger (nothing of that kind is ever due). Planning reads only the records up to that day."""
    days = [p.last_start_due_by(day) for p in policies if p.trigger == trigger]
    return max(days) if days else None


def request_removal(request: SubjectRequest, subject: Subject | None,
                    policies: Iterable[Policy]) -> PlannedRemoval | None:
    """When a completed or refused request's record leaves the register."""
    if not request.status.closed or request.completed_at is None:
        return None
    if subject is not None and subject.on_hold:
        return None
    items = [_item(p, request.completed_at) for p in policies if p.trigger == "request_completed"]
    return min(items, key=lambda i: i.due) if items else None
