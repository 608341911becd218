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
