"""Dates of bounces and returned messages as ISO 8601 text."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_RFC5322_DATE = re.compile(r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+"
                           r"([+-])(\d{2})(\d{2})(?:\s+\([A-Za-z]+\))?\s*$")
_ZONES: dict[tuple[str, str, str], timezone] = {}   # fixed-offset zones met so far (bounded: sign x 100 x 100)


def parse_date(text: str) -> datetime | None:
    """parsedate_to_datetime(text), or None where it raises; the usual RFC 5322 form read directly."""
    m = _RFC5322_DATE.match(text)
    if m and m.group(2).lower() in _MONTHS and (m.group(7), m.group(8), m.group(9)) != ("-", "00", "00"):
        try:
            zone = _ZONES.get(m.group(7, 8, 9))
            if zone is None:
                offset = timedelta(hours=int(m.group(8)), minutes=int(m.group(9)))
                zone = _ZONES[m.group(7, 8, 9)] = timezone(-offset if m.group(7) == "-" else offset)
            return datetime(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)), int(m.group(4)),
                            int(m.group(5)), int(m.group(6)), tzinfo=zone)
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def date_iso(text: str) -> str:
    """parsedate_to_datetime(text).isoformat(); the text itself when it is not a date."""
    if not text:
        return ""
    dt = parse_date(text)
    return dt.isoformat() if dt is not None else text
