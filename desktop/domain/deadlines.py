"""Deadline rules for data-subject requests. Pure: no store, no clock, no I/O.

Conventions (documented in docs/requests.md):
- A request's receipt day is the calendar date of `received_at` in UTC.
- A due date is a calendar day; as a datetime it is the END of that day in UTC (23:59:59), so a
  request is overdue only once its whole due day has passed.
- days_left counts calendar days from today's UTC date to the due date (0 = due today,
  negative = overdue by that many days). A closed request has no countdown (None).

Rules:
- "policy30" (default): 30 calendar days after receipt, the privacy policy's promise; not moved
  for weekends. Extension: as GDPR allows (to the same date three months after receipt, moved
  to the next working day), since the policy operates under the GDPR.
- "gdpr": the same date in the next month (clamped to the month's last day, so 31 Jan ->
  28/29 Feb), moved to the next working day when it falls on a weekend or public holiday
  (the UK regulator's counting). Extension: two further months, counted the same way from
  the receipt day (receipt + 3 months).
- "ccpa": 45 calendar days after receipt; one extension of a further 45 days (90 in all).
  Receipt must be confirmed within 10 business days (weekdays that are not public holidays).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays as _holidays

DUE_SOON_DAYS = 7


class DeadlineRule(StrEnum):
    POLICY30 = "policy30"
    GDPR = "gdpr"
    CCPA = "ccpa"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    DeadlineRule.POLICY30: "30 days (privacy policy promise)",
    DeadlineRule.GDPR: "One calendar month, next working day (GDPR Art. 12(3))",
    DeadlineRule.CCPA: "45 calendar days (CCPA, 11 CCR 7021)",
}

DEFAULT_RULE = DeadlineRule.POLICY30


def parse_rule(value: str | None) -> DeadlineRule:
    """A rule from its name; ValueError naming the choices for anything else."""
    text = (value or DEFAULT_RULE.value).strip().lower()
    try:
        return DeadlineRule(text)
    except ValueError:
        choices = ", ".join(r.value for r in DeadlineRule)
        raise ValueError(f"unknown deadline rule {text[:30]!r}; use one of: {choices}") from None


@dataclass(frozen=True)
class Calendar:
    """Working days for a country (and optional subdivision), from the `holidays` package."""

    country: str = "GB"
    subdivision: str | None = None

    def holiday(self, day: date) -> bool:
        return day in _holiday_table(self.country.upper(), self.subdivision or None)

    def working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.holiday(day)

    def next_working_day(self, day: date) -> date:
        """day itself when it is a working day, else the first working day after it."""
        for _ in range(60):
            if self.working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within 60 days")  # pragma: no cover - defensive

    def add_business_days(self, day: date, count: int) -> date:
        """The count-th working day after day (day itself is not counted)."""
        while count > 0:
            day += timedelta(days=1)
            if self.working_day(day):
                count -= 1
        return day


@lru_cache(maxsize=16)
def _holiday_table(country: str, subdivision: str | None) -> _holidays.HolidayBase:
    import holidays as _holidays  # imported when a calendar is first needed (start time)

    if country not in _holidays.list_supported_countries():
        raise ValueError(f"no public-holiday calendar for country code {country!r}")
    try:
        return _holidays.country_holidays(country, subdiv=subdivision)
    except (NotImplementedError, ValueError):
        raise ValueError(f"unknown subdivision {subdivision!r} for country {country!r}") from None


def check_calendar(country: str, subdivision: str | None = None) -> Calendar:
    """A Calendar after checking the codes exist; ValueError with a readable message otherwise."""
    cal = Calendar(country.upper().strip(), (subdivision or "").strip().upper() or None)
    _holiday_table(cal.country, cal.subdivision)
    return cal


def add_months(day: date, months: int) -> date:
    """The same date `months` later, clamped to the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def receipt_day(received_at: datetime | date) -> date:
    if isinstance(received_at, datetime):
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=UTC)
        return received_at.astimezone(UTC).date()
    return received_at


def _as_calendar(country: str | Calendar) -> Calendar:
    return country if isinstance(country, Calendar) else Calendar(country)


def due_day(rule: DeadlineRule | str, received_at: datetime | date, country: str | Calendar = "GB") -> date:
    rule = parse_rule(rule)
    start = receipt_day(received_at)
    if rule is DeadlineRule.POLICY30:
        return start + timedelta(days=30)
    if rule is DeadlineRule.CCPA:
        return start + timedelta(days=45)
    return _as_calendar(country).next_working_day(add_months(start, 1))


def extended_due_day(rule: DeadlineRule | str, received_at: datetime | date,
                     country: str | Calendar = "GB") -> date:
    """The latest due date after the one permitted extension."""
    rule = parse_rule(rule)
    start = receipt_day(received_at)
    if rule is DeadlineRule.CCPA:
        return start + timedelta(days=90)
    # GDPR (and the 30-day policy, which operates under it): two further months.
    return _as_calendar(country).next_working_day(add_months(start, 3))


def due_date(rule: DeadlineRule | str, received_at: datetime | date, country: str | Calendar = "GB") -> datetime:
    """When the answer is due: the end (23:59:59 UTC) of the due day."""
    return end_of_day(due_day(rule, received_at, country))


def extended_due_date(rule: DeadlineRule | str, received_at: datetime | date,
                      country: str | Calendar = "GB") -> datetime:
    return end_of_day(extended_due_day(rule, received_at, country))


def receipt_confirmation_date(rule: DeadlineRule | str, received_at: datetime | date,
                              country: str | Calendar = "GB") -> datetime | None:
    """CCPA: confirm receipt within 10 business days. None for rules without that duty."""
    if parse_rule(rule) is not DeadlineRule.CCPA:
        return None
    return end_of_day(_as_calendar(country).add_business_days(receipt_day(received_at), 10))


def _today(today: datetime | date) -> date:
    return receipt_day(today)


def days_left(due: datetime, today: datetime | date, *, closed: bool = False) -> int | None:
    """Calendar days from today to the due day; None for a closed request (no countdown)."""
    if closed:
        return None
    return (receipt_day(due) - _today(today)).days


def is_overdue(due: datetime, now: datetime | date, *, closed: bool = False) -> bool:
    if closed:
        return False
    return receipt_day(due) < _today(now)


def due_soon(due: datetime, now: datetime | date, *, closed: bool = False, within: int = DUE_SOON_DAYS) -> bool:
    """Open, not yet overdue, and due within `within` days (today included)."""
    left = days_left(due, now, closed=closed)
    return left is not None and 0 <= left <= within
