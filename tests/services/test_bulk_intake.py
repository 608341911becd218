"""The set-based intake path (store/bulk.py) leaves exactly the store that storing one case at a
time left: the same cases (every column, retention timers included), people, consents, search
index entries and audit chain. The reference below is the per-row code as it was before the
set-based path, written against the same repositories and hooks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.app import build_services
from desktop.domain.clock import FixedClock
from desktop.domain.validation import ValidationError
from desktop.errors import RefusedError
from desktop.services.demo import write_web_form_file
from desktop.services.importer import ImportReport, RowError, read_records
from desktop.services.intake import IntakeResult
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE, T0
from tests.helpers.factories import form


# ---- the per-row path, as it was -----------------------------------------------------------------
def _reference_one(services, data, source, notify=True) -> IntakeResult:
    ctx = services.ctx
    now = ctx.now()
    existing = ctx.subjects.by_email(data.email)
    problem = services.intake._refusal(data, existing)
    if problem:
        raise RefusedError(problem)
    subject_id = existing.id if existing else ctx.subjects.find_or_create(data.email, now)
    case_id = ctx.cases.insert(data, subject_id=subject_id, created_at=now, staff=ctx.staff)
    ctx.subjects.add_consent(subject_id=subject_id, case_id=case_id, kind="privacy_notice",
                             version=data.notice_version, given_at=data.notice_acknowledged_at, source=source)
    if data.marketing_consent:
        ctx.subjects.add_consent(subject_id=subject_id, case_id=case_id, kind="marketing",
                                 version=data.notice_version, given_at=now, source=source)
    if notify:
        ctx.notify_case_changed(case_id)
    return IntakeResult(case_id, subject_id, existing is not None)


def reference_submit(services, raw, source="form") -> IntakeResult:
    data = services.intake.validate(raw)
    with services.vault.transaction():
        result = _reference_one(services, data, source)
        services.ctx.audit("case.create", f"case:{result.case_id},subject:{result.subject_id}", f"source={source}")
    return result


def reference_store_many(services, items, source="import") -> list[IntakeResult]:
    if not items:
        return []
    with services.vault.transaction():
        results = [_reference_one(services, d, source, notify=False) for d in items]
        ids = [r.case_id for r in results]
        services.ctx.notify_cases_changed(ids)
        services.ctx.audit("case.import", f"case:{ids[0]}-{ids[-1]}", f"count={len(ids)};source={source}")
    return results


def reference_import(services, path) -> ImportReport:
    records = read_records(path)
    report = ImportReport(total=len(records))
    importer = services.importer
    settings = {"default_region": services.settings.phone_region,
                "notice_version": services.settings.notice_version}
    good = []
    for line, record in records:
        try:
            data = importer._parse(record, settings)
        except ValidationError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        problem = services.intake.refusal(data)
        if problem:
            report.errors.append(RowError(line, problem))
            continue
        good.append(data)
    report.case_ids = [r.case_id for r in reference_store_many(services, good)]
    return report


# ---- two stores with the same history --------------------------------------------------------------
def open_store(tmp_path, name):
    vault = Vault.create(tmp_path / name / "helpdesk.db", Key.passphrase(PASSPHRASE))
    return build_services(vault, clock=FixedClock(T0), staff="tester")


def people_with_history(services) -> None:
    """Existing people: a plain repeat contact, one restricted, one objecting to marketing, one on hold."""
    subjects = services.ctx.subjects
    for email in ("plain@example.org", "restricted@example.org", "objector@example.org", "held@example.org"):
        services.intake.submit(form(email=email, name=email.split("@")[0].title()))
    with services.vault.transaction():
        subjects.update(subjects.by_email("restricted@example.org").id, restricted_at=T0 - timedelta(days=1),
                        restriction_reason="accuracy contested")
        subjects.update(subjects.by_email("objector@example.org").id, marketing_objected_at=T0 - timedelta(days=2))
        subjects.update(subjects.by_email("held@example.org").id, legal_hold_reason="litigation",
                        legal_hold_by="legal", legal_hold_at=T0 - timedelta(days=3))


@pytest.fixture
def twins(tmp_path):
    new, old = open_store(tmp_path, "new"), open_store(tmp_path, "old")
    for services in (new, old):
        people_with_history(services)
    yield new, old
    new.close()
    old.close()


def dump(services) -> dict:
    read = services.vault.read
    vocab = "temp.cases_fts_terms"
    read(f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocab} USING fts5vocab(main, 'cases_fts', 'instance')")
    rows, head = services.ctx.audit_repo.snapshot()
    return {
        "cases": read("SELECT * FROM cases ORDER BY id"),
        "subjects": read("SELECT * FROM subjects ORDER BY id"),
        "consents": read("SELECT * FROM consents ORDER BY id"),
        "search index": read(f"SELECT term, doc, col, offset FROM {vocab} ORDER BY doc, col, offset, term"),
        "audit": rows,
        "audit head": head,
    }


def assert_same_store(new, old) -> None:
    a, b = dump(new), dump(old)
    for table in a:
        assert a[table] == b[table], table
    assert new.audit.verify().ok and old.audit.verify().ok


MIXED_CSV = (
    "name,email,phone,category,description,technical_details,received_at,marketing_consent,over_13\n"
    "Ada Lovelace,ada@example.org,+442079460001,bounce,Bounces from gmail,550 5.7.1,2025-03-01T10:00:00Z,yes,yes\n"
    "Broken Row,not-an-email,,bounce,Something,,2025-03-02T10:00:00Z,no,yes\n"
    "Ada again,ADA@example.org,,spam_folder,Now in spam,,2025-03-03,no,yes\n"
    "Plain Person,plain@example.org,+1 202 555 0147,smtp_auth,Auth fails,,2025-03-04T23:30:00-05:00,no,yes\n"
    "Restricted,restricted@example.org,,bounce,Please add,,2025-03-05T10:00:00Z,no,yes\n"
    "Objector,objector@example.org,,bounce,Marketing yes,,2025-03-06T10:00:00Z,yes,yes\n"
    "Objector,objector@example.org,,bounce,No marketing,,2025-03-06T11:00:00Z,no,yes\n"
    "Held Person,held@example.org,+33 1 42 68 53 00,connection_tls,TLS handshake,"
    "\"Received: x\nby y\",2025-03-07T10:00:00Z,yes,yes\n"
    "Kid,kid@example.org,,bounce,Hi,2025-03-08T10:00:00Z,no,no\n"
    "Grace Hopper,grace@example.org,+81 3-1234-5678,rate_limit_blocklist,Listed on spamhaus,,2025-03-09,no,yes\n"
    "Grace Hopper,grace@example.org,+81 3-1234-5678,other,Still listed,,2025-12-31T23:59:59+01:00,yes,yes\n"
)


def test_import_stores_what_the_per_row_path_stored(twins, tmp_path):
    new, old = twins
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED_CSV, encoding="utf-8")
    got, want = new.importer.import_file(path), reference_import(old, path)
    assert got == want
    assert [e.line for e in got.errors] == [3, 6, 7, 11]  # bad email, restricted, objector's marketing, child (the quoted field before it spans two lines)
    assert len(got.case_ids) == 7
    assert_same_store(new, old)
    timers = new.vault.read("SELECT count(*) FROM cases WHERE next_removal_at IS NOT NULL")[0][0]
    assert timers > 0  # the timers compared above are real ones


def test_demo_import_stores_what_the_per_row_path_stored(twins, tmp_path):
    new, old = twins
    path = write_web_form_file(tmp_path / "forms.csv", 400, seed=7, now=T0)
    got, want = new.importer.import_file(path), reference_import(old, path)
    assert got == want and not got.errors and len(got.case_ids) == 400
    assert_same_store(new, old)


def test_json_import_matches_too(twins, tmp_path):
    new, old = twins
    path = write_web_form_file(tmp_path / "forms.json", 60, seed=11, now=T0)
    assert new.importer.import_file(path) == reference_import(old, path)
    assert_same_store(new, old)


def test_submit_stores_what_the_per_row_path_stored(twins):
    new, old = twins
    forms = [
        form(),
        form(email="ADA@example.org", name="Ada L.", marketing_consent=True, phone=""),
        form(email="plain@example.org", technical_details=""),
        form(email="held@example.org", received_at=T0 - timedelta(days=400)),
        form(email="objector@example.org"),
        form(email="new@example.org", phone="+1 202 555 0147", channel="phone"),
    ]
    for raw in forms:
        assert new.intake.submit(raw) == reference_submit(old, raw)
    for services in (new, old):
        with pytest.raises(RefusedError):
            services.intake.submit(form(email="restricted@example.org"))
    assert_same_store(new, old)


def test_a_refusal_at_store_time_stores_none_of_the_batch(twins, tmp_path):
    """store_many checks the people again inside its transaction: if one was restricted since the
    file was checked, nothing of the batch is written (as before)."""
    new, _ = twins
    items = [new.importer._parse(dict(form(email=e), over_13="yes"))
             for e in ("first@example.org", "restricted@example.org", "last@example.org")]
    before = dump(new)
    with pytest.raises(RefusedError):
        new.intake.store_many(items)
    assert dump(new) == before


def test_many_new_cases_after_deletions_take_the_next_ids(twins):
    """Ids come from max(id) + 1 as SQLite assigns them, also after the newest case was removed."""
    new, old = twins
    for services in (new, old):
        last = services.cases.count()
        with services.vault.transaction():
            services.ctx.cases.delete(last)
    items = [new.intake.validate(form(email=f"p{i}@example.org")) for i in range(3)]
    assert [r.case_id for r in new.intake.store_many(items)] == [r.case_id for r in reference_store_many(old, items)]
    assert_same_store(new, old)
