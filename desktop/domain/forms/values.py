"""Cell values as the plugins write them: formula defusing taken off, checkboxes, dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, tzinfo

# Flamingo puts "(Security Alert: ... See https://contactform7.com/heads-up-about-spreadsheet-vulnerabilities
# for details.) " before a value starting with = + - @ (includes/csv.php); the text is translated, the
# URL and the parentheses are not, so the URL is what identifies it.
_FLAMINGO = re.compile(
    r"^'?\([^()]*contactform7\.com/heads-up-about-spreadsheet-vulnerabilities[^()]*\) (?=[=+\-@])")

UNCHECKED = frozenset({"", "0", "no", "false", "off", "unchecked", "n"})


def strip_formula_prefix(value: str, kind: str, triggers: str) -> str:
    """Take off what a plugin added to defuse spreadsheet formulas, so the person's text comes back."""
    if not value:
        return value
    if kind == "apostrophe":
        if value[0] == "'" and len(value) > 1 and value[1] in triggers:
            return value[1:]
        return value
    if kind == "flamingo" and value[0] in "('":
        return _FLAMINGO.sub("", value, count=1)
    return value


def checkbox(value: str) -> bool:
    """A single box: empty, 0, no, false, off, unchecked -> no; anything else (its label, 1, yes) -> yes."""
    return value.strip().lower() not in UNCHECKED


GENERIC_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%d/%m/%Y %H:%M",
    "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M",
)
GENERIC_DATE_ONLY = ("%Y-%m-%d", "%m/%d/%Y", "%B %d, %Y", "%d.%m.%Y")


class DateError(ValueError):
    pass


def parse_when(text: str, formats: list[str] | tuple[str, ...], date_only: bool, zone: tzinfo,
               ) -> tuple[datetime, bool]:
    """(aware UTC datetime, time_unknown). An offset in the text wins; a site-local time takes zone;
    a date without a time is 00:00 in zone and time_unknown is True."""
    text = text.strip()
    if not text:
        raise DateError("no date")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is not None:
        if len(text) <= 10:  # an ISO date only
            return datetime.combine(value.date(), time(0), zone).astimezone(UTC), True
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC), False
    tries = [(f, date_only) for f in formats] + [(f, False) for f in GENERIC_DATE_FORMATS] \
        + [(f, True) for f in GENERIC_DATE_ONLY]
    for fmt, only_date in tries:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        unknown = only_date or not any(c in fmt for c in ("%H", "%I"))
        return parsed.replace(tzinfo=zone).astimezone(UTC), unknown
    raise DateError(f"not a date we can read: {text[:40]!r}")
