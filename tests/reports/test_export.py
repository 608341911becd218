"""The portable export: versioned JSON with raw values, CSVs with BOM and no formula injection."""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile

from desktop.reports.export import SCHEMA, safe_cell, write_export
from tests.reports.util import EMAIL, HOSTILE_DESC, NAME, person_with_cases


def export(services, tmp_path):
    ids = person_with_cases(services)
    out = tmp_path / "export-DSR-2026-0001.zip"
    result = write_export(services.dossier.gather(EMAIL), out, request_ref="DSR-2026-0001",
                          generated_at=services.ctx.now())
    return ids, result, zipfile.ZipFile(out)


def rows(zf, name):
    raw = zf.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 BOM for spreadsheets
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_zip_holds_documented_files(services, tmp_path):
    _ids, result, zf = export(services, tmp_path)
    assert set(zf.namelist()) == {"README.txt", "data.json", "cases.csv", "notes.csv", "changes.csv",
                                  "consents.csv", "requests.csv"}
    readme = zf.read("README.txt").decode()
    assert "apostrophe (')" in readme and SCHEMA in readme and "DSR-2026-0001" in readme
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600


def test_json_is_versioned_and_raw(services, tmp_path):
    ids, _result, zf = export(services, tmp_path)
    doc = json.loads(zf.read("data.json"))
    assert doc["schema"] == "helpdesk-intake/portable-export" and doc["version"] == 1
    by_id = {c["id"]: c for c in doc["cases"]}
    assert set(by_id) == {ids["zoe1"], ids["zoe2"], ids["zoe3"]}  # not the other person's
    assert by_id[ids["zoe1"]]["name"] == NAME
    assert by_id[ids["zoe1"]]["phone"] == "+442079460999"       # raw: no apostrophe
    assert by_id[ids["zoe2"]]["description"] == HOSTILE_DESC
    assert by_id[ids["zoe2"]]["technical_details"].startswith("=cmd|")
    assert by_id[ids["zoe2"]]["category"] == "spam_folder"
    assert by_id[ids["zoe1"]]["received_at"] == "2026-01-10T09:00:00+00:00"
    assert "name" in doc["provided_fields"] and "status" not in doc["provided_fields"]
    assert "provided by you" in doc["provenance"]["cases"] and "created by us" in doc["provenance"]["notes"]
    assert {c["kind"] for c in doc["consents"]} == {"privacy_notice", "marketing"}
    assert doc["changes"][0]["old_value"] == "+442079460001"
    assert "OTHER" not in json.dumps(doc)


def test_csv_cells_are_formula_safe(services, tmp_path):
    ids, _result, zf = export(services, tmp_path)
    cases = {int(r["id"]): r for r in rows(zf, "cases.csv")}
    assert cases[ids["zoe2"]]["technical_details"].startswith("'=cmd|")
    assert cases[ids["zoe1"]]["phone"] == "'+442079460999"
    assert cases[ids["zoe1"]]["name"] == NAME
    assert cases[ids["zoe2"]]["description"] == HOSTILE_DESC
    changes = rows(zf, "changes.csv")
    assert changes[0]["old_value"] == "'+442079460001"
    assert rows(zf, "notes.csv")[0]["body"].startswith("Called back")
    for name in ("cases.csv", "notes.csv", "changes.csv", "consents.csv", "requests.csv"):
        for row in rows(zf, name):
            for value in row.values():
                assert (value or "x")[0] not in "=+-@\t\r\n", (name, value)


def test_safe_cell():
    assert [safe_cell(v) for v in ("=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "ok", None, 5)] == \
        ["'=1+1", "'+44", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "'\nx", "ok", "", "5"]
