"""The backup's copy and check (store/backup_copy.py): a snapshot of the store's file taken while a
read transaction pins it (writers go on), checked by its bytes (read back after writing and
compared with the store's file; that file's salt is the open store's) without decrypting its
pages, keyed from the open connection where it is read at all, never derived from the passphrase
again; a VACUUM INTO copy is checked by page HMACs; a copy that fails its check never appears."""

from __future__ import annotations

import os
import stat

import pytest
import sqlcipher3

from desktop.errors import StoreDamaged, StoreFull, WrongKeyError
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


def test_while_another_process_is_in_the_middle_of_a_write_the_backup_holds_committed_rows_only(
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
    with pytest.raises(StoreDamaged, match="read back after writing, differs from the store"):
        BackupService(services.ctx).backup(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # nothing under its name, no part file
    assert not services.audit.entries(action="store.backup")
    # the store itself is untouched and the next backup works
    assert services.vault.integrity_problems() == []
    monkeypatch.setattr(backup_copy, "_copy_bytes", real)
    assert BackupService(services.ctx).backup(target).path == target
    assert _emails(target) == ["one@example.org"]


def _traced(vault) -> list[str]:
    statements: list[str] = []
    vault.conn.set_trace_callback(statements.append)
    return statements


def test_the_snapshot_is_the_store_byte_for_byte_after_its_first_page_and_no_page_is_decrypted_to_check_it(
        services, store_path, tmp_path):
    for i in range(40):
        add_case(services, email=f"p{i}@example.org")
    statements = _traced(services.vault)
    target = tmp_path / "same.bak"
    make_backup(services.vault, target)  # no audit entry: the store's file stays as it was copied
    services.vault.conn.set_trace_callback(None)

    store, copy = store_path.read_bytes(), target.read_bytes()
    assert len(copy) == len(store) > 20 * 4096
    assert copy[:16] == store[:16]  # the salt: the same key opens it
    assert copy[4096:] == store[4096:]  # every page after the first, as encrypted in the store
    assert copy[16:4096] != store[16:4096]  # the first page says "rollback journal", re-encrypted
    assert not [s for s in statements if "integrity_check" in s]  # no page HMAC pass on the way
    assert inspect_backup(target, KEY).schema_version == LATEST  # the full check, as restore runs it


def _other(store_path):
    other = sqlcipher3.connect(str(store_path), isolation_level=None)
    other.execute(f"PRAGMA key = {KEY.pragma_value()}")
    other.execute("PRAGMA busy_timeout = 0")
    return other


def test_the_vacuum_into_copy_is_still_checked_page_by_page(services, store_path, tmp_path):
    add_case(services, email="one@example.org")
    reader, writer = _other(store_path), _other(store_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM cases").fetchone()  # an old snapshot: the WAL cannot be emptied
    writer.execute("INSERT INTO meta(key, value) VALUES ('after-the-reader', 'x')")
    statements = _traced(services.vault)
    try:
        make_backup(services.vault, tmp_path / "vac.bak")
    finally:
        services.vault.conn.set_trace_callback(None)
        reader.execute("ROLLBACK")
        reader.close()
        writer.close()
    assert any("VACUUM" in s for s in statements)
    assert any("cipher_integrity_check" in s for s in statements)
    with Vault.open(tmp_path / "vac.bak", KEY, migrate=False) as copy:
        assert copy.read("SELECT value FROM meta WHERE key = 'after-the-reader'") == [("x",)]


def test_other_processes_write_while_the_copy_is_made_and_it_holds_the_store_as_it_was(
        services, store_path, tmp_path, monkeypatch):
    """The copy needs no write lock: another process commits (and even asks for a checkpoint) in the
    middle of the copy without waiting; its row is in the store, not in the backup, and the backup
    passes its byte-for-byte check because the store's file did not change under it."""
    add_case(services, email="one@example.org")
    other = _other(store_path)
    real = backup_copy._copy_bytes
    happened = []

    def writes_meanwhile(src, target):
        half = store_path.read_bytes()
        other.execute("INSERT INTO meta(key, value) VALUES ('during-the-copy', 'x')")  # busy_timeout 0
        happened.append(other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        other.executemany("INSERT INTO meta(key, value) VALUES (?, 'y')", [(f"more-{i}",) for i in range(300)])
        assert store_path.read_bytes() == half  # the store's file is pinned
        real(src, target)

    monkeypatch.setattr(backup_copy, "_copy_bytes", writes_meanwhile)
    info = BackupService(services.ctx).backup(tmp_path / "during.bak")
    other.close()
    assert happened and happened[0][0] == 1  # the checkpoint could not write into the pinned file
    assert info.path.exists()
    with Vault.open(info.path, KEY, migrate=False) as copy:
        assert copy.read("SELECT value FROM meta WHERE key = 'during-the-copy'") == []
    assert services.vault.read("SELECT value FROM meta WHERE key = 'during-the-copy'") == [("x",)]
    assert inspect_backup(info.path, KEY).schema_version == LATEST


def _flip(path, offset_of) -> None:
    with open(path, "r+b") as fh:
        offset = offset_of(os.fstat(fh.fileno()).st_size)
        fh.seek(offset)
        old = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([old[0] ^ 0x01]))


@pytest.mark.parametrize("offset_of", [lambda size: size - 4096 + 100, lambda size: 20],
                         ids=["last page", "first page"])
def test_a_copy_whose_bytes_change_after_writing_is_detected_and_removed(services, tmp_path, monkeypatch, offset_of):
    """What is read back is what counts: a bit flipped in the written copy (a page the check never
    decrypts, or the first page past the salt) fails the read-back, and nothing appears."""
    for i in range(20):
        add_case(services, email=f"p{i}@example.org")
    real = backup_copy._copy_bytes

    def written_then_flipped(src, target):
        real(src, target)
        _flip(target, offset_of)

    monkeypatch.setattr(backup_copy, "_copy_bytes", written_then_flipped)
    target = tmp_path / "flipped.bak"
    with pytest.raises(StoreDamaged, match="read back after writing, differs from the store"):
        BackupService(services.ctx).backup(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert not services.audit.entries(action="store.backup")
    monkeypatch.setattr(backup_copy, "_copy_bytes", real)
    assert BackupService(services.ctx).backup(target).path == target


def test_a_rewritten_first_page_that_does_not_read_back_is_detected_and_removed(services, tmp_path, monkeypatch):
    """The first page, rewritten when the copy becomes a single file, is checked by decrypting it
    once synced: a bit flipped after that fsync fails it."""
    add_case(services, email="one@example.org")
    real = backup_copy._single_file
    copies = []

    def switched_then_flipped(vault, copy):
        real(vault, copy)
        copies.append(copy)
        _flip(copy, lambda size: 100)

    monkeypatch.setattr(backup_copy, "_single_file", switched_then_flipped)
    with pytest.raises(StoreDamaged, match="read back after writing, does not decrypt"):
        BackupService(services.ctx).backup(tmp_path / "first.bak")
    assert copies and sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert not services.audit.entries(action="store.backup")


def test_a_copy_cut_short_is_detected_and_removed(services, tmp_path, monkeypatch):
    for i in range(20):
        add_case(services, email=f"p{i}@example.org")
    real = backup_copy._copy_bytes

    def cut_short(src, target):
        real(src, target)
        os.truncate(target, os.path.getsize(target) - 4096)

    monkeypatch.setattr(backup_copy, "_copy_bytes", cut_short)
    with pytest.raises(StoreDamaged, match="differs from the store"):
        make_backup(services.vault, tmp_path / "short.bak")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_failed_fsync_is_reported_and_nothing_appears(services, tmp_path, monkeypatch):
    import errno

    add_case(services, email="one@example.org")

    def no_room(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_copy.os, "fsync", no_room)
    with pytest.raises(StoreFull, match="the disk holding the backup is full"):
        BackupService(services.ctx).backup(tmp_path / "full.bak")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_file_at_the_store_path_that_is_not_the_open_store_is_not_copied(services, tmp_path, monkeypatch):
    """The header check: the file at the store's path must begin with the salt of the store this
    connection has open; another store's file (another salt) swapped in under the path is refused."""
    add_case(services, email="one@example.org")
    stranger = tmp_path / "other" / "x.db"
    Vault.create(stranger, KEY).close()  # even under the same passphrase: its own salt
    monkeypatch.setattr(services.vault, "path", stranger)
    with pytest.raises(WrongKeyError, match="does not read back as this store"):
        BackupService(services.ctx).backup(tmp_path / "salt.bak")
    assert not [p for p in tmp_path.iterdir() if "salt.bak" in p.name]
    assert not services.audit.entries(action="store.backup")


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
