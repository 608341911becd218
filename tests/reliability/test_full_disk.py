"""Issue 13 item 7: a full disk (SQLITE_FULL) is reported as such; the store stays readable and a
backup to another disk works. The store sits on a small tmpfs mounted in a private mount namespace
(`unshare -rm`: no root needed where user namespaces are allowed)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

import pytest

from desktop.app import create_services
from desktop.store.keys import Key
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.reliability.util import ROOT, child_env, submissions_csv

KEY = Key.passphrase(PASSPHRASE)


def _namespaces_work() -> str | None:
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return "needs Linux and unshare(1)"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"
                            " && umount $d && rmdir $d"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"cannot mount a tmpfs in a user namespace: {probe.stderr.strip()}"


SKIP = _namespaces_work()


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_a_full_disk_is_reported_and_the_store_stays_readable(tmp_path, clock):
    seed = tmp_path / "seed.db"
    services = create_services(seed, KEY, clock=clock)
    for i in range(30):
        add_case(services, email=f"p{i}@example.org")
    services.close()
    small = tmp_path / "small"
    small.mkdir()
    other = tmp_path / "other-disk"
    other.mkdir()
    rows = submissions_csv(tmp_path / "big.csv", 20000)
    cli = f"{shlex.quote(sys.executable)} -m desktop --store {small}/s.db"
    size = seed.stat().st_size + 200 * 1024  # the store and a little room: the import cannot fit
    script = " && ".join([
        f"mount -t tmpfs -o size={size} tmpfs {small}",
        f"cp {seed} {small}/s.db",
        f"({cli} import {rows}; echo import=$?)",
        f"({cli} cases --json > {tmp_path}/cases.json; echo cases=$?)",
        f"({cli} check; echo check=$?)",
        f"({cli} backup --out {other}/after-full.bak; echo backup=$?)",
    ])
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env=child_env(tmp_path), timeout=600)
    out, err = result.stdout, result.stderr
    assert "import=6" in out, (out, err)
    assert "disk holding the store is full" in err and "internal error" not in err
    assert "cases=0" in out and "check=0" in out and "backup=0" in out, (out, err)
    import json

    assert len(json.loads((tmp_path / "cases.json").read_text())) == 30  # nothing half-imported
    assert (other / "after-full.bak").stat().st_size > 0


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_a_store_on_a_read_only_file_system_is_not_a_wrong_passphrase(tmp_path, clock):
    seed = tmp_path / "seed.db"
    create_services(seed, KEY, clock=clock).close()
    ro = tmp_path / "ro"
    ro.mkdir()
    cli = f"{shlex.quote(sys.executable)} -m desktop --store {ro}/s.db"
    script = " && ".join([
        f"mount -t tmpfs -o size=4m tmpfs {ro}", f"cp {seed} {ro}/s.db", f"mount -o remount,ro {ro}",
        f"({cli} cases; echo cases=$?)",
    ])
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env=child_env(tmp_path), timeout=300)
    assert "cases=3" in result.stdout, (result.stdout, result.stderr)
    assert "read-only file system" in result.stderr and "passphrase" not in result.stderr


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_a_backup_onto_a_full_disk_says_so_and_leaves_nothing_there(tmp_path, clock):
    store = tmp_path / "store.db"
    services = create_services(store, KEY, clock=clock)
    for i in range(30):
        add_case(services, email=f"p{i}@example.org")
    services.close()
    small = tmp_path / "small"
    small.mkdir()
    size = store.stat().st_size // 2  # room for half the copy
    cli = f"{shlex.quote(sys.executable)} -m desktop --store {store}"
    script = " && ".join([
        f"mount -t tmpfs -o size={size} tmpfs {small}",
        f"({cli} backup --out {small}/b.bak; echo backup=$?)",
        f"(ls -A {small} | wc -l | sed 's/^/left=/')",
    ])
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env=child_env(tmp_path), timeout=300)
    out, err = result.stdout, result.stderr
    assert "backup=6" in out, (out, err)
    assert "the disk holding the backup is full; no backup was written" in err and "internal error" not in err
    assert "left=0" in out, (out, err)  # no backup, no hidden part file
    assert (tmp_path / "store.db").exists()
