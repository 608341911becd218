"""Search: what a user types -> a safe FTS5 query; a phone number -> the words it is indexed under."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w", re.UNICODE)
_DIGIT = re.compile(r"[0-9]+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# digits in groups, with what people put between them when they write a phone number down
_PHONE_QUERY = re.compile(r"\+?[0-9(][0-9 ()./-]*", re.ASCII)

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
    """What a user types -> an FTS5 query, None when the text has no searchable word.

    Each space-separated part is one quoted string with a prefix star, so FTS5 splits it with the
    index's own tokenizer into a phrase: 'ali exa' -> '"ali"* AND "exa"*', and an address or part
    of one keeps its words together and in order: 'm.ali' -> '"m.ali"*' (the words m, ali* next to
    each other), not every m* and ali*. A query of digit groups (a phone number as it is read out:
    '020 7946 0018', '+44 (0)20 7946 0018', '07911-123456') also matches its digits run together
    (a written trunk '(0)' left out), which phone_tokens indexes with every tail of the number."""
    text = _CONTROL.sub(" ", text or "")  # NUL and other controls never reach SQLite: they separate words
    parts = [p for p in text.split() if _WORD.search(p)][:12]
    if not parts:
        return None
    query = " AND ".join('"' + p.replace('"', '""') + '"*' for p in parts)
    digits = "".join(_DIGIT.findall(text.replace("(0)", ""))) if _PHONE_QUERY.fullmatch(text.strip()) else ""
    if len(digits) >= 3 and (len(parts) > 1 or not parts[0].isdigit()):
        query = f'"{digits}"* OR ({query})'
    return query


MIN_TAIL = 3  # shortest tail of a national number indexed on its own


def phone_tokens(e164: str | None) -> str:
    """The search words of an E.164 number: its full digits (with and without the 00 international
    prefix), its national significant digits with and without the trunk 0, and every tail of the
    national digits down to MIN_TAIL digits. A prefix search then finds the number by any digit
    group a caller reads out, in any grouping: '020 7946 0018', '7946', '0018', '07911 123456',
    '+44 20 7946 0018' all find +442079460018 (a group is the start of some tail), without
    formatting the number (phonenumbers' formatting costs ~0.3 ms a number; an import indexes
    every row's number). A phone kept as typed (a web-form import's unchecked phone, not E.164) is
    indexed as typed, with its digits run together and their tails, so its digits find it too."""
    if not e164:
        return ""
    if e164[0] != "+" and not e164.isdigit():  # validation stores '+' and digits: this was typed
        return _typed_tokens(e164)
    digits = e164.lstrip("+")
    national = _national_digits(e164)
    if national is None:
        try:
            import phonenumbers

            national = str(phonenumbers.parse(e164, None).national_number)
        except Exception:
            return digits
    return " ".join([digits, "00" + digits, national, "0" + national, *_tails(national)])


def _typed_tokens(text: str) -> str:
    digits = "".join(_DIGIT.findall(text))
    return " ".join([text, *([digits, *_tails(digits)] if len(digits) >= MIN_TAIL else [])])


def _tails(national: str) -> list[str]:
    return [national[i:] for i in range(1, len(national) - MIN_TAIL + 1)] if national.isdigit() else []


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
