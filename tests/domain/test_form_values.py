"""Web-form cell values: the plugins' formula defusing undone, checkbox answers, site-local dates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.forms.mapping import GENERIC, Profile, build_mapping, detect_profile
from desktop.domain.forms.reading import decode, read_export
from desktop.domain.forms.values import DateError, checkbox, parse_when, strip_formula_prefix

ALERT = ("(Security Alert: Suspicious content is detected. See "
         "https://contactform7.com/heads-up-about-spreadsheet-vulnerabilities for details.)")


@pytest.mark.parametrize("kind, triggers, raw, expected", [
    ("apostrophe", "=-+@\t\r", "'=SUM(A1)", "=SUM(A1)"),
    ("apostrophe", "=-+@\t\r", "'-5 points", "-5 points"),
    ("apostrophe", "=", "'-5 points", "'-5 points"),        # Gravity Forms only defuses '='
    ("apostrophe", "=-+@", "'tis the season", "'tis the season"),  # a real apostrophe stays
    ("flamingo", "=+-@", ALERT + " =IMPORTXML(A1)", "=IMPORTXML(A1)"),
    ("flamingo", "=+-@", ALERT + " plain words", ALERT + " plain words"),  # Flamingo never writes that
    ("flamingo", "=+-@", "(Sicherheitswarnung: siehe https://contactform7.com/heads-up-about-spreadsheet-"
                         "vulnerabilities.) @here", "@here"),  # translated text, same URL
    ("none", "", "'=x", "'=x"),
])
def test_formula_prefix_removal(kind, triggers, raw, expected):
    assert strip_formula_prefix(raw, kind, triggers) == expected


# WPForms Pro's CSV::escape_value (src/Pro/Helpers/CSV.php) puts one ' before a value starting with
# = - + @ tab or CR, and nothing else: the profile takes exactly that off.
@pytest.mark.parametrize("cell, person_typed", [
    ("'=HYPERLINK(\"http://x.example\")", "=HYPERLINK(\"http://x.example\")"), ("'-ERR 550", "-ERR 550"),
    ("'+44 20 7946 0321", "+44 20 7946 0321"), ("'@here", "@here"), ("'\tindented", "\tindented"),
    ("'\rcarriage", "\rcarriage"), ("''=x", "''=x"), ("'tis the season", "'tis the season"),
    ("'", "'"), ("=1+1", "=1+1"), ("' =1", "' =1"), ("'#ref", "'#ref"),
])
def test_wpforms_profile_takes_off_exactly_what_wpforms_adds(cell, person_typed):
    from desktop.services.form_import import load_profiles

    wpforms = next(p for p in load_profiles() if p.name == "wpforms")
    assert "src/Pro/Helpers/CSV.php" in (resource_json("wpforms")["formula_source"])
    assert strip_formula_prefix(cell, wpforms.formula_kind, wpforms.formula_triggers) == person_typed


def resource_json(name: str) -> dict:
    import json

    from desktop.paths import resource

    return json.loads(resource("import_profiles", f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("value, ticked", [("", False), ("0", False), ("no", False), ("False", False),
                                           ("off", False), ("Unchecked", False), (" ", False), ("1", True),
                                           ("yes", True), ("checked", True), ("I am 13 or older", True)])
def test_checkbox_values(value, ticked):
    assert checkbox(value) is ticked


def test_dates_site_local_offset_and_date_only():
    london = ZoneInfo("Europe/London")
    assert parse_when("July 14, 2025 7:55 pm", ["%B %d, %Y %I:%M %p"], False, london) == \
        (datetime(2025, 7, 14, 18, 55, tzinfo=UTC), False)
    assert parse_when("March 6, 2025 7:55 am", ["%B %d, %Y %I:%M %p"], False, london)[0].hour == 7
    assert parse_when("2025-07-14T19:55:00+02:00", [], False, london)[0] == datetime(2025, 7, 14, 17, 55, tzinfo=UTC)
    assert parse_when("07/14/2025", ["%m/%d/%Y"], True, london) == (datetime(2025, 7, 13, 23, 0, tzinfo=UTC), True)
    with pytest.raises(DateError):
        parse_when("next Tuesday", [], False, london)


def test_decode_boms_utf16_and_windows_1252():
    assert decode(b"\xef\xbb\xbfa,b") == ("a,b", "utf-8-sig")
    assert decode("a,b".encode("utf-16")) == ("a,b", "utf-16")
    text, enc = decode("Name;Message\r\nRenée Ångström;ça bounce – toujours\r\n".encode("cp1252"))
    assert "Renée Ångström" in text and enc == "cp1252"


def test_physical_line_numbers_count_multiline_cells():
    data = b'a,b\n"one\ntwo\nthree",x\nplain,y\n'
    export = read_export(data, "f.csv")
    assert [r.where for r in export.records] == [2, 5]


def test_repeated_labels_are_addressed_by_position_and_json_paths_are_dotted():
    export = read_export(b"Email,Email\nx@a.example,y@b.example\n", "f.csv")
    assert export.columns == ["Email", "Email#2"] and export.records[0].values["Email#2"] == "y@b.example"
    export = read_export(b'[{"response": {"names": {"first_name": "Ana"}}, "tags": ["a", "b"]}]', "f.json")
    assert export.records[0].values == {"response.names.first_name": "Ana", "tags": "a, b"}


def test_json_records_only_from_top_level_list_submissions_or_profile_key():
    from desktop.domain.forms.reading import FormFileError

    with pytest.raises(FormFileError, match="no records found"):
        read_export(b'{"meta": {"x": 1}, "rows": [{"name": "a"}]}', "f.json")
    assert len(read_export(b'{"meta": [1, 2], "rows": [{"name": "a"}]}', "f.json", "rows").records) == 1


def test_explicit_map_wins_and_its_field_is_not_also_guessed():
    profile = Profile("t", "t", "csv", (), {"Email": "email"})
    mapping = build_mapping(["Email", "Work email", "Message"], profile, {"Work email": "email"},
                            {"description": ["message"], "email": ["email"]})
    assert mapping.by_field("email") == ["Work email"] and "Email" in mapping.unmapped
    assert mapping.first("description") == "Message"


def test_detection_by_header():
    wp = Profile("wpforms", "", "csv", ("Entry ID", "Entry Date"), {})
    gf = Profile("gravityforms", "", "csv", ("Entry Id", "Entry Date", "User Agent"), {})
    assert detect_profile(["Name", "Entry Id", "Entry Date", "User Agent"], "csv", [wp, gf]) is gf
    assert detect_profile(["Name", "Entry ID", "Entry Date"], "csv", [wp, gf]) is wp
    assert detect_profile(["Name", "Mail"], "csv", [wp, gf]) is GENERIC


def test_export_date_parsing_equals_strptime_for_every_format_it_reads():
    """values._strptime (no per-call locale work: an import parses a date a row) gives what
    datetime.strptime gives, or refuses what it refuses, for the plugins' and the generic formats."""
    from datetime import timedelta

    from desktop.domain.forms.values import GENERIC_DATE_FORMATS, GENERIC_DATE_ONLY, _strptime

    formats = [*GENERIC_DATE_FORMATS, *GENERIC_DATE_ONLY, "%b %d, %Y %H:%M", "%d %b %Y", "%Y-%m-%dT%H:%M"]
    texts = ["March 6, 2025 7:55 am", "March 06, 2025 07:55 PM", "Sept 6, 2025 7:55 am", "Mar 6, 2025",
             "2025-02-30", "February 29, 2024", "February 29, 2025", "2025-12-31 24:00", "13/13/2025",
             "March  6, 2025 7:55 am", "March 6, 2025 0:30 am", "6 Mar 2025", "7/4/2025", " 2025-01-01"]
    when = datetime(2021, 1, 1)
    for step in range(400):
        when += timedelta(hours=173, minutes=7 * step)
        texts += [when.strftime(f) for f in formats]
        texts.append(f"{when:%B} {when.day}, {when.year} {when.hour % 12 or 12}:{when:%M} {when:%p}".lower())
    for fmt in formats:
        for text in texts:
            try:
                expected = datetime.strptime(text, fmt)
            except ValueError:
                expected = None
            try:
                got = _strptime(text, fmt)
            except ValueError:
                got = None
            assert got == expected, (fmt, text)
