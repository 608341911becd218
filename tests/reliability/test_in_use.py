"""Issue 13 item 1: restore and rekey refuse (status 6, naming the cause) while another process has
the store open, e.g. an import validating its rows before it writes (WAL: no SQLite lock then)."""

from __future__ import annotations

import pytest

from desktop.app import create_services
from desktop.services.backup_service import BackupService
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.reliability.util import cli, finish, hold, submissions_csv

KEY = Key.passphrase(PASSPHRASE)


@pytest.fixture
def store_with_backup(tmp_path, clock):
    store = tmp_path / "store" / "helpdesk.db"
    services = create_services(store, KEY, clock=clock)
    add_case(services, email="kept@example.org")
    backup = tmp_path / "b.bak"
    BackupService(services.ctx).backup(backup)
    services.close()
    return store, backup


def case_count(store) -> int:
    with Vault.open(store, KEY) as v:
        return v.read("SELECT count(*) FROM cases")[0][0]


def test_restore_refuses_while_another_process_imports(tmp_path, store_with_backup):
    store, backup = store_with_backup
    rows = submissions_csv(tmp_path / "rows.csv", 300)
    importer = hold(tmp_path, store, str(rows))  # open, between transactions, about to import
    try:
        result = cli(tmp_path, "--store", str(store), "restore", str(backup))
        assert result.returncode == 6, result.stderr
        assert "open in another helpdesk-intake window or process" in result.stderr
        assert "nothing was changed" in result.stderr
        assert not [p for p in store.parent.iterdir() if ".replaced-" in p.name]
    finally:
        out = finish(importer)
    assert "imported 300" in out
    assert case_count(store) == 301  # the import went into the live store, nothing was set aside


def test_rekey_refuses_while_another_process_has_the_store_open(tmp_path, store_with_backup):
    store, _ = store_with_backup
    holder = hold(tmp_path, store)
    try:
        result = cli(tmp_path, "--store", str(store), "rekey", "--to-passphrase",
                     HELPDESK_INTAKE_NEW_PASSPHRASE="another good passphrase 2")
        assert result.returncode == 6, result.stderr
        assert "open in another helpdesk-intake window or process" in result.stderr
    finally:
        finish(holder)
    assert case_count(store) == 1  # still opens with the old passphrase


def test_restore_goes_ahead_once_the_other_process_closed_the_store(tmp_path, store_with_backup):
    store, backup = store_with_backup
    finish(hold(tmp_path, store))
    result = cli(tmp_path, "--store", str(store), "restore", str(backup))
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_restore_during_a_real_cli_import_never_loses_imported_rows(tmp_path, store_with_backup):
    """The attack: `import` of 20,000 rows, `restore` started while it runs, 5 times."""
    import subprocess
    import sys
    import time

    from tests.reliability.util import ROOT, child_env

    store, backup = store_with_backup
    rows = submissions_csv(tmp_path / "rows.csv", 20000)
    for run in range(5):
        before = case_count(store)
        importer = subprocess.Popen([sys.executable, "-m", "desktop", "--store", str(store), "import", str(rows)],
                                    cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=child_env(tmp_path))
        time.sleep(0.8 + run * 0.5)
        still_running = importer.poll() is None
        result = cli(tmp_path, "--store", str(store), "restore", str(backup))
        out, err = importer.communicate(timeout=600)
        assert importer.returncode in (0, 3), err  # 3: rows of people already in the store
        if still_running:
            assert result.returncode == 6, (run, result.stdout, result.stderr)
            assert case_count(store) == before + 20000
        for p in store.parent.iterdir():  # start the next run from the backup again
            if ".replaced-" in p.name:
                p.unlink()
        if result.returncode == 6:
            assert cli(tmp_path, "--store", str(store), "restore", str(backup)).returncode == 0
