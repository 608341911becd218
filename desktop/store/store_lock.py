"""The store's in-use lock: an advisory lock on `<store>.lock`, beside the (resolved) store file.

Every Vault holds it shared for as long as it is open; whole-file work (restore, rekey) needs it
exclusive, and is refused (StoreBusy) while any other window or process holds it.

Why SQLite's own locks were not enough: in WAL mode a connection that is open but between
transactions (an import validating 20,000 rows before it writes them) holds no lock on the
database file, so leaving WAL mode (`PRAGMA journal_mode = DELETE`, the old in-use test) succeeded
and a restore renamed the store away under the importing process, whose rows then went into the
set-aside file. An advisory lock held from open to close has no such gap.

POSIX: flock(2) on a file that is never renamed or deleted (a restore swaps the store file, not
the lock file; flock locks belong to the open file description, so two Vaults in one process
conflict like two processes do). Windows: msvcrt cannot share a lock, so only the exclusive side is
taken there; an open store cannot be renamed on Windows anyway, which refuses a restore in use.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from desktop.errors import StoreBusy

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

IN_USE = ("the store is open in another helpdesk-intake window or process (an import, a sweep, the app); "
          "close it or wait for it to finish, then try again; nothing was changed")
BUSY_WHOLE_FILE = ("a restore or key change of this store is running in another helpdesk-intake process; "
                   "try again when it has finished")
WAIT_SECONDS = 15.0


def lock_path(store: Path) -> Path:
    real = Path(store).expanduser().resolve()
    return real.with_name(real.name + ".lock")


class StoreLock:
    """One open file description on the lock file; shared or exclusive."""

    def __init__(self, store: Path) -> None:
        self.path = lock_path(store)
        self._fd: int | None = None
        self.mode: str | None = None  # "shared" | "exclusive" | None

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                try:  # a read-only folder: lock an existing lock file read-only, else go without
                    self._fd = os.open(self.path, os.O_RDONLY)
                except OSError:
                    return None
        return self._fd

    def _flock(self, how: int) -> bool:
        fd = self._open()
        if fd is None or fcntl is None:
            return True
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError:  # a filesystem without flock: nothing to coordinate with
            return True

    def shared(self, wait: float = WAIT_SECONDS) -> StoreLock:
        """Take the lock shared, waiting up to `wait` seconds for a restore or rekey to finish."""
        if fcntl is None:
            self.mode = "shared"
            return self
        deadline = time.monotonic() + wait
        while not self._flock(fcntl.LOCK_SH):
            if time.monotonic() >= deadline:
                self.release()
                raise StoreBusy(BUSY_WHOLE_FILE)
            time.sleep(0.05)
        self.mode = "shared"
        return self

    def exclusive(self) -> StoreLock:
        """Take (or upgrade to) the lock exclusive, now or never: StoreBusy naming the cause."""
        if fcntl is None:
            fd = self._open()
            if fd is not None:
                import msvcrt

                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                except OSError as exc:
                    raise StoreBusy(IN_USE) from exc
        elif not self._flock(fcntl.LOCK_EX):
            if self.mode == "shared":  # flock may drop a shared lock on a failed upgrade: take it back
                self._flock(fcntl.LOCK_SH)
            raise StoreBusy(IN_USE)
        self.mode = "exclusive"
        return self

    def downgrade(self) -> None:
        if self.mode == "exclusive":
            if fcntl is None:
                with contextlib.suppress(OSError):
                    import msvcrt

                    msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
            else:
                self._flock(fcntl.LOCK_SH)
            self.mode = "shared"

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the last descriptor drops the lock
        self._fd = None
        self.mode = None
