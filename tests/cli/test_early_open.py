"""`backup` on a passphrase from the environment starts opening the store while the CLI parses
(commands/early_open.py): the passphrase is still derived once, every failure reads as before, and
a store opened early that no command took is closed again (its in-use lock released)."""

from __future__ import annotations

import threading

import pytest
import sqlcipher3

from desktop.cli import main
from desktop.commands import early_open
from desktop.store.backups import inspect_backup
from desktop.store.keys import Key
from desktop.store.store_lock import StoreLock

PASS = "cli early-open passphrase"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    assert main(["--store", str(path), "init"]) == 0
    assert main(["--store", str(path), "add", "--name", "Ana", "--email", "ana@example.org", "--category",
                 "bounce", "--description", "Bounces"]) == 0
    return path


@pytest.fixture
def connections(monkeypatch):
    """(thread name, database) of every sqlcipher3 connection opened: each one derives the key."""
    opened = []
    real = sqlcipher3.connect

    def counting(*args, **kwargs):
        opened.append((threading.current_thread().name, str(args[0] if args else kwargs.get("database"))))
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlcipher3, "connect", counting)
    return opened


def _exclusive_free(path) -> bool:
    lock = StoreLock(path)
    try:
        lock.exclusive()
    except Exception:  # noqa: BLE001 - StoreBusy: someone still holds it
        return False
    lock.release()
    return True


def test_backup_opens_the_store_once_in_the_early_thread_and_the_backup_is_sound(store, tmp_path, connections, capsys):
    out = tmp_path / "b.bak"
    assert main(["--store", str(store), "backup", "--out", str(out)]) == 0
    assert "verified" in capsys.readouterr().out
    stores = [(thread, db) for thread, db in connections if "s.db" in db and "bak" not in db]
    assert stores == [("early-open", stores[0][1])]  # one connection: one derivation, made early
    assert inspect_backup(out, Key.passphrase(PASS)).audit_entries >= 3
    assert _exclusive_free(store)  # closed at the end: nothing of this process holds the store


@pytest.mark.parametrize("argv", [["--debug", "--store", "{s}", "backup", "--out", "{o}"],
                                  ["--store={s}", "backup", "--out", "{o}"]])
def test_the_global_options_are_read_as_the_parser_reads_them(store, tmp_path, connections, argv):
    out = tmp_path / "b.bak"
    assert main([a.format(s=store, o=out) for a in argv]) == 0
    assert [t for t, db in connections if "s.db" in db and "bak" not in db] == ["early-open"]


def test_a_wrong_passphrase_reads_as_before(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", "not the passphrase")
    assert main(["--store", str(store), "backup", "--out", str(tmp_path / "w.bak")]) == 4
    assert "wrong passphrase" in capsys.readouterr().err
    assert not (tmp_path / "w.bak").exists()
    assert _exclusive_free(store)


def test_a_command_that_fails_before_opening_leaves_no_store_open(store, tmp_path, capsys):
    out = tmp_path / "exists.bak"
    out.write_bytes(b"mine")
    assert main(["--store", str(store), "backup", "--out", str(out)]) == 6
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"mine"
    assert _exclusive_free(store)  # the store opened early was closed again
    assert early_open._pending is None


def test_only_backup_on_an_environment_passphrase_opens_early(store, tmp_path, connections, monkeypatch):
    assert main(["--store", str(store), "cases"]) == 0
    assert "early-open" not in {t for t, _ in connections}
    monkeypatch.delenv("HELPDESK_INTAKE_PASSPHRASE")
    early_open.start(["--store", str(store), "backup", "--out", str(tmp_path / "x.bak")])
    assert early_open._pending is None
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASS)
    with pytest.raises(SystemExit):
        main(["--store", str(store), "backup", "--help"])
    assert "early-open" not in {t for t, _ in connections}
