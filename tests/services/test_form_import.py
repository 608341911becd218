"""The web-form import service: erasure-aware (held rows), idempotent, provenance kept, nothing
written by a dry run or a cancel."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.form_import import FormImportService, ImportCancelled, ImportRequest
from desktop.store.import_repo import ImportRepo

FORMS = Path(__file__).resolve().parent.parent / "fixtures" / "forms"
CATS = ["Emails are bouncing=bounce", "Mail lands in spam=spam_folder"]


class FakeErasureRecord:
    """Stands in for the keyed erasure record of issue 13 (an HMAC of the normalised address)."""

    def __init__(self, erased: set[str]) -> None:
        self.erased = erased
        self.asked: list[str] = []

    def was_erased(self, email: str) -> bool:
        self.asked.append(email)
        return email in self.erased


def request(name="wpforms.csv", **kw):
    return ImportRequest(FORMS / name, timezone="Europe/London", category_maps=list(CATS), **kw)


def test_rows_of_erased_people_are_held_not_imported(services):
    erasure = FakeErasureRecord({"tobiah.vance@example.net"})
    svc = FormImportService(services.intake, services.settings, erasure)
    report = svc.run(svc.plan(request()))
    assert [h.where for h in report.held] == [4] and report.imported == 1
    assert "erased earlier on request" in report.held[0].reason
    assert "tobiah.vance@example.net" in erasure.asked  # asked with the normalised address
    emails = {services.cases.get(i).email for i in report.case_ids}
    assert emails == {"mireille.ob@example.org"}


def test_each_case_keeps_its_provenance_entry_id_or_fingerprint(services, tmp_path):
    svc = FormImportService(services.intake, services.settings)
    report = svc.run(svc.plan(request()))
    repo = ImportRepo(services.vault)
    assert [repo.of_case(i) for i in report.case_ids] == ["wpforms:entry:101", "wpforms:entry:102"]
    plain = tmp_path / "plain.csv"
    plain.write_text("Name,Email,Message\nEd Po,ed.po@example.org,Bounces\n", encoding="utf-8")
    first = svc.run(svc.plan(ImportRequest(plain)))
    assert repo.of_case(first.case_ids[0]).startswith("generic:fp:")
    again = svc.run(svc.plan(ImportRequest(plain)))
    assert again.imported == 0 and again.already_imported == 1


def test_dry_run_and_cancel_write_nothing(services):
    svc = FormImportService(services.intake, services.settings)
    dry = svc.run(svc.plan(request()), dry_run=True)
    assert dry.imported == 2 and services.cases.count() == 0
    with pytest.raises(ImportCancelled):
        svc.run(svc.plan(request()), cancelled=lambda: True)
    assert services.cases.count() == 0
    steps = []
    svc.run(svc.plan(request()), progress=lambda done, total: steps.append((done, total)))
    assert steps[-1] == (3, 3) and services.cases.count() == 2


def test_web_form_timezone_setting_is_the_default(services):
    services.settings.set("app", {**services.settings.app(), "web_form_timezone": "America/New_York"})
    svc = FormImportService(services.intake, services.settings)
    plan = svc.plan(ImportRequest(FORMS / "wpforms.csv", category_maps=list(CATS)))
    assert plan.timezone == "America/New_York"
    report = svc.run(plan)
    assert services.cases.get(report.case_ids[0]).received_at.hour == 23  # 7:55 pm EDT


class FakeBulkErasureRecord(FakeErasureRecord):
    """Like ErasureRecordService: one look-up for the whole file."""

    def erased_among(self, emails: list[str]) -> set[str]:
        self.asked.append(f"{len(emails)} at once")
        return {e for e in emails if e in self.erased}


def test_the_erasure_record_is_asked_once_for_the_file_when_it_can(services):
    erasure = FakeBulkErasureRecord({"mireille.ob@example.org"})
    svc = FormImportService(services.intake, services.settings, erasure)
    report = svc.run(svc.plan(request()))
    assert erasure.asked == ["2 at once"]
    assert [h.where for h in report.held] == [2] and report.imported == 1
    assert services.cases.get(report.case_ids[0]).email == "tobiah.vance@example.net"
