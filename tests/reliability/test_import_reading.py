"""Issue 13 item 9: JSON is parsed as JSON (records from the top-level array or the "submissions"
key only; trailing data and missing commas refused) and ambiguous CSV headers are refused."""

from __future__ import annotations

import json

import pytest

from desktop.services.importer import ImportFileError

ROW = {"name": "Decoy Person", "email": "decoy@example.org", "category": "bounce", "description": "x"}
REAL = {"name": "Real Person", "email": "real@example.org", "category": "bounce", "description": "y"}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_decoy_list_before_the_submissions_key_imports_nothing(services, tmp_path):
    path = write(tmp_path, "s.json", json.dumps({"other": [ROW, ROW], "submissions": []}))
    report = services.importer.import_file(path)
    assert report.total == 0 and report.case_ids == [] and services.cases.count() == 0


def test_the_text_submissions_inside_a_value_is_not_the_key(services, tmp_path):
    path = write(tmp_path, "s.json", json.dumps({"note": "see \"submissions\": [here]", "other": [ROW],
                                                 "submissions": [REAL]}, indent=1))
    report = services.importer.import_file(path)
    assert len(report.case_ids) == 1 and services.cases.get(report.case_ids[0]).name == "Real Person"


def test_records_keep_their_line_numbers_under_the_key(services, tmp_path):
    text = json.dumps({"other": [ROW], "submissions": [REAL, {**REAL, "email": "not an email"}]}, indent=2)
    report = services.importer.import_file(write(tmp_path, "s.json", text))
    bad_line = text.splitlines().index("    {", text.splitlines().index('  "submissions": [') + 2) + 1
    assert len(report.case_ids) == 1 and [e.line for e in report.errors] == [bad_line]


@pytest.mark.parametrize("text,message", [
    (json.dumps([REAL]) + " trailing garbage", "after the end"),
    (json.dumps([REAL]) + "\n" + json.dumps([ROW]), "after the end"),
    ("[" + json.dumps(REAL) + " " + json.dumps(ROW) + "]", "JSON syntax error"),
    ('{"submissions": [], "submissions": [' + json.dumps(ROW) + "]}", "ambiguous"),
    (json.dumps({"other": [ROW]}), "not a JSON list of submissions"),
    (json.dumps(REAL), "not a JSON list of submissions"),
])
def test_ambiguous_or_broken_json_is_refused_whole(services, tmp_path, text, message):
    with pytest.raises(ImportFileError, match=message):
        services.importer.import_file(write(tmp_path, "s.json", text))
    assert services.cases.count() == 0


def test_json_lines_still_import_from_a_jsonl_file(services, tmp_path):
    path = write(tmp_path, "s.jsonl", json.dumps(REAL) + "\n" + json.dumps({**REAL, "email": "r2@example.org"}))
    assert len(services.importer.import_file(path).case_ids) == 2


@pytest.mark.parametrize("header", ["name,email,email,description", "name,Email,EMAIL ,description",
                                    "name,email,email_address,description"])
def test_duplicate_csv_headers_are_refused(services, tmp_path, header):
    path = write(tmp_path, "s.csv", header + "\nAda,ada@example.org,decoy@example.org,x\n")
    with pytest.raises(ImportFileError, match="twice"):
        services.importer.import_file(path)
    assert services.cases.count() == 0
