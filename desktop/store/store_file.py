"""What is at a store path, told truly before SQLCipher is asked (issue 13, odd paths).

SQLCipher answers "file is not a database" for everything it cannot read, which the app used to
report as a wrong passphrase: a folder, /dev/zero, a FIFO (which also blocks), a truncated store,
a store on a read-only file system. Each gets its own message here, and a store readable by
other users gets a warning.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from desktop.errors import StoreDamaged, StoreNotFound, StorePathError, WrongKeyError

log = logging.getLogger(__name__)

PAGE_SIZE = 4096  # SQLCipher 4's default: a whole store file is a multiple of it
PLAIN_SQLITE = b"SQLite format 3\x00"


def _kind(mode: int) -> str | None:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_kind(path: Path) -> os.stat_result:
    """StoreNotFound, or StorePathError unless path is a regular file (links followed)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if Path(path).is_symlink():
            raise StoreNotFound(f"the store path {path} is a symbolic link to a missing file") from None
        raise StoreNotFound(f"no store at {path}; create one with 'helpdesk-intake init'") from None
    except OSError as exc:
        raise StorePathError(f"cannot read {path}: {exc.strerror}") from exc
    kind = _kind(info.st_mode)
    if kind:
        raise StorePathError(f"{path} is {kind}, not a store file")
    return info


def looks_truncated(path: Path, size: int) -> bool:
    """Not a whole number of pages and not some other kind of file (text, plain SQLite)."""
    if size % PAGE_SIZE == 0:
        return False
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(PLAIN_SQLITE):
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
    return printable < len(head) * 0.9  # random-looking bytes: an encrypted page cut short


def check_store_file(path: Path) -> None:
    """Before opening: a regular, non-empty, whole store on a writable file system. Raises
    StoreNotFound, StorePathError, WrongKeyError (empty, plain SQLite) or StoreDamaged
    (truncated); logs a warning when others may read the file."""
    from desktop.store.vault import damage_message

    info = check_kind(path)
    if info.st_size == 0:
        raise WrongKeyError("not a helpdesk-intake store (the file is empty)")
    if looks_truncated(path, info.st_size):
        raise StoreDamaged(damage_message(path, f"the file is truncated: {info.st_size} bytes is not a whole "
                                                f"number of {PAGE_SIZE}-byte pages"))
    folder = Path(path).resolve().parent
    if _read_only_fs(folder):
        raise StorePathError(f"{path} is on a read-only file system; helpdesk-intake writes its journal and "
                             "lock beside the store: copy it to a writable folder or remount")
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        raise StorePathError(f"no permission to write {path} or its folder; helpdesk-intake writes its "
                             "journal and lock beside the store")
    if info.st_mode & 0o077 and hasattr(os, "getuid"):
        log.warning("the store file %s can be read by other users (mode %o); run 'chmod 600 %s'",
                    path, stat.S_IMODE(info.st_mode), path)


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        return False
