"""An imported phone kept as typed (unchecked): in the access report and the portable export it is
marked as not checked; a correction by staff checks it and takes the mark off; the retention
removal of the phone leaves no mark behind."""

from __future__ import annotations

import json
import zipfile

from desktop.reports.access_report import render_access_report
from desktop.reports.export import write_export
from desktop.services.form_import import ImportRequest
from tests.reports.util import pdftotext, squash

TYPED = "555-0142 (evenings)"
CSV = ("Name,Email,Phone,Message\n"
       f"Wendeline Cruz,wendeline@example.org,{TYPED},Bounces from Outlook\n")


def imported(services, tmp_path) -> int:
    path = tmp_path / "form.csv"
    path.write_text(CSV, encoding="utf-8")
    svc = services.form_import
    report = svc.run(svc.plan(ImportRequest(path, phone_region="GB")))
    assert report.imported == 1 and report.phone_unchecked == [2]
    return report.case_ids[0]


def test_access_report_and_export_say_the_phone_was_not_checked(services, tmp_path):
    case_id = imported(services, tmp_path)
    dossier = services.dossier.gather("wendeline@example.org")
    pdf = tmp_path / "report.pdf"
    render_access_report(dossier, pdf, request_ref="DSR-2026-0009", generated_at=services.ctx.now(),
                         verification_note="Verified by reply")
    text = squash(pdftotext(pdf))
    # the table cell wraps next to the purpose column: its two lines are read apart
    assert f"Contact number {TYPED} (as you typed it in the web form;" in text and "not checked)" in text
    out = tmp_path / "export.zip"
    write_export(dossier, out, request_ref="DSR-2026-0009", generated_at=services.ctx.now())
    doc = json.loads(zipfile.ZipFile(out).read("data.json"))
    case = next(c for c in doc["cases"] if c["id"] == case_id)
    assert case["phone"] == TYPED and case["phone_unchecked"] is True
    csv_text = zipfile.ZipFile(out).read("cases.csv").decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert "phone_unchecked" in header.split(",") and row.endswith(",true")


def test_a_checked_correction_takes_the_mark_off(services, tmp_path):
    case_id = imported(services, tmp_path)
    services.cases.rectify(case_id, {"description": "Bounces from Outlook and Hotmail"})
    assert services.cases.get(case_id).phone_unchecked  # another field corrected: still unchecked
    services.cases.rectify(case_id, {"phone": "020 7946 0142"})
    case = services.cases.get(case_id)
    assert case.phone == "+442079460142" and not case.phone_unchecked
    assert services.cases.detail(case_id).changes[-1].old_value == TYPED


def test_a_phone_removed_by_retention_and_entered_again_is_not_marked(services, tmp_path):
    case_id = imported(services, tmp_path)
    with services.vault.transaction() as c:  # what the retention sweep's phone removal leaves
        c.execute("UPDATE cases SET phone = NULL WHERE id = ?", (case_id,))
    assert not services.cases.get(case_id).phone_unchecked  # no phone: nothing unchecked shown
    services.cases.rectify(case_id, {"phone": "020 7946 0142"})
    case = services.cases.get(case_id)
    assert case.phone == "+442079460142" and not case.phone_unchecked


def test_an_access_request_by_phone_proposes_the_case_whose_phone_was_kept_as_typed(services, tmp_path):
    """The person asks from another address and gives their number in E.164: the imported case
    whose phone the form kept as typed ("07911 123456 (mobile)") is proposed as theirs by phone."""
    path = tmp_path / "form.csv"
    path.write_text("Name,Email,Phone,Message\n"
                    "Ola Berg,ola@example.org,07911 123456 (mobile),Bounces\n"
                    "Ida Lund,ida@example.org,+44 (0)7911 123456 evenings,Bounces\n"
                    "Per Holm,per@example.org,0791 112 (work),Bounces\n", encoding="utf-8")
    svc = services.form_import
    report = svc.run(svc.plan(ImportRequest(path, phone_region="GB")))
    assert report.imported == 3 and len(report.phone_unchecked) == 3
    ola, ida, per = report.case_ids
    opened = services.requests.open("access", "ola.berg@another.example", "+447911123456")
    by_phone = {m.case_id for m in opened.proposed if "phone" in m.matched_on}
    assert by_phone == {ola, ida}  # a fragment of the number ("0791 112") is never a match
