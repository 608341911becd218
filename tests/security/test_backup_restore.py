"""backup while the store is open and being written; restore verifies before it replaces anything."""

from __future__ import annotations

import pytest
import sqlcipher3

from desktop.app import open_services
from desktop.errors import StoreBusy, StoreDamaged, WrongKeyError
from desktop.services.backup_service import BackupService, restore
from desktop.store.backups import inspect_backup, latest_backup, make_backup
from desktop.store.keys import Key
from desktop.store.schema import LATEST
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.security.helpers import digest, flip_middle, run_cli, siblings

KEY = Key.passphrase(PASSPHRASE)


def _case_ids(path, key=KEY):
    with Vault.open(path, key) as v:
        return [r[0] for r in v.read("SELECT id FROM cases ORDER BY id")]


def test_backup_is_consistent_while_another_connection_writes(services, store_path, tmp_path):
    first = add_case(services, email="one@example.org")
    other = sqlcipher3.connect(str(store_path), isolation_level=None)
    other.execute(f"PRAGMA key = {KEY.pragma_value()}")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta(key, value) VALUES ('half-written', 'x')")  # uncommitted
    target = tmp_path / "b1.bak"
    info = make_backup(services.vault, target)  # while the other connection's write is open
    other.execute("COMMIT")
    BackupService(services.ctx).backup(tmp_path / "b2.bak")
    second = add_case(services, email="two@example.org")
    other.close()

    assert info.schema_version == LATEST != 0
    with Vault.open(target, KEY) as copy:
        assert copy.user_version() == LATEST  # sqlcipher_export would have lost it
        assert copy.integrity_problems() == []
        assert [r[0] for r in copy.read("SELECT id FROM cases")] == [first]
        assert copy.read("SELECT value FROM meta WHERE key='half-written'") == []
    assert _case_ids(store_path) == [first, second]
    assert services.audit.entries(action="store.backup")


def test_backup_refuses_to_overwrite(services, tmp_path, capsys, monkeypatch):
    target = tmp_path / "exists.bak"
    target.write_text("keep me")
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    status, _, err = run_cli(capsys, "backup", "--store", str(services.vault.path), "--out", str(target))
    assert status == 6 and "already exists" in err
    assert target.read_text() == "keep me"


@pytest.fixture
def with_backup(services, store_path, tmp_path, monkeypatch):
    first = add_case(services, email="before@example.org")
    backup = tmp_path / "good.bak"
    BackupService(services.ctx).backup(backup)
    later = add_case(services, email="after@example.org")
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    return backup, first, later


def test_restore_replaces_store_and_keeps_old_one_aside(with_backup, store_path, capsys):
    backup, first, later = with_backup
    status, out, err = run_cli(capsys, "restore", "--store", str(store_path), str(backup))
    assert status == 0, err
    assert _case_ids(store_path) == [first]
    aside = [n for n in siblings(store_path) if ".replaced-" in n]
    assert len(aside) == 1 and aside[0] in out
    assert _case_ids(store_path.parent / aside[0]) == [first, later]  # the old store, intact
    with Vault.open(store_path, KEY) as v:
        assert v.user_version() == LATEST
        assert v.read("SELECT count(*) FROM audit WHERE action='store.restore'")[0][0] == 1
    status, out, _ = run_cli(capsys, "audit", "verify", "--store", str(store_path))
    assert status == 0 and "intact" in out


def test_restore_refuses_corrupted_backup_and_changes_nothing(with_backup, store_path, capsys):
    backup, first, later = with_backup
    flip_middle(backup)
    before, names = digest(store_path), siblings(store_path)
    status, _, err = run_cli(capsys, "restore", "--store", str(store_path), str(backup))
    assert status == 7 and "damaged" in err and "nothing was changed" in err
    assert digest(store_path) == before and siblings(store_path) == names
    assert _case_ids(store_path) == [first, later]


@pytest.mark.parametrize("content", [b"hello, not a store\n" * 500, b"SQLite format 3\x00" + b"\x00" * 8000])
def test_restore_refuses_foreign_file(with_backup, store_path, tmp_path, capsys, content):
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(content)
    before, names = digest(store_path), siblings(store_path)
    status, _, err = run_cli(capsys, "restore", "--store", str(store_path), str(foreign))
    assert status == 4 and "not a helpdesk-intake backup" in err
    assert digest(store_path) == before and siblings(store_path) == names


def test_restore_refuses_backup_under_another_key(with_backup, store_path, tmp_path):
    other = tmp_path / "other" / "s.db"
    Vault.create(other, Key.passphrase("another passphrase")).close()
    with pytest.raises(WrongKeyError):
        inspect_backup(other, KEY)


def test_restore_refuses_while_store_is_open_elsewhere(with_backup, store_path, clock):
    backup, first, later = with_backup
    holder = Vault.open(store_path, KEY)
    try:
        before = siblings(store_path)
        with pytest.raises(StoreBusy):
            restore(store_path, backup, KEY, clock=clock, staff="tester", open_services=open_services)
        assert siblings(store_path) == before
    finally:
        holder.close()
    assert _case_ids(store_path) == [first, later]


def test_restore_into_missing_store(with_backup, store_path, clock):
    backup, first, _ = with_backup
    store_path.unlink()
    result = restore(store_path, backup, KEY, clock=clock, staff="tester", open_services=open_services)
    assert result.aside is None and _case_ids(store_path) == [first]


def test_damaged_store_names_latest_backup_and_is_left_alone(services, store_path, capsys, monkeypatch):
    for i in range(30):
        add_case(services, email=f"u{i}@example.org", description="z" * 3000)
    backup = store_path.with_name(store_path.name + ".backup-1.bak")
    BackupService(services.ctx).backup(backup)
    services.close()
    flip_middle(store_path)
    before = digest(store_path)
    assert latest_backup(store_path) == backup
    with pytest.raises(StoreDamaged) as err:
        open_services(store_path, KEY)
    assert str(backup) in str(err.value)
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    status, _, stderr = run_cli(capsys, "check", "--store", str(store_path))
    assert status == 7 and str(backup) in stderr and "Traceback" not in stderr
    assert digest(store_path) == before


def test_check_reports_clean_store(services, store_path, capsys, monkeypatch):
    add_case(services)
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    status, out, _ = run_cli(capsys, "check", "--store", str(store_path))
    assert status == 0 and "structure: ok" in out and "audit trail intact" in out
