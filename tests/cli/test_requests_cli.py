"""The request, restrict, object and erase commands, run in-process as a user would."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from tests.conftest import PASSPHRASE

OK, INVALID, NOT_FOUND, REFUSED = 0, 3, 5, 6


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    store = tmp_path / "cli" / "store.db"
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("HELPDESK_INTAKE_STORE", str(store))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    assert run("init")[0] == OK
    return run


def add(cli, email="zeb.q@example.org", name="Zebulon Quartermaine", *extra: str) -> int:
    phone = "+44 20 7946 0123" if email.startswith("zeb") else "+44 20 7946 0999"
    code, out, err = cli("add", "--name", name, "--email", email, "--phone", phone,
                         "--category", "bounce", "--description", "Bounces via xyzzyplugh", *extra)
    assert code == OK, err
    return int(out.strip())


def test_open_list_verify_extend_complete(cli):
    case_id = add(cli)
    code, out, err = cli("request", "open", "--type", "access", "--email", "Zeb.Q@example.org",
                         "--received-at", "2020-01-02T10:00:00Z", "--channel", "email")
    assert code == OK
    ref = out.strip()
    assert ref.startswith("DSR-") and len(ref) == len("DSR-2026-0001")
    assert str(case_id) in err  # the proposed case is named for staff to confirm
    code, out, _ = cli("request", "open", "--type", "erasure", "--email", "other@example.org")
    fresh = out.strip()

    code, out, _ = cli("request", "list", "--json")
    items = {i["ref"]: i for i in json.loads(out)}
    assert items[ref]["type"] == "access" and items[ref]["status"] == "received"
    assert items[ref]["received_at"].startswith("2020-01-02") and items[ref]["due"].startswith("2020-02-01")
    assert items[ref]["overdue"] is True and items[ref]["days_left"] < 0 and items[ref]["verified"] is False
    assert items[fresh]["overdue"] is False and items[fresh]["days_left"] == 30
    for key in ("ref", "type", "status", "received_at", "due", "days_left", "overdue", "verified"):
        assert key in items[ref]

    code, out, _ = cli("request", "list", "--overdue", "--json")
    assert [i["ref"] for i in json.loads(out)] == [ref]
    code, out, _ = cli("request", "list")
    assert ref in out and "OVERDUE" in out

    assert cli("request", "confirm", ref, str(case_id))[0] == OK
    code, out, _ = cli("request", "verify", ref, "--method", "callback_number", "--by", "Sam")
    assert code == OK and "verified" in out
    # too late to extend this one (its first deadline passed in 2020); the fresh one can, once
    assert cli("request", "extend", ref, "--reason", "complex")[0] == REFUSED
    assert cli("request", "extend", fresh, "--reason", "Many cases to collect")[0] == OK
    assert cli("request", "extend", fresh, "--reason", "again")[0] == REFUSED

    assert cli("request", "complete", ref, "--outcome", "Report sent")[0] == OK
    code, out, _ = cli("request", "show", ref, "--json")
    shown = json.loads(out)
    assert shown["status"] == "completed" and shown["days_left"] is None and shown["overdue"] is False
    assert shown["verification_method"] == "callback_number" and shown["verified_by"] == "Sam"
    assert shown["confirmed_cases"] == [case_id] and shown["outcome"] == "Report sent"
    code, out, _ = cli("request", "list", "--json")
    assert {i["ref"]: i for i in json.loads(out)}[ref]["days_left"] is None


def test_exit_statuses_for_bad_input_and_unknown_refs(cli):
    assert cli("request", "open", "--type", "access", "--email", "not-an-email")[0] == INVALID
    assert cli("request", "open", "--type", "access", "--email", "a@example.org",
               "--received-at", "yesterday")[0] == INVALID
    assert cli("request", "open", "--type", "access", "--email", "a@example.org",
               "--received-at", "2999-01-01")[0] == INVALID
    code, out, _ = cli("request", "list", "--json")
    assert json.loads(out) == []  # bad input wrote nothing
    assert cli("request", "show", "DSR-2026-9999")[0] == NOT_FOUND
    assert cli("request", "verify", "DSR-2026-9999", "--method", "in_person_id")[0] == NOT_FOUND
    code, out, _ = cli("request", "open", "--type", "access", "--email", "a@example.org")
    ref = out.strip()
    assert cli("request", "verify", ref, "--method", "telepathy")[0] == INVALID
    assert cli("request", "refuse", ref, "--reason", " ")[0] == INVALID
    assert cli("request", "complete", ref)[0] == REFUSED  # identity not verified
    assert cli("request", "refuse", ref, "--reason", "Could not verify identity")[0] == OK
    assert cli("restrict", "--email", "nobody@example.org")[0] == NOT_FOUND
    assert cli("object", "--email", "nobody@example.org", "--to", "marketing")[0] == NOT_FOUND


def test_erase_needs_yes_and_verified_identity_then_removes_the_person(cli):
    add(cli)
    add(cli)
    bob = add(cli, "bob@example.net", "Bob Nobody")
    code, _, err = cli("erase", "--email", "zeb.q@example.org")
    assert code == REFUSED and "--yes" in err
    code, _, err = cli("erase", "--email", "nobody@example.org", "--yes")
    assert code == NOT_FOUND

    # no erasure request yet: one is opened (it has been received) and nothing is erased
    code, _, err = cli("erase", "--email", "zeb.q@example.org", "--yes")
    assert code == REFUSED and "opened erasure request DSR-" in err
    ref = err.split("opened erasure request ")[1].split(";")[0]
    code, _, err = cli("erase", "--email", "zeb.q@example.org", "--yes")
    assert code == REFUSED and "not been verified" in err and ref in err
    code, out, _ = cli("cases", "--search", "Quartermaine", "--json")
    assert len(json.loads(out)) == 2

    assert cli("request", "verify", ref, "--method", "reply_from_address")[0] == OK
    code, out, err = cli("erase", "--email", "zeb.q@example.org", "--yes")
    assert code == OK, err
    assert f"{ref}: erased 2 case(s) and the person's record" in out
    assert "tell these recipients (Art. 19): Email service providers\n" in out  # no marketing consent: not MailChimp
    for term in ("Quartermaine", "zeb", "xyzzyplugh", "02079460123"):
        code, out, _ = cli("cases", "--search", term, "--json")
        assert [c["id"] for c in json.loads(out)] == ([bob] if term == "xyzzyplugh" else [])
    code, out, _ = cli("request", "show", ref, "--json")
    shown = json.loads(out)
    assert shown["status"] == "completed" and shown["email"] is None and shown["phone"] is None
    assert shown["subject_ref"]
    # Art. 19: the recipient told is marked on the request, with the date
    code, out, _ = cli("request", "show", ref)
    assert "Email service providers (not told yet)" in out
    code, _, err = cli("request", "told", ref, "MailChimp")
    assert code == REFUSED and "not on the list" in err
    assert cli("request", "told", ref, "Email service providers")[0] == OK
    code, out, _ = cli("request", "show", ref, "--json")
    assert list(json.loads(out)["details"]["told"]) == ["Email service providers"]
    code, out, _ = cli("request", "show", ref)
    assert "Email service providers (told 20" in out
    assert cli("request", "told", ref, "Email service providers", "--undo")[0] == OK
    code, out, _ = cli("request", "show", ref, "--json")
    assert json.loads(out)["details"]["told"] == {}


def test_erase_reports_what_a_legal_hold_kept(cli, tmp_path):
    from desktop.app import open_services
    from desktop.store.keys import Key

    held = add(cli)
    code, out, _ = cli("request", "open", "--type", "erasure", "--email", "zeb.q@example.org")
    ref = out.strip()
    cli("request", "verify", ref, "--method", "in_person_id")
    services = open_services(tmp_path / "cli" / "store.db", Key.passphrase(PASSPHRASE))
    try:
        services.ctx.cases.update(held, legal_hold_reason="Litigation", legal_hold_by="lead")
    finally:
        services.close()
    code, out, err = cli("erase", "--email", "zeb.q@example.org", "--yes")
    assert code == REFUSED
    assert f"kept under a legal hold: case(s) {held}" in out and "legal hold" in err
    code, out, _ = cli("show", str(held), "--json")
    assert json.loads(out)["name"] == "Zebulon Quartermaine"


def test_restrict_object_and_lift(cli):
    case_id = add(cli, "zeb.q@example.org", "Zebulon Quartermaine", "--marketing-consent")
    code, out, _ = cli("restrict", "--email", "zeb.q@example.org", "--reason", "Accuracy contested")
    assert code == OK and "restricted processing" in out and "Art. 19" in out
    code, out, _ = cli("cases", "--json")
    assert json.loads(out)[0]["restricted"] is True
    code, _, err = cli("add", "--name", "Z", "--email", "zeb.q@example.org", "--category", "bounce",
                       "--description", "another")
    assert code == REFUSED and "restricted" in err
    assert cli("restrict", "--email", "zeb.q@example.org")[0] == REFUSED  # already restricted
    code, out, _ = cli("restrict", "--email", "zeb.q@example.org", "--lift")
    assert code == OK and "lifted" in out
    assert cli("restrict", "--email", "zeb.q@example.org", "--lift")[0] == REFUSED

    code, out, _ = cli("object", "--email", "zeb.q@example.org", "--to", "marketing")
    assert code == OK and "1 marketing consent(s) withdrawn" in out and "MailChimp" in out
    code, out, _ = cli("show", str(case_id), "--json")
    marketing = [c for c in json.loads(out)["consents"] if c["kind"] == "marketing"]
    assert marketing and marketing[0]["withdrawn_at"]
    code, _, err = cli("add", "--name", "Z", "--email", "zeb.q@example.org", "--category", "bounce",
                       "--description", "again", "--marketing-consent")
    assert code == REFUSED and "objected to marketing" in err
    assert cli("object", "--email", "zeb.q@example.org", "--to", "other")[0] == INVALID
    assert cli("object", "--email", "zeb.q@example.org", "--to", "other", "--reason", "Profiling")[0] == OK


def test_rectify_through_the_request(cli):
    case_id = add(cli)
    code, out, _ = cli("request", "open", "--type", "rectification", "--email", "zeb.q@example.org")
    ref = out.strip()
    assert cli("request", "rectify", ref, str(case_id), "--set", "name=Zebulon Q. Quartermaine")[0] == REFUSED
    cli("request", "verify", ref, "--method", "reply_from_address")
    assert cli("request", "rectify", ref, str(case_id), "--set", "phone=not a phone")[0] == INVALID
    assert cli("request", "rectify", ref, str(case_id), "--set", "nonsense")[0] == INVALID
    code, out, _ = cli("request", "rectify", ref, str(case_id), "--set", "name=Zebulon Q. Quartermaine")
    assert code == OK and "corrected (name)" in out and "Art. 19" in out
    code, out, _ = cli("show", str(case_id), "--json")
    shown = json.loads(out)
    assert shown["name"] == "Zebulon Q. Quartermaine"
    assert shown["changes"][0]["request"] == ref and shown["changes"][0]["old"] == "Zebulon Quartermaine"
