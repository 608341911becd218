"""Cell values as the plugins write them: formula defusing taken off, checkboxes, dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, tzinfo
from functools import cache

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


_MONTHS = {m.lower(): i for i, m in enumerate(
    ("January February March April May June July August September October November December").split(), 1)}
_ABBREVIATED = {m[:3]: i for m, i in _MONTHS.items()}
_DIRECTIVES = {"%Y": r"(?P<Y>\d{4})", "%m": r"(?P<m>1[0-2]|0[1-9]|[1-9])", "%d": r"(?P<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])",
               "%H": r"(?P<H>2[0-3]|[0-1]\d|\d)", "%I": r"(?P<I>1[0-2]|0[1-9]|[1-9])", "%M": r"(?P<M>[0-5]\d|\d)",
               "%S": r"(?P<S>6[0-1]|[0-5]\d|\d)", "%p": r"(?P<p>am|pm)", "%B": r"(?P<B>[a-z]+)", "%b": r"(?P<b>[a-z]{3})"}
_FAST: dict[str, re.Pattern | None] = {}


def _fast_pattern(fmt: str) -> re.Pattern | None:
    """fmt as a regex when it uses only the directives above (English month names, as strptime
    reads them in the C locale the exports are written in), else None (strptime decides)."""
    if fmt not in _FAST:
        parts, pos, ok = [], 0, True
        for m in re.finditer(r"%.|\s+", fmt):
            parts.append(re.escape(fmt[pos:m.start()]))
            token = m.group()
            if token.isspace():
                parts.append(r"\s+")
            elif token in _DIRECTIVES and _DIRECTIVES[token] not in parts:
                parts.append(_DIRECTIVES[token])
            else:
                ok = False
            pos = m.end()
        parts.append(re.escape(fmt[pos:]))
        _FAST[fmt] = re.compile("".join(parts), re.IGNORECASE) if ok else None
    return _FAST[fmt]


def _strptime(text: str, fmt: str) -> datetime:
    """datetime.strptime(text, fmt) for the export date formats, without strptime's per-call locale
    work (an import parses one date a row); the same result or ValueError."""
    pattern = _fast_pattern(fmt)
    if pattern is None:
        return datetime.strptime(text, fmt)
    m = pattern.fullmatch(text)
    if m is None:
        raise ValueError(text)
    g = m.groupdict()
    month = int(g["m"]) if g.get("m") else _MONTHS.get(g["B"].lower(), 0) if g.get("B") else \
        _ABBREVIATED.get(g["b"].lower(), 0) if g.get("b") else 1
    if month == 0:
        raise ValueError(text)
    hour = int(g["H"]) if g.get("H") else 0
    if g.get("I"):
        hour = int(g["I"]) % 12 + (12 if (g.get("p") or "").lower() == "pm" else 0)
    return datetime(int(g.get("Y") or 1900), month, int((g.get("d") or "1").strip()), hour,
                    int(g.get("M") or 0), int(g.get("S") or 0))


def parse_when(text: str, formats: list[str] | tuple[str, ...], date_only: bool, zone: tzinfo,
               ) -> tuple[datetime, bool]:
    """(aware UTC datetime, time_unknown). An offset in the text wins; a site-local time takes zone;
    a date without a time is 00:00 in zone and time_unknown is True."""
    text = text.strip()
    if not text:
        raise DateError("no date")
    try:  # ISO 8601 starts with the year; anything else is not tried (an exception a row costs)
        value = datetime.fromisoformat(text.replace("Z", "+00:00")) if text[:4].isdigit() else None
    except ValueError:
        value = None
    if value is not None:
        if len(text) <= 10:  # an ISO date only
            return datetime.combine(value.date(), time(0), zone).astimezone(UTC), True
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC), False
    for fmt, unknown in _tries(tuple(formats), date_only):
        try:
            parsed = _strptime(text, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone).astimezone(UTC), unknown
    raise DateError(f"not a date we can read: {text[:40]!r}")


@cache
def _tries(formats: tuple[str, ...], date_only: bool) -> tuple[tuple[str, bool], ...]:
    """The formats parse_when tries, in order, each with whether it leaves the time unknown: built
    once per profile, not once a row."""
    tries = [(f, date_only) for f in formats] + [(f, False) for f in GENERIC_DATE_FORMATS] \
        + [(f, True) for f in GENERIC_DATE_ONLY]
    return tuple((fmt, only_date or not any(c in fmt for c in ("%H", "%I"))) for fmt, only_date in tries)
