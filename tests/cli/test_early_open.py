"""`backup` starts its work while the CLI parses (commands/early_open.py): the key resolved, the
store opened and the copy made and checked in a thread. The passphrase is still derived once, the
copy made once, every failure reads as before, and what no command took is undone (the store
closed, its in-use lock released, no part file left)."""

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


@pytest.fixture
def copies(monkeypatch):
    """The thread each snapshot copy was made in."""
    from desktop.store import backups

    made = []
    real = backups.snapshot_copy

    def recording(vault, target):
        made.append(threading.current_thread().name)
        return real(vault, target)

    monkeypatch.setattr(backups, "snapshot_copy", recording)
    return made


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if ".part-" in p.name]


def test_backup_opens_the_store_and_copies_it_once_in_the_early_thread_and_the_backup_is_sound(
        store, tmp_path, connections, copies, capsys):
    out = tmp_path / "b.bak"
    assert main(["--store", str(store), "backup", "--out", str(out)]) == 0
    assert "verified" in capsys.readouterr().out
    stores = [(thread, db) for thread, db in connections if "s.db" in db and "bak" not in db]
    assert stores == [("early-open", stores[0][1])]  # one connection: one derivation, made early
    assert copies == ["early-open"]  # one copy, made while the command line was parsed
    info = inspect_backup(out, Key.passphrase(PASS))
    assert info.audit_entries >= 3
    assert _exclusive_free(store)  # closed at the end: nothing of this process holds the store
    assert _leftovers(tmp_path) == []
    assert main(["--store", str(store), "audit", "verify"]) == 0  # the backup's own entry is in the trail


def test_a_keyring_store_is_opened_and_copied_early_too(tmp_path, monkeypatch, connections, copies, capsys):
    path = tmp_path / "k.db"
    assert main(["--store", str(path), "init"]) == 0  # no passphrase: a raw key in the (test) keyring
    assert "OS keyring" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    connections.clear()
    assert main(["--store", str(path), "backup", "--out", "rel.bak"]) == 0  # a relative target
    assert [t for t, db in connections if "k.db" in db] == ["early-open"]
    assert copies == ["early-open"]
    assert (tmp_path / "rel.bak").exists() and _leftovers(tmp_path) == []
    assert _exclusive_free(path)


def test_a_command_line_the_parser_refuses_leaves_nothing_open_and_no_copy(store, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--store", str(store), "backup", "--out", str(tmp_path / "x.bak"), "--no-such-option"])
    assert "unrecognized arguments" in capsys.readouterr().err
    assert _leftovers(tmp_path) == [] and not (tmp_path / "x.bak").exists()
    assert _exclusive_free(store)
    assert early_open._pending is None


@pytest.mark.parametrize("argv", [["--debug", "--store", "{s}", "backup", "--out", "{o}"],
                                  ["--store={s}", "backup", "--out", "{o}"],
                                  ["backup", "--store", "{s}", "--out={o}"]])
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
    assert early_open._pending is None and _leftovers(tmp_path) == []


def test_only_backup_opens_early_and_never_asks_for_a_key(store, tmp_path, connections, monkeypatch):
    assert main(["--store", str(store), "cases"]) == 0
    assert "early-open" not in {t for t, _ in connections}
    with pytest.raises(SystemExit):
        main(["--store", str(store), "backup", "--help"])
    assert "early-open" not in {t for t, _ in connections}
    monkeypatch.delenv("HELPDESK_INTAKE_PASSPHRASE")  # a passphrase store, no key anywhere: a prompt's job
    early_open.start(["--store", str(store), "backup", "--out", str(tmp_path / "x.bak")])
    early_open.discard()
    assert "early-open" not in {t for t, _ in connections}
    assert _leftovers(tmp_path) == []
