"""The command-line contract for init, add, import, cases, show: outputs and exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop.cli import main

PASS = "cli test passphrase"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    assert main(["--store", str(path), "init"]) == 0
    return path


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_add_cases_json(store, capsys):
    capsys.readouterr()
    code, out, err = run(capsys, "--store", str(store), "add", "--name", "Zoë Łukasz", "--email", "Zoe@Example.com",
                         "--phone", "+44 20 7946 0018", "--category", "bounce", "--description", "Bounces",
                         "--received-at", "2025-06-01T08:00:00+02:00", "--marketing-consent")
    assert code == 0 and out.strip() == "1" and err == ""
    code, out, _ = run(capsys, "--store", str(store), "cases", "--json")
    items = json.loads(out)
    assert items[0]["id"] == 1 and items[0]["name"] == "Zoë Łukasz"
    assert items[0]["email"] == "zoe@example.com" and items[0]["phone"] == "+442079460018"
    assert items[0]["category"] == "bounce" and items[0]["status"] == "open"
    assert items[0]["received_at"] == "2025-06-01T06:00:00+00:00"
    code, out, _ = run(capsys, "cases", "--store", str(store), "--search", "łukasz", "--json")
    assert [c["id"] for c in json.loads(out)] == [1]
    code, out, _ = run(capsys, "--store", str(store), "show", "1", "--json")
    shown = json.loads(out)
    assert shown["description"] == "Bounces" and {c["kind"] for c in shown["consents"]} == {"privacy_notice", "marketing"}


def test_store_from_environment(store, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_STORE", str(store))
    code, out, _ = run(capsys, "cases", "--json")
    assert code == 0 and json.loads(out) == []


def test_invalid_input_exit_3_and_nothing_written(store, capsys):
    code, out, err = run(capsys, "--store", str(store), "add", "--name", "X", "--email", "nope",
                         "--category", "bounce", "--description", "d")
    assert code == 3 and "email" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "--store", str(store), "cases", "--json")
    assert json.loads(out) == []
    code, _, err = run(capsys, "--store", str(store), "add", "--name", "X", "--email", "x@example.org",
                       "--category", "bounce", "--description", "d", "--received-at", "yesterday")
    assert code == 3 and "ISO 8601" in err


def test_wrong_passphrase_exit_4(store, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", "a different passphrase")
    code, _, err = run(capsys, "--store", str(store), "cases")
    assert code == 4 and "wrong passphrase or not a helpdesk-intake store" in err
    assert "a different passphrase" not in err


def test_not_found_exit_5(store, capsys, tmp_path):
    code, _, err = run(capsys, "--store", str(store), "show", "99")
    assert code == 5 and "99" in err
    code, _, err = run(capsys, "--store", str(tmp_path / "missing.db"), "cases")
    assert code == 5 and "init" in err


def test_init_refuses_existing_file(store, capsys):
    code, _, err = run(capsys, "--store", str(store), "init")
    assert code == 6 and "not overwriting" in err


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_import_reports_line_numbers(store, capsys, tmp_path):
    path = tmp_path / "web.csv"
    path.write_text("name,email,category,description\nAda,ada@example.org,bounce,ok\nBad,bad,bounce,x\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "--store", str(store), "import", str(path))
    assert code == 3 and "imported 1 of 2" in out and "line 3" in err
    code, _, err = run(capsys, "--store", str(store), "import", str(tmp_path / "none.csv"))
    assert code == 3 and "no file" in err


def test_no_keyring_init_without_passphrase_explains(tmp_path, capsys, fail_keyring):
    code, _, err = run(capsys, "--store", str(tmp_path / "k.db"), "init")
    assert code == 4 and "keyring" in err.lower() and "HELPDESK_INTAKE_PASSPHRASE" in err
    assert not (tmp_path / "k.db").exists()


def test_keyring_init_needs_no_passphrase(tmp_path, capsys, memory_keyring):
    path = tmp_path / "k.db"
    code, out, _ = run(capsys, "--store", str(path), "init")
    assert code == 0 and "OS keyring" in out
    code, out, _ = run(capsys, "--store", str(path), "add", "--name", "A", "--email", "a@example.org",
                       "--category", "other", "--description", "d")
    assert code == 0 and out.strip() == "1"


def test_entry_points_run_as_programs(store):
    env = dict(os.environ, HELPDESK_INTAKE_PASSPHRASE=PASS)
    for cmd in ([sys.executable, "-m", "desktop"], [os.path.join(os.path.dirname(sys.executable), "helpdesk-intake")]):
        proc = subprocess.run(cmd + ["--store", str(store), "cases", "--json"], capture_output=True, text=True,
                              env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == []
    proc = subprocess.run([sys.executable, "-m", "desktop", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.stdout.startswith("helpdesk-intake ")


def test_cli_never_imports_qt(store):
    code = ("import sys; from desktop.cli import main; main(['--store', sys.argv[1], 'cases']); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'")
    env = dict(os.environ, HELPDESK_INTAKE_PASSPHRASE=PASS)
    proc = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
