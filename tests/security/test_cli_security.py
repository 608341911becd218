"""CLI: audit verify exit statuses, audit list filters, core dumps off."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.security.helpers import run_cli


@pytest.fixture
def cli_store(services, store_path, monkeypatch):
    services.ctx.audit("store.create", "store", "key=passphrase")
    ids = [add_case(services, email=f"c{i}@example.org") for i in range(2)]
    services.cases.detail(ids[0])
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    return store_path, ids


def test_audit_verify_intact_exit_0(cli_store, capsys):
    path, _ = cli_store
    status, out, _ = run_cli(capsys, "audit", "verify", "--store", str(path))
    assert status == 0 and out.startswith("audit trail intact: 5 entries")  # 4 + this unlock


@pytest.mark.parametrize("statement, first_broken", [
    ("UPDATE audit SET detail = 'x' WHERE id = 2", 2),
    ("DELETE FROM audit WHERE id = 3", 4),
    # cut from the end: this command's own unlock entry is numbered after the gap (id 5)
    ("DELETE FROM audit WHERE id >= 3", 5),
])
def test_audit_verify_names_first_broken_entry_exit_7(cli_store, capsys, statement, first_broken):
    from desktop.store.keys import Key
    from desktop.store.vault import Vault

    path, _ = cli_store
    with Vault.open(path, Key.passphrase(PASSPHRASE)) as v:
        v.conn.execute(statement)
    status, out, err = run_cli(capsys, "audit", "verify", "--store", str(path))
    assert status == 7
    assert f"broken at entry {first_broken}:" in err and "Traceback" not in err
    if first_broken == 5:
        assert "entries 3-4" in err and "missing" in err
    status, out, _ = run_cli(capsys, "audit", "verify", "--json", "--store", str(path))
    assert status == 7 and json.loads(out)["broken_entry"] == first_broken


def test_audit_list_filters(cli_store, capsys):
    path, ids = cli_store
    status, out, _ = run_cli(capsys, "audit", "list", "--json", "--case", str(ids[0]), "--store", str(path))
    assert status == 0
    assert [e["action"] for e in json.loads(out)] == ["case.view", "case.create"]
    status, out, _ = run_cli(capsys, "audit", "list", "--json", "--action", "case.create", "--store", str(path))
    assert len(json.loads(out)) == 2
    status, out, _ = run_cli(capsys, "audit", "list", "--json", "--since", "2030-01-01", "--store", str(path))
    assert json.loads(out) == []
    status, out, _ = run_cli(capsys, "audit", "list", "--since", "yesterday", "--store", str(path))
    assert status == 3


def test_exit_7_is_documented(capsys):
    with pytest.raises(SystemExit):
        run_cli(capsys, "--help")
    assert "7  integrity failure" in capsys.readouterr().out


def test_main_disables_core_dumps(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(resource, "setrlimit", lambda what, limits: calls.append((what, limits)))
    run_cli(capsys, "audit", "verify", "--store", "/nonexistent/store.db")
    assert (resource.RLIMIT_CORE, (0, 0)) in calls


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_CORE semantics checked on Linux")
def test_core_limit_is_zero_in_a_real_process(tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard == 0:
        pytest.skip("core dumps are already forbidden by the hard limit here")
    script = ("import resource, sys; from desktop.cli import main; "
              "main(['audit', 'verify', '--store', sys.argv[1]]); "
              "print(resource.getrlimit(resource.RLIMIT_CORE))")

    def allow_cores():
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))

    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "none.db")], capture_output=True,
                          text=True, preexec_fn=allow_cores, timeout=60)
    assert done.stdout.strip().endswith("(0, 0)"), done.stderr
