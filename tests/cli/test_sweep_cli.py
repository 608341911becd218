"""The retention commands as users and cron run them: import, sweep --dry-run, sweep, cases --json."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.domain.clock import SystemClock

PASSPHRASE = "cli sweep passphrase"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "cli-store.db"
    assert main(["--store", str(path), "init"]) == 0
    return path


def run(capsys, store, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["--store", str(store), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_json(capsys, store, *args: str):
    status, out, err = run(capsys, store, *args, "--json")
    assert status == 0, err
    return json.loads(out)


def write_submissions(tmp_path) -> Path:
    now = SystemClock().now()
    rows = [
        {"name": "Ancient Submitter", "email": "ancient@example.org", "category": "bounce",
         "description": "bounce from long ago", "received_at": (now - timedelta(days=5 * 365)).isoformat()},
        {"name": "Recent Submitter", "email": "recent@example.org", "phone": "+44 20 7946 0123",
         "category": "spam_folder", "description": "lands in spam", "received_at": (now - timedelta(days=3)).isoformat()},
        {"name": "Fresh Submitter", "email": "fresh@example.org", "category": "smtp_auth",
         "description": "auth fails", "received_at": (now - timedelta(days=1)).isoformat()},
    ]
    path = tmp_path / "submissions.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_import_dry_run_sweep_then_cases_show_next_removal(store, tmp_path, capsys):
    status, out, err = run(capsys, store, "import", str(write_submissions(tmp_path)))
    assert status == 0, err
    cases = run_json(capsys, store, "cases")
    ids = {c["email"]: c["id"] for c in cases}

    status, out, _ = run(capsys, store, "sweep", "--dry-run", "--as-of", "2030-01-01")
    assert status == 0
    assert out.startswith("dry run as of 2030-01-01: ")
    for cid in ids.values():  # by 2030 every open case has been idle for two years
        line = next(line for line in out.splitlines() if line.startswith(f"case:{cid} "))
        assert "case deleted" in line and "policy inactive-open-case" in line and "why: " in line
    assert len(run_json(capsys, store, "cases")) == 3  # the dry run changed nothing

    planned = run_json(capsys, store, "sweep", "--dry-run")["actions"]
    assert [(a["kind"], a["id"]) for a in planned] == [("case", ids["ancient@example.org"]),
                                                       ("subject", 1)]
    done = run_json(capsys, store, "sweep")
    assert done["done"] == planned and done["skipped"] == []

    remaining = run_json(capsys, store, "cases")
    assert sorted(c["email"] for c in remaining) == ["fresh@example.org", "recent@example.org"]
    for case in remaining:
        assert case["next_removal"] is not None and case["next_removal"].endswith("T00:00:00+00:00")
        assert case["next_removal_policy"] == "inactive-open-case"
    status, out, _ = run(capsys, store, "sweep")
    assert status == 0 and "0 case(s)" in out


def test_hold_flag_child_and_policies(store, tmp_path, capsys):
    run(capsys, store, "import", str(write_submissions(tmp_path)))
    ids = {c["email"]: c["id"] for c in run_json(capsys, store, "cases")}
    ancient, fresh = ids["ancient@example.org"], ids["fresh@example.org"]

    status, out, _ = run(capsys, store, "hold", "set", "--case", str(ancient), "--reason", "tax audit")
    assert status == 0 and "legal hold set on case" in out
    status, out, _ = run(capsys, store, "hold", "set", "--email", "Fresh@Example.org", "--reason", "dispute")
    assert status == 0 and "data subject" in out
    status, out, _ = run(capsys, store, "flag-child", str(fresh))
    assert status == 0 and "on legal hold" in out
    listed = {c["id"]: c for c in run_json(capsys, store, "cases")}
    assert listed[ancient]["legal_hold"] and listed[ancient]["next_removal"] is None
    planned = run_json(capsys, store, "sweep", "--dry-run", "--as-of", "2099-01-01")["actions"]
    assert [a["id"] for a in planned if a["kind"] == "case"] == [ids["recent@example.org"]]

    status, out, _ = run(capsys, store, "hold", "lift", "--email", "fresh@example.org")
    assert status == 0 and "lifted" in out
    done = run_json(capsys, store, "sweep")["done"]
    assert [(a["id"], a["policy"]) for a in done if a["kind"] == "case"] == [(fresh, "child-record")]

    policies = run_json(capsys, store, "policies")["policies"]
    assert [p["id"] for p in policies][:3] == ["closed-case", "inactive-open-case", "phone-after-close"]
    policies[1]["period"] = 3650
    new = tmp_path / "policies.json"
    new.write_text(json.dumps({"policies": policies}), encoding="utf-8")
    status, out, _ = run(capsys, store, "policies", "--load", str(new))
    assert status == 0 and "replaced" in out
    recent = next(c for c in run_json(capsys, store, "cases") if c["email"] == "recent@example.org")
    received = date.fromisoformat(recent["received_at"][:10])
    assert recent["next_removal"] == (received + timedelta(days=3650)).isoformat() + "T00:00:00+00:00"


@pytest.mark.parametrize("args, status, message", [
    (["hold", "set", "--case", "1"], 2, "needs --reason"),
    (["hold", "set", "--case", "999", "--reason", "x"], 5, "not found"),
    (["hold", "lift", "--email", "nobody@example.org"], 5, "no data subject"),
    (["flag-child", "999"], 5, "not found"),
    (["sweep", "--as-of", "2190-01-01"], 6, "--dry-run"),  # the future, inside the accepted range
    (["sweep", "--dry-run", "--as-of", "soon"], 3, "not an ISO 8601 date"),
])
def test_errors_are_one_line_with_the_documented_status(store, capsys, args, status, message):
    got, out, err = run(capsys, store, *args)
    assert got == status
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_policy_file_is_refused_and_nothing_changes(store, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"policies": [{"id": "x", "label": "x", "category": "case", "period": 1,
                                             "trigger": "case_closed", "action": "shred", "reason": "r"}]}))
    status, _, err = run(capsys, store, "policies", "--load", str(bad))
    assert status == 3 and "invalid retention policies" in err
    assert len(run_json(capsys, store, "policies")["policies"]) == 8  # the seven of DOMAIN.md and the stored-diagnosis policy (issue 16)


def test_installed_command_runs_a_scheduled_sweep(store, tmp_path):
    exe = ROOT / ".venv" / "bin" / "helpdesk-intake"
    if not exe.exists():
        pytest.skip("the console script is not installed in .venv")
    env = dict(os.environ, HELPDESK_INTAKE_PASSPHRASE=PASSPHRASE, HELPDESK_INTAKE_STORE=str(store))
    subprocess.run([str(exe), "import", str(write_submissions(tmp_path))], env=env, check=True,
                   capture_output=True, timeout=120)
    dry = subprocess.run([str(exe), "sweep", "--dry-run", "--as-of", "2030-01-01"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("case deleted") == 3
    real = subprocess.run([str(exe), "sweep"], env=env, capture_output=True, text=True, timeout=120)
    assert real.returncode == 0, real.stderr
    assert "1 case(s) deleted or anonymised" in real.stdout
    listed = subprocess.run([str(exe), "cases", "--json"], env=env, capture_output=True, text=True, timeout=120)
    cases = json.loads(listed.stdout)
    assert len(cases) == 2 and all(c["next_removal"] and c["next_removal_policy"] for c in cases)
