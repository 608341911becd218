"""Writing report files safely: private temp file in the target folder, then an atomic rename.

Nothing with personal data goes into a file name: names carry the request reference only.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import time
from pathlib import Path


def safe_ref(ref: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ref or "").strip("-.")
    return cleaned[:60] or "request"


def suggest_filename(ref: str, kind: str = "access-report", ext: str = "pdf") -> str:
    """'access-report-DSR-2026-0001.pdf': the request reference, never the person's name."""
    return f"{kind}-{safe_ref(ref)}.{ext}"


PART_PREFIX = ".helpdesk-intake-"
PART_SUFFIX = ".part"
LEFTOVER_AGE = 60.0  # seconds: a named part file older than this is a killed write's leftover


def atomic_write(out_path: Path, data: bytes) -> None:
    """Write data to out_path without ever leaving the personal data under another name.

    Linux: into an unnamed file in the target folder (O_TMPFILE), which the kernel frees if the
    process dies; only once it is complete and on disk is it linked in as out_path itself (an
    existing out_path is unlinked just before). Elsewhere: a 0600 hidden temp file and an atomic rename. Either way,
    leftovers of killed writes in that folder (ours, and the `.tmp-*.part` reports of older
    versions) are removed first."""
    out_path = Path(out_path)
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "No such folder", str(folder))
    remove_leftovers(folder)
    if _write_unnamed(folder, out_path, data):
        return
    fd, tmp = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX, dir=folder)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh.fileno(), data)
        os.replace(tmp, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _write_unnamed(folder: Path, out_path: Path, data: bytes) -> bool:
    """O_TMPFILE + linkat; False where the system or file system cannot (then nothing was made)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return False
    try:
        fd = os.open(folder, flag | os.O_WRONLY, 0o600)
    except OSError:
        return False
    try:
        _write_all(fd, data)
        # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N straight to out_path (a plain os.link would not
        # follow it). The complete data never has another name: an existing out_path is unlinked
        # first, so a kill between the two steps leaves no file there (the write was replacing it
        # anyway), never a hidden plaintext copy beside it.
        proc = os.open("/proc/self/fd", os.O_RDONLY)
        try:
            for _ in range(5):
                try:
                    os.link(str(fd), out_path, src_dir_fd=proc, follow_symlinks=True)
                    return True
                except FileExistsError:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(out_path)
                except OSError:
                    return False  # this file system cannot: the named-temp-file path below
            return False
        finally:
            os.close(proc)
    finally:
        os.close(fd)


def _is_leftover(entry: os.DirEntry, now: float) -> bool:
    name = entry.name
    ours = name.startswith(PART_PREFIX) and name.endswith(PART_SUFFIX)
    legacy = name.startswith(".tmp-") and name.endswith(PART_SUFFIX)
    if not (ours or legacy) or not entry.is_file(follow_symlinks=False):
        return False
    info = entry.stat(follow_symlinks=False)
    if info.st_uid != getattr(os, "getuid", lambda: info.st_uid)() or now - info.st_mtime < LEFTOVER_AGE:
        return False
    if ours:
        return True
    with open(entry.path, "rb") as fh:  # an older version's report or export, not someone else's file
        return fh.read(4) in (b"%PDF", b"PK\x03\x04")


def remove_leftovers(folder: Path) -> list[str]:
    """Remove the part files killed report/export writes left in folder; their names."""
    removed = []
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if _is_leftover(entry, now):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """AES-256 (PDF 2.0 /V 5 /R 6, AESV3) encryption of a finished PDF with pypdf."""
    from pypdf import PdfReader, PdfWriter

    if not password:
        raise ValueError("the password is empty")
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
