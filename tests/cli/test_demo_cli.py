"""`helpdesk-intake demo --count N`: fills a fresh store, never mixes into a real one without --yes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from desktop.cli import main
from desktop.domain.validation import validate_intake
from desktop.services.demo import DemoGenerator, write_web_form_file
from desktop.store.keys import SERVICE, keyring_account

PASS = "demo test passphrase"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cases(capsys, store, *extra):
    code, out, _ = run(capsys, "--store", str(store), "cases", "--json", *extra)
    assert code == 0
    return json.loads(out)


def test_demo_creates_and_fills_a_new_store(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    store = tmp_path / "new" / "demo.db"
    code, out, err = run(capsys, "--store", str(store), "demo", "--count", "300", "--seed", "4")
    assert code == 0, err
    assert "created encrypted store" in out and "added 300 demo cases" in out
    items = cases(capsys, store)
    assert len(items) == 300
    statuses = Counter(i["status"] for i in items)
    assert statuses["closed"] > 50 and statuses["open"] > 0
    emails = Counter(i["email"] for i in items)
    assert max(emails.values()) >= 2, "some people contact the desk more than once"
    names = " ".join(i["name"] for i in items)
    assert any("\u0370" <= ch <= "\u03ff" for ch in names), "Greek names"
    assert any("\u0400" <= ch <= "\u04ff" for ch in names), "Cyrillic names"
    assert any("\u3040" <= ch <= "\u9fff" for ch in names), "Japanese names"
    months = {i["received_at"][:7] for i in items}
    assert len(months) >= 10, "received dates spread over the past year, as at a working desk"
    assert all(i["phone"] is None or i["phone"].startswith("+") for i in items)
    # the data is searchable like typed-in data
    assert cases(capsys, store, "--search", "bounce") or cases(capsys, store, "--search", "SMTP")


def test_demo_with_keyring_follows_init_rules(tmp_path, capsys, memory_keyring):
    store = tmp_path / "k.db"
    code, out, err = run(capsys, "--store", str(store), "demo", "--count", "20")
    assert code == 0, err
    assert "OS keyring" in out
    assert (SERVICE, keyring_account(store)) in memory_keyring.store
    assert len(cases(capsys, store)) == 20


def test_demo_refuses_store_with_cases_unless_yes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    store = tmp_path / "real.db"
    assert main(["--store", str(store), "init"]) == 0
    assert main(["--store", str(store), "add", "--name", "Real Person", "--email", "real@example.org",
                 "--category", "bounce", "--description", "real case"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "--store", str(store), "demo", "--count", "10")
    assert code == 6
    assert "already holds 1 case" in err and "--yes" in err and len(err.strip().splitlines()) == 1
    assert len(cases(capsys, store)) == 1, "nothing was added"
    code, out, err = run(capsys, "--store", str(store), "demo", "--count", "10", "--yes")
    assert code == 0, err
    assert len(cases(capsys, store)) == 11


def test_demo_fills_an_empty_initialised_store(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    store = tmp_path / "empty.db"
    assert main(["--store", str(store), "init"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "--store", str(store), "demo", "--count", "5")
    assert code == 0 and "created" not in out and "added 5" in out


def test_demo_bad_count_and_wrong_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    store = tmp_path / "s.db"
    code, _, err = run(capsys, "--store", str(store), "demo", "--count", "0")
    assert code == 3 and not store.exists()
    assert main(["--store", str(store), "init"]) == 0
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", "a different passphrase")
    capsys.readouterr()
    code, _, err = run(capsys, "--store", str(store), "demo", "--count", "5")
    assert code == 4 and "Traceback" not in err


def test_generator_is_deterministic_and_matches_validation():
    now = datetime(2026, 1, 10, 9, tzinfo=UTC)
    a = [c.data for c in DemoGenerator(9, now).cases(400)]
    b = [c.data for c in DemoGenerator(9, now).cases(400)]
    assert a == b
    assert a != [c.data for c in DemoGenerator(10, now).cases(400)]
    for d in a:
        v = validate_intake(
            {"name": d.name, "email": d.email, "phone": d.phone, "category": d.category.value,
             "description": d.description, "technical_details": d.technical_details,
             "channel": d.channel.value, "received_at": d.received_at, "notice_acknowledged": True,
             "not_a_child": True}, default_region="GB", now=now, notice_version="demo")
        assert (v.name, v.email, v.phone, v.description, v.technical_details, v.category) == \
            (d.name, d.email, d.phone, d.description, d.technical_details, d.category)
        assert d.received_at < now


def test_web_form_files_import_cleanly(tmp_path, services):
    now = services.ctx.now()
    for name in ("forms.csv", "forms.json"):
        path = write_web_form_file(tmp_path / name, 150, seed=2, now=now)
        report = services.importer.import_file(path)
        assert report.errors == [] and len(report.case_ids) == 150


def test_demo_is_a_desk_on_a_normal_day_not_a_backlog_the_first_sweep_removes(tmp_path, capsys, monkeypatch):
    """Issue 14: a few requests due soon, nothing overdue, and a dry-run sweep removes a handful at most."""
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    store = tmp_path / "desk.db"
    code, out, err = run(capsys, "--store", str(store), "demo", "--count", "600", "--seed", "3")
    assert code == 0, err
    assert "5 data-subject requests" in out
    code, out, err = run(capsys, "--store", str(store), "sweep", "--dry-run", "--json")
    assert code == 0, err
    actions = json.loads(out)["actions"]
    assert len(actions) <= 5, actions
    code, out, err = run(capsys, "--store", str(store), "request", "list", "--json")
    assert code == 0, err
    requests = json.loads(out)
    open_ones = [r for r in requests if r["status"] not in ("completed", "refused")]
    assert len(open_ones) == 4 and not any(r["overdue"] for r in requests)
    assert 1 <= sum(r["due_soon"] for r in requests) <= 3
    # the week ahead has a few removals coming up (phone numbers and logs of recently closed cases)
    week = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    code, out, err = run(capsys, "--store", str(store), "sweep", "--dry-run", "--json", "--as-of", week)
    assert code == 0, err
    coming = json.loads(out)["actions"]
    assert 1 <= len(coming) <= 60 and all(a["action"] in ("remove_field", "anonymise") for a in coming), coming
