"""The store's in-use lock: an advisory lock on `<store>.lock`, beside the (resolved) store file.

Every Vault holds it shared from before it first looks at the store file until it is closed;
whole-file work (restore, rekey) holds it exclusive across the whole change, and is refused
(StoreBusy) while any other window or process holds it. A process that finds the lock exclusive
waits for it (a restore swapping the file in), saying so, as long as a writer waits for the write
lock (store/write_wait.py), then opens what is there.

Why SQLite's own locks were not enough: in WAL mode a connection that is open but between
transactions (an import validating 20,000 rows before it writes them) holds no lock on the
database file, so leaving WAL mode (`PRAGMA journal_mode = DELETE`, the old in-use test) succeeded
and a restore renamed the store away under the importing process, whose rows then went into the
set-aside file. An advisory lock held from open to close has no such gap.

The lock file is never renamed, replaced or deleted (a restore swaps the store file, not the lock
file), so every process locks the same inode. Locks belong to one open file description, so two
Vaults in one process conflict like two processes do. How it is taken (`Locker` below):

- Linux: open file description locks (fcntl F_OFD_SETLK): changing shared <-> exclusive is atomic,
  and a refused upgrade keeps the shared lock (flock(2) drops it first, a window in which a restore
  could take the store from under a rekeying window).
- Other POSIX (macOS, BSD): flock(2). Its shared <-> exclusive change is not atomic; a refused
  upgrade takes the shared lock back at once, waiting for it if another process got in between.
- Windows: msvcrt locks only whole byte ranges exclusively; shared is emulated with slots (below).
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import time
from pathlib import Path

from desktop import digests
from desktop.errors import StoreBusy
from desktop.store.write_wait import ENV_WRITE_WAIT, write_wait

log = logging.getLogger("desktop.store")  # the CLI prints its warnings

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

IN_USE = ("the store is open in another helpdesk-intake window or process (an import, a sweep, the app); "
          "close it or wait for it to finish, then try again; nothing was changed")
BUSY_WHOLE_FILE = ("a restore or key change of this store is running in another helpdesk-intake process; "
                   f"nothing was changed; try again when it has finished (or set {ENV_WRITE_WAIT} to wait longer)")
WAITING_WHOLE_FILE = "a restore or key change of this store is running in another helpdesk-intake process; waiting…"
WAIT_SECONDS = 15.0  # flock's fallback: how long a refused upgrade waits to take its shared lock back

# Windows emulation: byte 0 is the gate, bytes 1..SLOTS the shared holders' slots. A shared holder
# passes the gate (locks and unlocks byte 0) and keeps one free slot locked; exclusive locks the gate
# and every slot (every slot but its own, when upgrading), which fails while any other holder has one.
SLOTS = 4096


def lock_path(store: Path) -> Path:
    real = Path(store).expanduser().resolve()
    return real.with_name(real.name + ".lock")


class Locker:
    """Non-blocking shared/exclusive locks on one open file description (one backend per OS).
    Each method returns False when another holder is in the way; never raises for that."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def shared(self, held: str | None) -> bool:
        raise NotImplementedError

    def exclusive(self, held: str | None) -> bool:
        raise NotImplementedError

    def unlock(self, held: str | None) -> None:
        pass


class OfdLocker(Locker):
    """Linux open file description locks on the whole file: atomic conversions."""

    def _set(self, kind: int) -> bool:
        try:
            fcntl.fcntl(self.fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", kind, os.SEEK_SET, 0, 0, 0))
            return True
        except (BlockingIOError, PermissionError):
            return False

    def shared(self, held: str | None) -> bool:
        return self._set(fcntl.F_RDLCK)

    def exclusive(self, held: str | None) -> bool:
        return self._set(fcntl.F_WRLCK)

    def unlock(self, held: str | None) -> None:
        with contextlib.suppress(OSError):
            self._set(fcntl.F_UNLCK)


class FlockLocker(Locker):
    def _flock(self, how: int) -> bool:
        try:
            fcntl.flock(self.fd, how | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def shared(self, held: str | None) -> bool:
        return self._flock(fcntl.LOCK_SH)

    def exclusive(self, held: str | None) -> bool:
        if self._flock(fcntl.LOCK_EX):
            return True
        if held == "shared":  # flock dropped the shared lock on the refused upgrade: take it back
            deadline = time.monotonic() + WAIT_SECONDS
            while not self._flock(fcntl.LOCK_SH) and time.monotonic() < deadline:
                time.sleep(0.02)
        return False

    def unlock(self, held: str | None) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self.fd, fcntl.LOCK_UN)


class SlotLocker(Locker):
    """Shared locks from exclusive byte-range locks (Windows msvcrt); see SLOTS above. The range
    primitives are methods so that the algorithm can be tested with another exclusive-range lock."""

    def __init__(self, fd: int) -> None:
        super().__init__(fd)
        self.slot: int | None = None

    def lock_range(self, start: int, length: int) -> bool:
        import msvcrt

        os.lseek(self.fd, start, os.SEEK_SET)
        try:
            msvcrt.locking(self.fd, msvcrt.LK_NBLCK, length)
            return True
        except OSError:
            return False

    def unlock_range(self, start: int, length: int) -> None:
        import msvcrt

        os.lseek(self.fd, start, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(self.fd, msvcrt.LK_UNLCK, length)

    def _others(self) -> list[tuple[int, int]]:
        """The slot ranges other than this holder's own slot."""
        if self.slot is None:
            return [(1, SLOTS)]
        return [(a, n) for a, n in ((1, self.slot - 1), (self.slot + 1, SLOTS - self.slot)) if n > 0]

    def shared(self, held: str | None) -> bool:
        if held == "exclusive":  # downgrade: keep the own slot, free the others (exactly the ranges
            for start, length in self._others():  # locked: msvcrt unlocks whole regions), then the gate
                self.unlock_range(start, length)
            if self.slot is None and self.lock_range(1, 1):  # exclusive from the start: a slot, taken
                self.slot = 1  # while the gate still keeps everyone else out
            self.unlock_range(0, 1)
            return True
        if not self.lock_range(0, 1):  # the gate is held: an exclusive holder (restore, rekey)
            return False
        try:
            for _ in range(64):
                slot = 1 + digests.randbelow(SLOTS)
                if self.lock_range(slot, 1):
                    self.slot = slot
                    return True
            return False
        finally:
            self.unlock_range(0, 1)

    def exclusive(self, held: str | None) -> bool:
        if not self.lock_range(0, 1):
            return False
        taken: list[tuple[int, int]] = []
        for start, length in self._others():
            if not self.lock_range(start, length):
                for s, n in taken:
                    self.unlock_range(s, n)
                self.unlock_range(0, 1)
                return False
            taken.append((start, length))
        return True

    def unlock(self, held: str | None) -> None:
        if held == "exclusive":
            for start, length in self._others():
                self.unlock_range(start, length)
            self.unlock_range(0, 1)
        if self.slot is not None:
            self.unlock_range(self.slot, 1)
            self.slot = None


def _locker_for(fd: int) -> Locker:
    if fcntl is None:
        return SlotLocker(fd)
    if hasattr(fcntl, "F_OFD_SETLK"):
        return OfdLocker(fd)
    return FlockLocker(fd)


class StoreLock:
    """One open file description on the lock file; shared or exclusive."""

    def __init__(self, store: Path) -> None:
        self.path = lock_path(store)
        self._fd: int | None = None
        self._locker: Locker | None = None
        self.mode: str | None = None  # "shared" | "exclusive" | None

    def _open(self) -> Locker | None:
        """The locker on the lock file; None when no lock file can be had (a read-only folder
        without one: nobody can write there, so there is nothing to coordinate)."""
        if self._locker is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                try:  # a read-only folder: an existing lock file read-only (it can still be locked shared)
                    self._fd = os.open(self.path, os.O_RDONLY)
                except OSError:
                    return None
            self._locker = _locker_for(self._fd)
        return self._locker

    def _try(self, mode: str) -> bool:
        locker = self._open()
        if locker is None:
            return True
        try:
            return locker.shared(self.mode) if mode == "shared" else locker.exclusive(self.mode)
        except OSError:  # a file system without locks (some network shares): nothing to coordinate with
            return True

    def shared(self, wait: float | None = None) -> StoreLock:
        """Take the lock shared, waiting up to `wait` seconds (None: as long as a writer waits for
        the write lock, HELPDESK_INTAKE_WRITE_WAIT) for a restore or rekey to finish, saying so once."""
        deadline = None
        while not self._try("shared"):
            if deadline is None:
                limit = write_wait() if wait is None else wait
                deadline = time.monotonic() + limit
                if limit >= 1:
                    log.warning(WAITING_WHOLE_FILE)
            if time.monotonic() >= deadline:
                self.release()
                raise StoreBusy(BUSY_WHOLE_FILE)
            time.sleep(0.05)
        self.mode = "shared"
        return self

    def exclusive(self) -> StoreLock:
        """Take (or upgrade to) the lock exclusive, now or never: StoreBusy naming the cause. A
        refused upgrade keeps the lock shared."""
        if self.mode != "exclusive" and not self._try("exclusive"):
            if self.mode is None:
                self.release()
            raise StoreBusy(IN_USE)
        self.mode = "exclusive"
        return self

    def downgrade(self) -> None:
        if self.mode == "exclusive":
            self._try("shared")  # atomic with OFD locks and the slots; flock: unlock, then lock shared
            self.mode = "shared"

    def release(self) -> None:
        if self._fd is not None:
            if self._locker is not None:
                with contextlib.suppress(OSError):
                    self._locker.unlock(self.mode)
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the descriptor drops whatever lock it still had
        self._fd = None
        self._locker = None
        self.mode = None


def store_exists(store: Path) -> bool:
    """Whether there is a store at `store`, waiting out a restore that is swapping it in (its file
    is renamed aside and the restored one into place under the exclusive lock): without the wait, a
    command started in that instant was told there is no store."""
    store = Path(store).expanduser()
    if store.exists():
        return True
    if not lock_path(store).exists():
        return False
    with contextlib.suppress(StoreBusy):
        StoreLock(store).shared().release()
    return store.exists()
