from __future__ import annotations

import json

import pytest

from desktop.domain.models import CaseQuery
from desktop.errors import ImportFileError

CSV = (
    "name,email,phone,category,description,received_at,marketing_consent\n"
    "Ada Lovelace,ada@example.org,+442079460001,bounce,\"Multi-line\nbounce text\",2025-03-01T10:00:00Z,yes\n"
    "Broken Row,not-an-email,,bounce,Something,2025-03-02T10:00:00Z,no\n"
    "Grace Hopper,grace@example.org,,spam_folder,Lands in spam,2025-03-03,no\n"
    "Kid,kid@example.org,,bounce,Hi,2025-03-04T10:00:00Z,no\n"
)


def test_csv_import_keeps_good_rows_and_reports_bad_lines(services, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_text(CSV.replace("Kid,kid@example.org,,bounce,Hi,2025-03-04T10:00:00Z,no",
                                "Kid,kid@example.org,,printer,Hi,2025-03-04T10:00:00Z,no"), encoding="utf-8")
    report = services.importer.import_file(path)
    assert report.total == 4 and len(report.case_ids) == 2
    assert [(e.line, "email" in e.message) for e in report.errors][0] == (4, True)
    assert report.errors[1].line == 6 and "category" in report.errors[1].message
    ada = services.cases.get(report.case_ids[0])
    assert ada.received_at.isoformat() == "2025-03-01T10:00:00+00:00"
    assert ada.description == "Multi-line\nbounce text"
    assert services.ctx.subjects.has_active_marketing_consent(ada.subject_id)
    assert str(ada.channel) == "web_form"


def test_import_refuses_children(services, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_text("name,email,category,description,over_13\nKid,kid@example.org,bounce,Hi,no\n", encoding="utf-8")
    report = services.importer.import_file(path)
    assert report.case_ids == [] and "13" in report.errors[0].message and report.errors[0].line == 2


def test_json_import_reports_record_lines(services, tmp_path):
    records = [
        {"name": "Ada", "email": "ada@example.org", "category": "bounce", "description": "x",
         "received_at": "2025-01-01T00:00:00+00:00"},
        {"name": "", "email": "b@example.org", "category": "bounce", "description": "y"},
        "not an object",
    ]
    path = tmp_path / "subs.json"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    report = services.importer.import_file(path)
    assert len(report.case_ids) == 1
    assert [e.line for e in report.errors] == [9, 15]
    assert list(services.cases.ids(CaseQuery(search="ada"))) == report.case_ids


@pytest.mark.parametrize("name,content,message", [
    ("a.txt", b"name,email\n", "unsupported"),
    ("a.csv", b"\xff\xfe\x00bad", "UTF-8"),
    ("a.csv", b"", "empty"),
    ("a.csv", b"foo,bar\n1,2\n", "lacks"),
    ("a.json", b"[{\"name\": ", "JSON"),
    ("a.json", b"42", "not a JSON list"),
])
def test_bad_files_are_refused_whole(services, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        services.importer.import_file(path)
    assert services.cases.count() == 0
