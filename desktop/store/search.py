"""Turn what a user types into a safe FTS5 query (prefix match on every word)."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)

# A case's search entry, under its list-order key (desktop/store/order_keys.py)
FTS_INSERT = "INSERT INTO cases_fts(rowid, name, email, phone, description) VALUES (?,?,?,?,?)"
# Removing an entry with the values it was indexed with: with the index's secure-delete option
# (schema 5) FTS5 then removes the entry's terms from the index pages at once. A plain
# `DELETE ... WHERE rowid = ?` on this contentless index only records a tombstone (it cannot know
# the terms), and the terms stay in the file until a merge rewrites their segment.
FTS_DELETE = "INSERT INTO cases_fts(cases_fts, rowid, name, email, phone, description) VALUES ('delete',?,?,?,?,?)"
# The entry of each case as indexed (key, name, email, phone, description); anonymised cases have none.
INDEXED_SQL = ("SELECT {key}, coalesce(name, ''), coalesce(email, ''), phone, coalesce(description, '')"
               " FROM cases WHERE anonymised_at IS NULL AND id IN ({marks})")


def unindex(c, case_ids: list[int], key_sql: str) -> list[int]:
    """Remove these cases' search entries (read from their rows, so call before changing or
    deleting the rows); returns the keys removed, in ascending order."""
    rows: list[tuple] = []
    for start in range(0, len(case_ids), 500):
        part = list(case_ids[start:start + 500])
        rows += c.execute(INDEXED_SQL.format(key=key_sql, marks=",".join("?" * len(part))), part).fetchall()
    rows.sort()
    c.executemany(FTS_DELETE, [(k, n, e, phone_tokens(p), d) for k, n, e, p, d in rows])
    return [r[0] for r in rows]


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
    national = _national_digits(e164)
    if national is None:
        try:
            import phonenumbers

            national = str(phonenumbers.parse(e164, None).national_number)
        except Exception:
            return digits
    return f"{digits} {national} 0{national}"


_E164 = re.compile(r"\+[1-9][0-9]{3,19}")
_NATIONAL_PREFIX: dict[int, re.Pattern | None] = {}  # country code -> its national_prefix_for_parsing


def _national_digits(e164: str) -> str | None:
    """str(phonenumbers.parse(e164, None).national_number) without the parse (~30 us a number, and
    every imported phone was parsed once already by validation), or None where parse() must decide.

    For '+' and digits only, parse() takes the country code as the shortest leading 1-3 digits that
    name one, and the rest as the national number, unless the rest starts with the region's
    national prefix (then it may strip it; left to parse() here). tests/store/test_search.py checks
    this against parse() for every region's example numbers."""
    if _E164.fullmatch(e164) is None:
        return None
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    for size in (1, 2, 3):
        code = int(e164[1:1 + size])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    rest = e164[1 + size:]
    if not 2 <= len(rest) <= 17:
        return None
    if code not in _NATIONAL_PREFIX:
        from phonenumbers import PhoneMetadata, region_code_for_country_code

        metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region_code_for_country_code(code))
        if metadata is None:
            return None
        prefix = metadata.national_prefix_for_parsing
        _NATIONAL_PREFIX[code] = re.compile(prefix) if prefix else None
    prefix_re = _NATIONAL_PREFIX[code]
    if prefix_re is not None and prefix_re.match(rest):
        return None
    return str(int(rest))
