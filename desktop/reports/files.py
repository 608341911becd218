"""Writing report files safely: private temp file in the target folder, then an atomic rename.

Nothing with personal data goes into a file name: names carry the request reference only.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path


def safe_ref(ref: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ref or "").strip("-.")
    return cleaned[:60] or "request"


def suggest_filename(ref: str, kind: str = "access-report", ext: str = "pdf") -> str:
    """'access-report-DSR-2026-0001.pdf': the request reference, never the person's name."""
    return f"{kind}-{safe_ref(ref)}.{ext}"


def atomic_write(out_path: Path, data: bytes) -> None:
    """Write data to out_path via a 0600 temp file in the same folder and an atomic rename."""
    out_path = Path(out_path)
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "No such folder", str(folder))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
