"""Turn what a user types into a safe FTS5 query (prefix match on every word)."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """'ali exa' -> '"ali"* AND "exa"*'. None when the text has no searchable word."""
    words = _WORD.findall(text or "")
    if not words:
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in words[:12])


def phone_tokens(e164: str | None) -> str:
    """Index an E.164 number as its full digits and its national significant digits with a 0 prefix."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    try:
        import phonenumbers

        number = phonenumbers.parse(e164, None)
        national = str(number.national_number)
        return f"{digits} {national} 0{national}"
    except Exception:
        return digits
