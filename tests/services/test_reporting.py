"""Release of data is gated on verified identity; gathering is audited by id only."""

from __future__ import annotations

import zipfile

import pytest

from desktop.domain.models import RequestStatus, RequestType
from desktop.errors import NotFound, RefusedError
from desktop.store.requests_repo import RequestRepo
from tests.reports.util import EMAIL, NAME, pdftotext, person_with_cases, request, squash


def test_report_refused_without_any_request(services, tmp_path):
    person_with_cases(services)
    with pytest.raises(RefusedError, match="no access request.*request open"):
        services.reports.access_report(EMAIL, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_report_refused_until_verified(services, tmp_path):
    person_with_cases(services)
    rid = request(services, verified=False)
    with pytest.raises(RefusedError, match="identity not verified.*DSR-2026-0001"):
        services.reports.access_report(EMAIL, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
    repo = RequestRepo(services.vault)
    with services.vault.transaction():
        repo.update(rid, verified_at=services.ctx.now(), verified_by="tester", verification_method="callback")
    result, req = services.reports.access_report(EMAIL, tmp_path / "r.pdf")
    assert req.id == rid and result.pages > 0
    text = squash(pdftotext(result.path))
    assert NAME in text and "verified on 10 January 2026, 09:00 UTC by tester (callback)" in text


def test_refused_request_does_not_release(services, tmp_path):
    person_with_cases(services)
    rid = request(services)
    with services.vault.transaction():
        RequestRepo(services.vault).update(rid, status=RequestStatus.REFUSED, refusal_reason="manifestly unfounded")
    with pytest.raises(RefusedError):
        services.reports.access_report(EMAIL, tmp_path / "r.pdf")


def test_export_needs_portability_or_access_and_erasure_request_is_not_enough(services, tmp_path):
    person_with_cases(services)
    request(services, type=RequestType.ERASURE, ref="DSR-2026-0001")
    with pytest.raises(RefusedError):
        services.reports.export(EMAIL, tmp_path / "e.zip")
    with pytest.raises(RefusedError):
        services.reports.access_report(EMAIL, tmp_path / "r.pdf")
    request(services, type=RequestType.PORTABILITY, ref="DSR-2026-0002")
    result, req = services.reports.export(EMAIL, tmp_path / "e.zip")
    assert req.ref == "DSR-2026-0002" and "data.json" in zipfile.ZipFile(result.path).namelist()
    with pytest.raises(RefusedError):  # portability does not authorise the full access report
        services.reports.access_report(EMAIL, tmp_path / "r.pdf")


def test_unknown_person_is_not_found(services, tmp_path):
    person_with_cases(services)
    with pytest.raises(NotFound):
        services.reports.access_report("stranger@example.com", tmp_path / "r.pdf")


def test_email_is_matched_normalised(services, tmp_path):
    ids = person_with_cases(services)
    request(services)
    dossier = services.dossier.gather("  ZOE@Example.ORG ")
    assert {r.case.id for r in dossier.cases} == {ids["zoe1"], ids["zoe2"], ids["zoe3"]}


def test_audit_has_ids_only(services, tmp_path):
    person_with_cases(services)
    request(services)
    services.reports.access_report(EMAIL, tmp_path / "r.pdf", password="pw pw pw")
    services.reports.export(EMAIL, tmp_path / "e.zip")
    entries = services.ctx.audit_repo.entries()
    actions = [e.action for e in entries]
    assert "dossier.gather" in actions and "report.access" in actions and "report.export" in actions
    for e in entries:
        blob = f"{e.target} {e.detail}"
        assert "zoe" not in blob.lower() and "Łukasz" not in blob and "example.org" not in blob
    access = next(e for e in entries if e.action == "report.access")
    assert access.target.startswith("request:") and "encrypted=aes-256" in access.detail


def test_retention_policies_and_removal_dates_reach_the_dossier(services):
    person_with_cases(services)
    d = services.dossier.gather(EMAIL)
    assert d.retention and all(p.label and p.period for p in d.retention)
    assert d.organisation.recipients and d.organisation.controller_name
