"""Issue 13 items 5, 8, 10 and 12: odd paths and out-of-range input each get one true message and a
documented status (never 1), and nothing is written."""

from __future__ import annotations

import json
import os
import stat

import pytest

from desktop.app import create_services
from desktop.store.keys import Key
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.security.helpers import run_cli, siblings


@pytest.fixture
def store(tmp_path, clock, monkeypatch):
    path = tmp_path / "s" / "helpdesk.db"
    services = create_services(path, Key.passphrase(PASSPHRASE), clock=clock)
    add_case(services)
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    return path


# ---- item 5: init leaves a folder it did not create alone -------------------------------------
def test_init_keeps_the_mode_of_an_existing_shared_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    status, _, err = run_cli(capsys, "--store", str(shared / "helpdesk.db"), "init")
    assert status == 0, err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "helpdesk.db").stat().st_mode) == 0o600


def test_init_creates_its_own_folders_owner_only(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    old = os.umask(0o022)
    try:
        status, _, err = run_cli(capsys, "--store", str(tmp_path / "new" / "deeper" / "helpdesk.db"), "init")
    finally:
        os.umask(old)
    assert status == 0, err
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "deeper").stat().st_mode) == 0o700


# ---- item 8 and 12: dates out of range, huge ids, deep JSON ------------------------------------
OUT_OF_RANGE = ["0001-01-01", "1000-01-01", "9999-12-31T23:59:59-05:00", "9999-12-31", "0001-01-01T00:00:00+05:00"]


@pytest.mark.parametrize("when", OUT_OF_RANGE)
@pytest.mark.parametrize("command", [
    ["add", "--name", "A B", "--email", "ab@example.org", "--category", "bounce", "--description", "x",
     "--received-at"],
    ["request", "open", "--type", "access", "--email", "ab@example.org", "--received-at"],
    ["sweep", "--dry-run", "--as-of"],
])
def test_dates_out_of_range_are_refused_with_the_range(store, capsys, command, when):
    status, _, err = run_cli(capsys, "--store", str(store), *command, when)
    assert status == 3, err
    assert "between 1970-01-01 and 2199-12-31" in err


def test_import_rows_with_dates_out_of_range_are_rejected_by_line(store, tmp_path, capsys):
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([
        {"name": "Ok Person", "email": "ok@example.org", "category": "bounce", "description": "x"},
        {"name": "Old Person", "email": "old@example.org", "category": "bounce", "description": "x",
         "received_at": "0001-01-01T00:00:00+05:00"},
    ]), encoding="utf-8")
    status, out, err = run_cli(capsys, "--store", str(store), "import", str(rows))
    assert status == 3 and "imported 1 of 2" in out
    assert "line 1" in err and "received_at" in err


def test_request_open_in_year_one_is_refused_and_not_listed(store, capsys):
    status, _, err = run_cli(capsys, "--store", str(store), "request", "open", "--type", "access",
                             "--email", "ab@example.org", "--received-at", "0001-01-01")
    assert status == 3
    status, out, _ = run_cli(capsys, "--store", str(store), "request", "list", "--json")
    assert status == 0 and json.loads(out) == []


@pytest.mark.parametrize("argv", [["show", "99999999999999999999999"], ["show", "-5"],
                                  ["hold", "set", "--case", "99999999999999999999999", "--reason", "x"]])
def test_ids_sqlite_cannot_hold_are_usage_errors(store, capsys, argv):
    with pytest.raises(SystemExit) as info:
        run_cli(capsys, "--store", str(store), *argv)
    assert info.value.code == 2
    assert "out of range" in capsys.readouterr().err


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"submissions": ' + "[" * 100_000 + "]" * 100_000 + "}",
    json.dumps([{"name": "x", "email": "d@example.org", "category": "bounce",
                 "description": json.loads("[" * 50 + "]" * 50)}]),
])
def test_deeply_nested_json_is_refused_whole(store, tmp_path, capsys, body):
    path = tmp_path / "deep.json"
    path.write_text(body, encoding="utf-8")
    status, _, err = run_cli(capsys, "--store", str(store), "import", str(path))
    assert status == 3 and "nested" in err
    status, _, err = run_cli(capsys, "--store", str(store), "policies", "--load", str(path))
    assert status == 3 and ("nested" in err or "invalid retention policies" in err)


# ---- item 8 and 10: odd store paths -------------------------------------------------------------
def test_init_and_backup_on_a_dangling_symlink(store, tmp_path, capsys):
    link = tmp_path / "dangling.db"
    link.symlink_to(tmp_path / "nowhere" / "x.db")
    status, _, err = run_cli(capsys, "--store", str(link), "init")
    assert status == 6 and "symbolic link to a missing file" in err
    status, _, err = run_cli(capsys, "--store", str(store), "backup", "--out", str(link))
    assert status == 6 and "symbolic link to a missing file" in err
    assert not (tmp_path / "nowhere").exists()


def test_a_folder_as_store(tmp_path, store, capsys):
    folder = tmp_path / "folder.db"
    folder.mkdir()
    (folder / "keep").write_text("mine")
    backup = tmp_path / "b.bak"
    assert run_cli(capsys, "--store", str(store), "backup", "--out", str(backup))[0] == 0
    for argv in (["cases"], ["check"], ["restore", str(backup)]):
        status, _, err = run_cli(capsys, "--store", str(folder), *argv)
        assert status == 3 and "is a folder, not a store file" in err, (argv, err)
    assert (folder / "keep").read_text() == "mine" and siblings(folder) == {"folder.db", "s", "b.bak"}


def test_restore_of_the_store_onto_itself_is_refused(store, capsys):
    before = siblings(store)
    status, _, err = run_cli(capsys, "--store", str(store), "restore", str(store))
    assert status == 6 and "the backup is the store itself" in err
    assert siblings(store) == before


def test_restore_through_a_symlinked_store_restores_the_target(store, tmp_path, capsys):
    backup = tmp_path / "b.bak"
    assert run_cli(capsys, "--store", str(store), "backup", "--out", str(backup))[0] == 0
    link = tmp_path / "link.db"
    link.symlink_to(store)
    status, _, err = run_cli(capsys, "--store", str(link), "restore", str(backup))
    assert status == 0, err
    assert link.is_symlink() and link.resolve() == store.resolve()
    assert [p for p in store.parent.iterdir() if ".replaced-" in p.name]  # the old target, set aside
    assert run_cli(capsys, "--store", str(link), "check")[0] == 0


def test_device_and_fifo_get_true_messages(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    status, _, err = run_cli(capsys, "--store", str(fifo), "cases")
    assert status == 3 and "FIFO" in err
    if os.path.exists("/dev/zero"):
        status, _, err = run_cli(capsys, "--store", "/dev/zero", "cases")
        assert status == 3 and "is a device, not a store file" in err


def test_a_truncated_store_is_damaged_not_a_wrong_passphrase(store, capsys):
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2 + 1000])
    status, _, err = run_cli(capsys, "--store", str(store), "check")
    assert status == 7 and "truncated" in err and "passphrase" not in err
    status, _, err = run_cli(capsys, "--store", str(store), "cases")
    assert status == 4 and "truncated" in err


@pytest.mark.parametrize("keep_pages", [1, 2, "half"])
def test_a_store_cut_short_on_a_page_boundary_is_damaged_not_a_wrong_passphrase(store, capsys, keep_pages):
    """A copy cut at a whole page (what a full disk or an interrupted copy leaves; 4096 divides
    most block sizes) has no odd size to give it away: SQLCipher says only 'not a database', which
    used to read as a wrong passphrase. The right key opening the first page tells it apart."""
    from desktop.store.store_file import PAGE_SIZE

    data = store.read_bytes()
    pages = len(data) // PAGE_SIZE
    keep = pages // 2 if keep_pages == "half" else keep_pages
    assert 0 < keep < pages
    store.write_bytes(data[: keep * PAGE_SIZE])
    status, _, err = run_cli(capsys, "--store", str(store), "check")
    assert status == 7 and "damaged" in err and "cut short" in err and "passphrase" not in err
    status, _, err = run_cli(capsys, "--store", str(store), "cases")
    assert status == 4 and "cut short" in err and "passphrase" not in err


def test_a_wrong_passphrase_still_says_wrong_passphrase(store, capsys, monkeypatch):
    from desktop.store.store_file import PAGE_SIZE

    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", "not the passphrase 42")
    for _ in range(2):  # the whole store, then the same store cut short on a page boundary
        status, _, err = run_cli(capsys, "--store", str(store), "check")
        assert status == 4 and "wrong passphrase" in err and "damaged" not in err
        store.write_bytes(store.read_bytes()[: 2 * PAGE_SIZE])


def test_a_backup_cut_short_on_a_page_boundary_is_damaged_not_under_another_key(store, tmp_path, capsys):
    from desktop.store.store_file import PAGE_SIZE

    status, _, err = run_cli(capsys, "--store", str(store), "backup", "--out", str(tmp_path / "b.bak"))
    assert status == 0, err
    backup = tmp_path / "b.bak"
    backup.write_bytes(backup.read_bytes()[: 2 * PAGE_SIZE])
    before = store.read_bytes()
    status, _, err = run_cli(capsys, "--store", str(store), "restore", str(backup))
    assert status in (4, 7) and "damaged" in err and "cut short" in err and "another key" not in err
    assert store.read_bytes() == before


def test_a_store_readable_by_others_opens_with_a_warning(store, capsys, caplog):
    os.chmod(store, 0o644)
    status, _, _ = run_cli(capsys, "--store", str(store), "cases")
    assert status == 0
    assert "can be read by other users" in caplog.text and "chmod 600" in caplog.text


def test_a_store_without_write_permission_is_not_a_wrong_passphrase(store, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes through any file mode; test_full_disk.py covers a read-only mount as root")
    os.chmod(store, 0o400)
    status, _, err = run_cli(capsys, "--store", str(store), "cases")
    assert status == 3 and "no permission to write" in err


def test_an_immutable_store_gets_its_own_message_and_stays_whole(store, capsys):
    """chattr +i (what root can still not write through): a clear message, status 3, no exit 1."""
    import shutil
    import subprocess

    if shutil.which("chattr") is None:
        pytest.skip("no chattr on this machine")
    if subprocess.run(["chattr", "+i", str(store)], capture_output=True).returncode != 0:
        pytest.skip("this file system or user cannot mark a file immutable")
    before = store.read_bytes()
    try:
        for argv in (["cases"], ["add", "--name", "Ana Quist", "--email", "ana@example.org",
                                 "--category", "bounce", "--description", "Mail to Gmail bounces"]):
            status, _, err = run_cli(capsys, "--store", str(store), *argv)
            assert status == 3 and "no permission to write" in err, (argv, status, err)
    finally:
        subprocess.run(["chattr", "-i", str(store)], check=True)
    assert store.read_bytes() == before
    status, out, _ = run_cli(capsys, "--store", str(store), "cases")
    assert status == 0
