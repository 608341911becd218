"""Retention policies: what may be configured, the one parser (parse_policies) and its wording."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

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
FIELDS = ("phone", "technical_details", "diagnosis")  # diagnosis: a case's stored delivery diagnosis
UNITS = ("days", "months")
CATEGORIES = ("case", "phone", "technical_details", "diagnosis", "marketing_consent", "request_record", "child_record")
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
    ("diagnosis", "remove_field"): "stored delivery diagnosis removed",
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

    def last_start_due_by(self, day: date) -> date:
        """The last trigger day whose due day is on or before `day`: every trigger on that day or
        earlier is due by `day`, none later is (due_on never decreases as its day grows)."""
        start = add_months(day, -self.period) if self.unit == "months" else date.fromordinal(day.toordinal() - self.period)
        while self.due_on(start) > day:  # months: a clamped month end (31 Jan + 1 month = 28 Feb)
            start = date.fromordinal(start.toordinal() - 1)
        while self.due_on(date.fromordinal(start.toordinal() + 1)) <= day:
            start = date.fromordinal(start.toordinal() + 1)
        return start

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
