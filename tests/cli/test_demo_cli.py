"""`helpdesk-intake demo --count N`: fills a fresh store, never mixes into a real one without --yes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

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
    years = {i["received_at"][:4] for i in items}
    assert len(years) >= 3, "received dates spread over about three years"
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
