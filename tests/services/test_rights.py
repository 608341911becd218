"""Erasure, restriction, objection and rectification, end to end against a real encrypted store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.domain.models import CaseQuery, RequestStatus, RequestType
from desktop.domain.validation import ValidationError
from desktop.errors import NotFound, RefusedError
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case, form
from tests.helpers.sqlcipher_pages import StoreImage

ADA = dict(name="Zebulon Quartermaine", email="zeb.q@example.org", phone="+44 20 7946 0123",
           description="Bounces from xyzzyplugh relay", technical_details="X-Trace: qwertyuiop-zeb")
BOB = dict(name="Bob Nobody", email="bob@example.net", phone="+44 20 7946 0999",
           description="Spam folder at frobozz")

# ---- reading every page of the encrypted file, as an attacker with the key would ---------------
def store_plaintext(path: Path) -> bytes:
    """Every page of the store and its WAL, decrypted and HMAC-checked: live rows, free pages, slack."""
    return b"".join(p.plaintext for p in StoreImage.read(path, passphrase=PASSPHRASE).pages)


def traces(blob: bytes, *needles: str) -> list[str]:
    low = blob.lower()
    return [n for n in needles if n.lower().encode() in low]


ADA_TRACES = ("Quartermaine", "zeb.q@example.org", "442079460123", "xyzzyplugh", "qwertyuiop")


# ---- helpers ------------------------------------------------------------------------------------
def verified(services, rtype: str, email: str, **kw):
    req = services.requests.open(rtype, email, **kw).request
    return services.requests.record_verification(req.id, "reply_from_address", verified_by="Sam")


def search(services, text: str) -> list[int]:
    return list(services.cases.ids(CaseQuery(search=text)))


# ---- erasure ------------------------------------------------------------------------------------
def test_erasure_is_refused_until_identity_is_verified(services):
    add_case(services, **ADA)
    req = services.requests.open("erasure", ADA["email"]).request
    with pytest.raises(RefusedError, match="not been verified"):
        services.rights.erase(req.id)
    with pytest.raises(RefusedError, match="not been verified"):
        services.rights.erase_email(ADA["email"])
    assert search(services, "Quartermaine")  # nothing was removed


def test_erasure_removes_the_person_and_no_one_else_leaving_no_residue(services, store_path):
    ada1 = add_case(services, **ADA, marketing_consent=True)
    ada2 = add_case(services, **ADA)
    services.cases.add_note(ada1, "Called back about xyzzyplugh; Zebulon Quartermaine confirmed")
    services.cases.rectify(ada2, {"description": "Bounces from xyzzyplugh relay, port 587"})
    bob = add_case(services, **BOB)
    services.cases.add_note(bob, "frobozz note")
    services.vault.scrub()
    assert traces(store_plaintext(store_path), *ADA_TRACES) == list(ADA_TRACES)  # the probe sees them

    access = verified(services, "access", ADA["email"])
    services.requests.complete(access.id, "report sent")
    req = verified(services, "erasure", ADA["email"], phone=ADA["phone"])
    result = services.rights.erase(req.id)

    assert sorted(result.erased_cases) == sorted([ada1, ada2]) and result.kept_cases == []
    assert result.subject_erased
    # Art. 19: those that received Ada's data (she gave marketing consent), not website analytics
    # or authorities, which receive nothing from the desk
    assert result.recipients == ["MailChimp", "ActiveCampaign", "Email service providers"]
    # the person is gone from cases, subjects, consents, notes, history and search
    assert not services.ctx.cases.exists(ada1) and not services.ctx.cases.exists(ada2)
    assert services.ctx.subjects.by_email(ADA["email"]) is None
    assert search(services, "Quartermaine") == [] and search(services, "xyzzyplugh") == []
    assert search(services, "02079460123") == []
    # ... and from every page of the encrypted file, its free pages and its WAL
    assert traces(store_plaintext(store_path), *ADA_TRACES) == []
    # the other person is untouched
    assert services.cases.get(bob).name == "Bob Nobody"
    assert search(services, "frobozz") == [bob]
    assert [n.body for n in services.ctx.cases.notes(bob)] == ["frobozz note"]
    assert services.ctx.subjects.by_email(BOB["email"]) is not None
    # the register keeps both entries, without identifiers, under the same non-identifying ref
    done = services.requests.get(req.id)
    assert done.status is RequestStatus.COMPLETED and done.completed_at is not None
    assert "Erased 2 case(s)" in done.outcome
    assert done.details["notify_recipients"] == result.recipients
    for entry in (done, services.requests.get(access.id)):
        assert (entry.subject_id, entry.subject_email, entry.subject_phone) == (None, None, None)
        assert entry.subject_ref == req.subject_ref
    erase_audit = services.ctx.audit_repo.entries(action="rights.erase")
    assert len(erase_audit) == 1 and "zeb" not in (erase_audit[0].target + erase_audit[0].detail).lower()


def test_erasure_by_email_uses_the_verified_request(services):
    add_case(services, **ADA)
    req = verified(services, "erasure", ADA["email"])
    result = services.rights.erase_email(ADA["email"].upper())
    assert result.request_ref == req.ref
    with pytest.raises(RefusedError, match="already completed"):
        services.rights.erase(req.id)


def test_erasure_covers_confirmed_cases_under_another_address(services):
    own = add_case(services, **ADA)
    work = add_case(services, **dict(ADA, email="zq@work.example.com"))
    res = services.requests.open("erasure", ADA["email"], phone=ADA["phone"])
    assert {m.case_id for m in res.proposed} == {own, work}
    services.requests.confirm_cases(res.request.id, [own, work])
    services.requests.record_verification(res.request.id, "callback_number")
    result = services.rights.erase(res.request.id)
    assert sorted(result.erased_cases) == sorted([own, work])
    assert services.ctx.subjects.by_email("zq@work.example.com") is None


def test_erasure_keeps_cases_under_a_legal_hold_and_says_so(services):
    free = add_case(services, **ADA)
    held = add_case(services, **ADA)
    services.ctx.cases.update(held, legal_hold_reason="Chargeback dispute 2026-114", legal_hold_by="lead",
                              legal_hold_at=datetime(2026, 1, 5, tzinfo=UTC))
    req = verified(services, "erasure", ADA["email"])
    result = services.rights.erase(req.id)
    assert result.erased_cases == [free] and result.kept_cases == [held]
    assert not result.subject_erased
    assert not services.ctx.cases.exists(free)
    assert services.cases.get(held).name == ADA["name"]
    done = services.requests.get(req.id)
    assert "legal hold" in done.outcome and str(held) in done.outcome
    assert done.subject_email == ADA["email"]  # kept: the erasure must be finished when the hold ends


def test_erasure_keeps_everything_when_the_person_is_under_a_legal_hold(services):
    c1 = add_case(services, **ADA)
    subject = services.ctx.subjects.by_email(ADA["email"])
    services.ctx.subjects.update(subject.id, legal_hold_reason="Court order 12/2026", legal_hold_by="lead",
                                 legal_hold_at=datetime(2026, 1, 5, tzinfo=UTC))
    result = services.rights.erase(verified(services, "erasure", ADA["email"]).id)
    assert result.held_by_subject and result.erased_cases == [] and result.kept_cases == [c1]
    assert services.ctx.cases.exists(c1)
    assert "legal hold covers the person" in services.requests.by_ref(result.request_ref).outcome


def test_erasure_of_someone_we_hold_nothing_about_completes_the_request(services):
    req = verified(services, "erasure", "ghost@example.org")
    result = services.rights.erase(req.id)
    assert result.erased_cases == [] and "Nothing else is held" in result.outcome
    assert services.requests.get(req.id).subject_email is None


# ---- restriction ----------------------------------------------------------------------------------
def test_restriction_blocks_edits_new_intake_and_processing_until_lifted(services):
    ada = add_case(services, **ADA, marketing_consent=True)
    bob = add_case(services, **BOB, marketing_consent=True)
    req = services.requests.open("restriction", ADA["email"]).request
    result = services.rights.restrict(ADA["email"], "Accuracy contested")
    assert result.request_ref == req.ref and "MailChimp" in result.recipients
    subject = services.ctx.subjects.by_email(ADA["email"])
    assert subject.restricted and subject.restriction_reason == "Accuracy contested"

    with pytest.raises(RefusedError, match="restricted"):
        services.cases.rectify(ada, {"name": "Z. Quartermaine"})
    with pytest.raises(RefusedError, match="restricted"):
        services.cases.add_note(ada, "note")
    with pytest.raises(RefusedError, match="restricted"):
        services.intake.submit(form(**ADA))
    assert services.rights.processable_case_ids([ada, bob]) == [bob]
    assert [email for _, email in services.rights.marketing_audience()] == [BOB["email"]]
    with pytest.raises(RefusedError, match="already restricted"):
        services.rights.restrict(ADA["email"])

    services.rights.lift_restriction(ADA["email"])
    assert not services.ctx.subjects.by_email(ADA["email"]).restricted
    services.cases.add_note(ada, "works again")
    assert services.rights.processable_case_ids([ada, bob]) == [ada, bob]
    actions = [e.action for e in services.ctx.audit_repo.entries()]
    assert "rights.restrict" in actions and "rights.restrict_lift" in actions
    with pytest.raises(NotFound):
        services.rights.restrict("stranger@example.org")


# ---- objection ------------------------------------------------------------------------------------
def test_objection_to_marketing_withdraws_and_blocks_marketing_consent(services, clock):
    add_case(services, **ADA, marketing_consent=True)
    subject = services.ctx.subjects.by_email(ADA["email"])
    assert services.ctx.subjects.has_active_marketing_consent(subject.id)
    clock.advance(days=1)
    result = services.rights.object(ADA["email"], "marketing")
    assert result.request_ref and result.detail == "withdrawn=1"
    assert set(result.recipients) == {"MailChimp", "ActiveCampaign"}
    assert not services.ctx.subjects.has_active_marketing_consent(subject.id)
    marketing = [c for c in services.ctx.subjects.consents(subject.id) if c.kind == "marketing"]
    assert marketing[0].withdrawn_at == clock.now()
    assert services.ctx.subjects.by_email(ADA["email"]).marketing_objected_at == clock.now()
    assert services.rights.marketing_audience() == []
    with pytest.raises(RefusedError, match="objected to marketing"):
        services.intake.submit(form(**ADA, marketing_consent=True))
    # a support case without marketing is still fine
    assert services.intake.submit(form(**ADA)).case_id
    req = services.requests.by_ref(result.request_ref)
    assert req.type is RequestType.OBJECTION and req.details["objections"][0]["to"] == "marketing"


def test_objection_to_analytics_or_other_is_recorded(services):
    add_case(services, **ADA, marketing_consent=True)
    res = services.rights.object(ADA["email"], "analytics")
    assert res.recipients == []  # analytics tools receive no personal data from the desk
    with pytest.raises(ValidationError):
        services.rights.object(ADA["email"], "other")  # needs a description
    services.rights.object(ADA["email"], "other", "Profiling for upsell")
    kinds = [o["to"] for o in services.requests.by_ref(res.request_ref).details["objections"]]
    assert kinds == ["analytics", "other"]
    # neither touches marketing consent
    subject = services.ctx.subjects.by_email(ADA["email"])
    assert services.ctx.subjects.has_active_marketing_consent(subject.id)
    with pytest.raises(ValidationError):
        services.rights.object(ADA["email"], "everything")


# ---- rectification ------------------------------------------------------------------------------
def test_rectification_is_linked_to_the_request(services):
    ada = add_case(services, **ADA)
    bob = add_case(services, **BOB)
    req = services.requests.open("rectification", ADA["email"]).request
    with pytest.raises(RefusedError, match="not been verified"):
        services.rights.rectify(req.id, ada, {"name": "Zebulon Q. Quartermaine"})
    services.requests.record_verification(req.id, "in_person_id")
    with pytest.raises(RefusedError, match="not one of the cases"):
        services.rights.rectify(req.id, bob, {"name": "Robert"})
    res = services.rights.rectify(req.id, ada, {"name": "Zebulon Q. Quartermaine", "phone": "+44 20 7946 0124"})
    assert res.detail == "name,phone" and res.recipients == ["Email service providers"]  # no marketing consent
    history = services.ctx.cases.changes(ada)
    assert {(c.field, c.request_ref) for c in history} == {("name", req.ref), ("phone", req.ref)}
    assert services.cases.get(ada).name == "Zebulon Q. Quartermaine"
    assert services.requests.get(req.id).details["rectified"][0]["case"] == ada


# ---- each request type, end to end ------------------------------------------------------------
@pytest.mark.parametrize("rtype", [t.value for t in RequestType])
def test_each_request_type_end_to_end(services, rtype):
    case_id = add_case(services, **ADA, marketing_consent=True)
    req = services.requests.open(rtype, ADA["email"], received_at=datetime(2026, 1, 8, tzinfo=UTC)).request
    services.requests.start_verification(req.id)
    services.requests.record_verification(req.id, "reply_from_address")
    if rtype == "erasure":
        services.rights.erase(req.id)
        assert not services.ctx.cases.exists(case_id)
    else:
        if rtype in ("access", "portability"):
            assert services.requests.require_verified(req.id).id == req.id  # what report/export call
        elif rtype == "restriction":
            services.rights.restrict(ADA["email"], request_ref=req.ref)
        elif rtype == "objection":
            services.rights.object(ADA["email"], "marketing", request_ref=req.ref)
        elif rtype == "rectification":
            services.rights.rectify(req.id, case_id, {"name": "Zeb Quartermaine"})
        services.requests.complete(req.id, f"{rtype} answered")
    row = services.requests.row(services.requests.get(req.id))
    assert row.request.status is RequestStatus.COMPLETED and row.days_left is None and not row.overdue


def test_restriction_pauses_and_lifting_resumes_the_stored_retention_timer(services):
    from tests.helpers.factories import add_case as _add

    case_id = _add(services, email="paused@example.org")
    before = services.ctx.cases.next_removal([case_id])[case_id]
    assert before[0] is not None
    services.rights.restrict("paused@example.org", "needed for a claim")
    assert services.ctx.cases.next_removal([case_id])[case_id] == (None, None)
    services.rights.lift_restriction("paused@example.org")
    assert services.ctx.cases.next_removal([case_id])[case_id] == before
