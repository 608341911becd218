"""Phone numbers at the command line (issue 14): a number of full national length in no known
range is kept with a warning, a local-only or short one is refused, and every machine-readable
output (cases --json, show --json, export, import) keeps E.164."""

from __future__ import annotations

import json
import zipfile

import pytest

from desktop.cli import main

PASS = "cli phone passphrase"
INVALID = 3


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    assert main(["--store", str(path), "init"]) == 0
    return path


def run(capsys, store, *argv):
    capsys.readouterr()
    code = main(["--store", str(store), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def add(capsys, store, phone, email="mo@example.org"):
    return run(capsys, store, "add", "--name", "Mo Possible", "--email", email, "--phone", phone,
               "--category", "bounce", "--description", "Bounces")


@pytest.mark.parametrize("typed, e164", [("07911 654321", "+447911654321"), ("07700 900123", "+447700900123")])
def test_a_possible_but_unlisted_number_is_kept_with_a_warning(store, capsys, typed, e164):
    code, out, err = add(capsys, store, typed)
    assert code == 0 and out.strip() == "1"
    assert err.startswith("warning: phone number kept") and "check this number with the person" in err
    assert len(err.strip().splitlines()) == 1
    _, out, _ = run(capsys, store, "cases", "--json")
    assert json.loads(out)[0]["phone"] == e164
    _, out, _ = run(capsys, store, "show", "1", "--json")
    assert json.loads(out)["phone"] == e164


@pytest.mark.parametrize("typed", ["12345", "7946 0018", "0791"])
def test_a_local_only_or_short_number_is_refused_and_nothing_written(store, capsys, typed):
    code, out, err = add(capsys, store, typed)
    assert code == INVALID and out == "" and "phone" in err and "Traceback" not in err
    _, out, _ = run(capsys, store, "cases", "--json")
    assert json.loads(out) == []


def test_a_valid_number_has_no_warning(store, capsys):
    code, _, err = add(capsys, store, "020 7946 0018")
    assert code == 0 and err == ""


def test_import_and_export_keep_e164(store, capsys, tmp_path):
    path = tmp_path / "web.csv"
    path.write_text("name,email,phone,category,description\n"
                    "Mo Possible,mo@example.org,07911 654321,bounce,bounces\n"
                    "Short Number,short@example.org,12345,bounce,bounces\n", encoding="utf-8")
    code, out, err = run(capsys, store, "import", str(path))
    assert code == INVALID and "imported 1 of 2" in out and "line 3" in err and "phone" in err
    _, out, _ = run(capsys, store, "cases", "--json")
    assert [c["phone"] for c in json.loads(out)] == ["+447911654321"]
    _, out, _ = run(capsys, store, "request", "open", "--type", "portability", "--email", "mo@example.org")
    ref = out.split()[0]
    assert run(capsys, store, "request", "verify", ref, "--method", "reply_from_address")[0] == 0
    zip_path = tmp_path / "e.zip"
    assert run(capsys, store, "export", "--email", "mo@example.org", "--out", str(zip_path))[0] == 0
    with zipfile.ZipFile(zip_path) as z:
        data = z.read("data.json").decode("utf-8")
        csv_names = [n for n in z.namelist() if n.endswith(".csv")]
        csv_text = "".join(z.read(n).decode("utf-8") for n in csv_names)
    assert "+447911654321" in data and "07911 654321" not in data
    assert "447911654321" in csv_text  # CSV cells starting with + are prefixed against formula injection
