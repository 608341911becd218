"""The backup's copy and check (store/backup_copy.py): a snapshot of the store's file keyed from the
open connection, checked by page HMACs, never derived from the passphrase again; a copy that
fails the check never appears."""

from __future__ import annotations

import stat

import pytest
import sqlcipher3

from desktop.errors import StoreDamaged, WrongKeyError
from desktop.services.backup_service import BackupService
from desktop.store import backup_copy
from desktop.store.backups import inspect_backup, make_backup
from desktop.store.connection import connect
from desktop.store.keys import Key
from desktop.store.schema import LATEST
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case

KEY = Key.passphrase(PASSPHRASE)


@pytest.fixture
def no_new_connections(monkeypatch):
    """Counts sqlcipher3 connections opened (each one would derive the passphrase again)."""
    opened = []
    real = sqlcipher3.connect

    def counting(*args, **kwargs):
        opened.append(args[0] if args else kwargs.get("database"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlcipher3, "connect", counting)
    return opened


def _emails(path, key=KEY):
    with Vault.open(path, key, migrate=False) as v:
        return sorted(r[0] for r in v.read("SELECT email FROM cases"))


def test_backup_holds_writes_still_in_the_wal_opens_with_the_passphrase_and_derives_no_key(
        services, store_path, tmp_path, no_new_connections):
    add_case(services, email="one@example.org")
    other = sqlcipher3.connect(str(store_path), isolation_level=None)
    other.execute(f"PRAGMA key = {KEY.pragma_value()}")
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("INSERT INTO meta(key, value) VALUES ('from-the-other-process', 'x')")  # committed, in the WAL
    assert (store_path.with_name(store_path.name + "-wal")).stat().st_size > 0
    no_new_connections.clear()

    target = tmp_path / "snap.bak"
    info = BackupService(services.ctx).backup(target)

    assert no_new_connections == []  # keyed from the open connection: the passphrase was not derived again
    other.close()
    assert info.path == target and info.schema_version == LATEST
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.bak", "store"]  # no part file, no journal
    ro = connect(target, KEY, read_only=True)
    assert ro.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    ro.close()
    checked = inspect_backup(target, KEY)  # full check, as restore runs it, with the passphrase
    assert checked.schema_version == LATEST and checked.audit_entries == info.audit_entries
    assert _emails(target) == ["one@example.org"]
    with Vault.open(target, KEY, migrate=False) as copy:
        assert copy.read("SELECT value FROM meta WHERE key = 'from-the-other-process'") == [("x",)]
    with pytest.raises(WrongKeyError):
        inspect_backup(target, Key.passphrase("not the passphrase"))


def test_while_another_process_writes_the_copy_is_made_by_vacuum_into_without_its_write(
        services, store_path, tmp_path, no_new_connections):
    add_case(services, email="one@example.org")
    other = sqlcipher3.connect(str(store_path), isolation_level=None)
    other.execute(f"PRAGMA key = {KEY.pragma_value()}")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta(key, value) VALUES ('half-written', 'x')")
    no_new_connections.clear()
    target = tmp_path / "busy.bak"
    try:
        info = make_backup(services.vault, target)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert no_new_connections == []
    assert info.schema_version == LATEST
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert inspect_backup(target, KEY).schema_version == LATEST
    with Vault.open(target, KEY, migrate=False) as copy:
        assert copy.read("SELECT value FROM meta WHERE key = 'half-written'") == []
    assert _emails(target) == ["one@example.org"]


def test_a_copy_damaged_on_its_way_to_disk_is_refused_and_removed(services, tmp_path, monkeypatch):
    add_case(services, email="one@example.org")
    real = backup_copy._copy_bytes
    # a page of the cases table (not of the schema, which attaching reads first)
    page = services.vault.read("SELECT rootpage FROM sqlite_master WHERE name = 'cases'")[0][0]

    def damaging(src, target):
        real(src, target)
        with open(target, "r+b") as fh:
            fh.seek((page - 1) * 4096 + 1000)
            fh.write(bytes(b ^ 0xA5 for b in fh.read(64)))

    monkeypatch.setattr(backup_copy, "_copy_bytes", damaging)
    target = tmp_path / "bad.bak"
    with pytest.raises(StoreDamaged, match="page check"):
        BackupService(services.ctx).backup(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # nothing under its name, no part file
    assert not services.audit.entries(action="store.backup")
    # the store itself is untouched and the next backup works
    assert services.vault.integrity_problems() == []
    monkeypatch.setattr(backup_copy, "_copy_bytes", real)
    assert BackupService(services.ctx).backup(target).path == target
    assert _emails(target) == ["one@example.org"]


def test_a_copy_that_is_not_this_store_is_refused_and_removed(services, tmp_path, monkeypatch):
    stranger = tmp_path / "other" / "x.db"
    Vault.create(stranger, Key.passphrase("someone else's passphrase")).close()

    real = backup_copy._copy_bytes
    monkeypatch.setattr(backup_copy, "_copy_bytes", lambda src, target: real(stranger, target))
    target = tmp_path / "foreign.bak"
    with pytest.raises((StoreDamaged, WrongKeyError)):
        make_backup(services.vault, target)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".foreign.bak")]
