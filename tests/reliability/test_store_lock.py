"""The in-use lock (desktop/store/store_lock.py): what another window or process can and cannot do
while a store is open, restored or rekeyed, on every backend the app uses."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys

import pytest

from desktop.app import create_services
from desktop.app import open_services as root_open_services
from desktop.errors import StoreBusy
from desktop.services.backup_service import BackupService, restore
from desktop.store import store_lock
from desktop.store.keys import Key
from desktop.store.store_lock import SlotLocker, StoreLock, lock_path
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.reliability.util import ROOT, child_env

KEY = Key.passphrase(PASSPHRASE)


class RangeSlotLocker(SlotLocker):
    """The Windows slot emulation over Linux exclusive byte-range locks (OFD: one per open file,
    like msvcrt's per handle), so that its algorithm runs here."""

    def _set(self, kind: int, start: int, length: int) -> bool:
        try:
            fcntl.fcntl(self.fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", kind, os.SEEK_SET, start, length, 0))
            return True
        except (BlockingIOError, PermissionError):
            return False

    def lock_range(self, start: int, length: int) -> bool:
        return self._set(fcntl.F_WRLCK, start, length)

    def unlock_range(self, start: int, length: int) -> None:
        self._set(fcntl.F_UNLCK, start, length)


BACKENDS = {"ofd": store_lock.OfdLocker, "flock": store_lock.FlockLocker, "windows-slots": RangeSlotLocker}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, monkeypatch):
    monkeypatch.setattr(store_lock, "_locker_for", BACKENDS[request.param])
    return request.param


def test_shared_holders_exclude_exclusive_and_the_reverse(tmp_path, backend):
    store = tmp_path / "s.db"
    a, b = StoreLock(store).shared(), StoreLock(store).shared()  # two windows: both may be open
    with pytest.raises(StoreBusy, match="open in another"):
        StoreLock(store).exclusive()
    a.release()
    with pytest.raises(StoreBusy, match="open in another"):
        StoreLock(store).exclusive()
    b.release()
    whole = StoreLock(store).exclusive()
    with pytest.raises(StoreBusy, match="restore or key change"):
        StoreLock(store).shared(wait=0.2)
    whole.downgrade()  # exclusive from the start, then shared: others may join, nobody may take it whole
    joined = StoreLock(store).shared(wait=0.2)
    with pytest.raises(StoreBusy):
        StoreLock(store).exclusive()
    whole.release(), joined.release()
    StoreLock(store).exclusive().release()


def test_a_refused_upgrade_keeps_the_window_in_use(tmp_path, backend):
    """A rekey refused because another process has the store open leaves the rekeying window
    holding the store: a restore started afterwards is still refused (flock: taken back at once)."""
    store = tmp_path / "s.db"
    window, other = StoreLock(store).shared(), StoreLock(store).shared()
    with pytest.raises(StoreBusy):
        window.exclusive()
    assert window.mode == "shared"
    other.release()
    with pytest.raises(StoreBusy):
        StoreLock(store).exclusive()  # the restore
    window.exclusive()  # now alone: the upgrade goes through, and back down after the rekey
    window.downgrade()
    joined = StoreLock(store).shared(wait=0.2)
    with pytest.raises(StoreBusy):
        StoreLock(store).exclusive()
    window.release(), joined.release()


def test_the_lock_file_is_beside_the_real_store_and_stays(tmp_path):
    real = tmp_path / "data" / "s.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    assert lock_path(link) == real.with_name("s.db.lock")


@pytest.fixture
def store_with_backup(tmp_path, clock):
    store = tmp_path / "store" / "helpdesk.db"
    services = create_services(store, KEY, clock=clock)
    add_case(services, email="kept@example.org")
    backup = tmp_path / "b.bak"
    BackupService(services.ctx).backup(backup)
    add_case(services, email="later@example.org")
    services.close()
    return store, backup


def test_a_command_started_while_a_restore_swaps_the_file_waits_for_it(tmp_path, store_with_backup):
    """Mid-swap, the store file is not at its path for an instant; a command started then used to
    say 'no store' (exit 5). It waits for the restore's exclusive lock and then reads the store."""
    store, _ = store_with_backup
    swap = StoreLock(store).exclusive()
    moved = store.with_name("helpdesk.db.swapping")
    os.rename(store, moved)
    try:
        reader = subprocess.Popen([sys.executable, "-m", "desktop", "--store", str(store), "cases"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(tmp_path))
        first = reader.stderr.readline()  # its first word, whenever it comes: waiting, not "no store"
        assert "a restore or key change of this store is running in another helpdesk-intake process; waiting" \
            in first, first
        assert reader.poll() is None
    finally:
        os.rename(moved, store)
        swap.release()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert "no store" not in err


def test_restore_keeps_the_store_until_the_restored_copy_is_opened_and_closed(tmp_path, store_with_backup, clock):
    """No other process can open the store between the swap and the restore's own audit and
    erasure re-application (nor before an undo): the exclusive lock is held across all of it."""
    store, backup = store_with_backup
    seen: list[str] = []

    def open_services(path, key, **kw):
        try:
            StoreLock(path).shared(wait=0)
            seen.append("another process got in")
        except StoreBusy:
            seen.append("kept")
        return root_open_services(path, key, **kw)

    restore(store, backup, KEY, clock=clock, staff="tester", open_services=open_services)
    assert seen == ["kept"]
    StoreLock(store).exclusive().release()  # and released afterwards


def test_a_rekey_sqlite_refuses_leaves_no_exclusive_lock_behind(tmp_path, store_with_backup):
    """The in-use lock granted but SQLite refusing to leave WAL mode (a connection outside the app
    reading): the rekey is refused, and the window's lock goes back to shared; it used to stay
    exclusive, so every other window and command waited 15 s and failed until this one closed."""
    from desktop.store.connection import connect

    store, _ = store_with_backup
    window = Vault.open(store, KEY)
    outsider = connect(store, KEY)
    try:
        outsider.execute("BEGIN")
        outsider.execute("SELECT count(*) FROM cases").fetchone()
        with pytest.raises(StoreBusy):
            window.rekey(Key.passphrase("another good passphrase 2"))
        StoreLock(store).shared(wait=0.5).release()  # others can open it again at once
        with pytest.raises(StoreBusy):
            StoreLock(store).exclusive()  # and the window still holds it
    finally:
        outsider.close()
        window.close()
    with Vault.open(store, KEY) as v:
        assert v.read("SELECT count(*) FROM cases")[0][0] == 2
