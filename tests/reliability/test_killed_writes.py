"""Issue 13 items 3 and 4: a killed `report` leaves no plaintext beside its target; a killed
`backup` leaves nothing that is later offered as a backup."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from desktop.reports.files import LEFTOVER_AGE, atomic_write
from tests.reliability.util import CHILD, child_env

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def holding(folder, needle: bytes) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and needle in p.read_bytes())


def test_a_report_write_killed_midway_leaves_no_file_with_the_data(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, str(CHILD), "stall-write", str(out / "access-report.pdf")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(tmp_path))
    try:
        assert proc.stdout.readline().strip() == "writing", proc.stderr.read()[-500:]
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.stdout.close()
        proc.stderr.close()
    assert holding(out, b"Quartermaine") == []
    assert list(out.iterdir()) == []


def test_leftovers_of_killed_writes_are_removed_at_the_next_write(tmp_path):
    old_part = tmp_path / ".tmp-abc123.part"  # what an earlier version left behind
    old_part.write_bytes(b"%PDF-1.7 Zebulon Quartermaine")
    ours = tmp_path / ".helpdesk-intake-0011aabb.part"
    ours.write_bytes(b"PK\x03\x04 Quartermaine")
    someone_elses = tmp_path / ".tmp-other.part"
    someone_elses.write_bytes(b"not a report")
    fresh = tmp_path / ".helpdesk-intake-ffee.part"  # a write running right now in another process
    fresh.write_bytes(b"%PDF in progress")
    past = time.time() - LEFTOVER_AGE - 5
    for p in (old_part, ours, someone_elses):
        os.utime(p, (past, past))

    atomic_write(tmp_path / "report.pdf", b"%PDF-1.7 new")

    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"report.pdf", someone_elses.name, fresh.name}


@pytest.mark.slow
def test_kill_loop_of_report_writes_never_leaves_plaintext(tmp_path):
    """The attack: SIGKILL `atomic_write` children at random moments, 40 times."""
    out = tmp_path / "reports"
    out.mkdir()
    rng = random.Random(13)
    code = ("import sys; from desktop.reports.files import atomic_write\n"
            "from tests.reliability.child import SECRET_PDF\n"
            "for i in range(200): atomic_write(__import__('pathlib').Path(sys.argv[1]), SECRET_PDF * 20)\n")
    for _ in range(40):
        proc = subprocess.Popen([sys.executable, "-c", code, str(out / "r.pdf")], env=child_env(tmp_path),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.0))
        proc.kill()
        proc.wait(timeout=30)
        assert {p.name for p in out.iterdir()} <= {"r.pdf"}


# ---- item 4: backups -----------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path, clock):
    from desktop.app import create_services
    from desktop.store.keys import Key
    from tests.conftest import PASSPHRASE
    from tests.helpers.factories import add_case

    path = tmp_path / "store" / "helpdesk.db"
    services = create_services(path, Key.passphrase(PASSPHRASE), clock=clock)
    add_case(services)
    services.close()
    return path


def test_a_killed_backup_is_never_visible_nor_offered_as_the_latest_backup(tmp_path, store):
    from desktop.store.backups import latest_backup
    from desktop.store.vault import damage_message
    from tests.reliability.util import cli

    target = store.with_name(store.name + ".backup-1")
    proc = subprocess.Popen([sys.executable, str(CHILD), "stall-backup", str(store), str(target)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(tmp_path))
    try:
        assert proc.stdout.readline().strip() == "copied", proc.stderr.read()[-800:]
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.stdout.close()
        proc.stderr.close()

    assert not target.exists()
    assert latest_backup(store) is None
    assert "no backup was found" in damage_message(store, "test")
    # the same name works afterwards, and that backup is offered
    result = cli(tmp_path, "--store", str(store), "backup", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert latest_backup(store) == target


def test_broken_leftovers_of_older_versions_are_not_offered(store):
    from desktop.store.backups import latest_backup

    empty = store.with_name(store.name + ".backup-old")
    empty.write_bytes(b"")
    half = store.with_name(store.name + ".backup-half")
    half.write_bytes(b"\0" * 8192)
    store.with_name(store.name + ".backup-half-journal").write_bytes(b"\0" * 512)
    assert latest_backup(store) is None


def test_backup_onto_a_dangling_symlink_is_refused(tmp_path, store):
    from tests.reliability.util import cli

    link = tmp_path / "dangling.bak"
    link.symlink_to(tmp_path / "missing" / "x.bak")
    result = cli(tmp_path, "--store", str(store), "backup", "--out", str(link))
    assert result.returncode == 6 and "symbolic link to a missing file" in result.stderr
    assert link.is_symlink() and not (tmp_path / "missing").exists()
