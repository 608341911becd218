"""Mail files: .eml (RFC 5322), Outlook .msg (read with olefile: BSD licence, pure Python; we read
the compound file's MAPI properties ourselves), mbox (stdlib mailbox) and folders of them.
Attachments are never opened, extracted or executed."""

from __future__ import annotations

import mailbox
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from desktop.domain.mail.prefill import MAX_MESSAGE_BYTES, MailReadError

MSG_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FILES = 10_000
# MAPI property tags (string properties: 001F = UTF-16LE, 001E = 8-bit)
PROPS = {"subject": "0037", "sender_name": "0C1A", "sender_email": "0C1F", "sender_smtp": "5D01",
         "body": "1000", "headers": "007D", "message_id": "1035", "display_to": "0E04"}
PR_CLIENT_SUBMIT_TIME = 0x00390040
PR_MESSAGE_DELIVERY_TIME = 0x0E060040


def _read_capped(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_MESSAGE_BYTES:
        raise MailReadError(f"{path.name} is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB; not read")
    return path.read_bytes()


def read_one(path: Path) -> tuple[str, bytes]:
    """One message file as RFC 5322 bytes: .msg converted, anything else read as it is."""
    data = _read_capped(path)
    if data[:8] == MSG_MAGIC:
        return path.name, msg_to_rfc822(data)
    return path.name, data


def iter_messages(path: Path) -> Iterator[tuple[str, bytes | MailReadError]]:
    """(label, message bytes or the reason it cannot be read) for a file, an mbox or a folder."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".eml", ".msg", ".mbox", ".txt"))
        for p in files[:MAX_FILES]:
            yield from iter_messages(p)
        return
    head = path.open("rb").read(8) if path.exists() else b""
    if path.suffix.lower() == ".mbox" or (head.startswith(b"From ") and path.suffix.lower() not in (".eml", ".msg")):
        box = mailbox.mbox(str(path), create=False)
        try:
            for n, key in enumerate(box.iterkeys(), start=1):
                if n > MAX_FILES:
                    break
                try:
                    data = box.get_bytes(key)
                except Exception as exc:
                    yield f"{path.name} message {n}", MailReadError(f"unreadable ({type(exc).__name__})")
                    continue
                yield f"{path.name} message {n}", data
        finally:
            box.close()
        return
    try:
        yield read_one(path)
    except MailReadError as exc:
        yield path.name, exc


def _filetime(value: int) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=value // 10)
    except OverflowError:
        return None


def msg_to_rfc822(data: bytes) -> bytes:
    """An Outlook .msg as an RFC 5322 message: its transport headers when it has them (received
    mail), else From/Subject/Date from its properties, and the plain-text body."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:
        raise MailReadError(f"not a readable Outlook .msg file ({type(exc).__name__})") from exc
    try:
        def prop(key: str) -> str:
            tag = PROPS[key]
            for suffix, enc in (("001F", "utf-16-le"), ("001E", "latin-1")):
                name = f"__substg1.0_{tag}{suffix}"
                if ole.exists(name):
                    size = ole.get_size(name)
                    if size > MAX_MESSAGE_BYTES:
                        raise MailReadError("a property of the .msg file is too large; not read")
                    return ole.openstream(name).read().decode(enc, "replace").rstrip("\x00")
            return ""

        when = None
        if ole.exists("__properties_version1.0"):
            raw = ole.openstream("__properties_version1.0").read()
            for off in range(32, len(raw) - 15, 16):
                tag, _flags, value = struct.unpack_from("<IIQ", raw, off)
                if tag in (PR_MESSAGE_DELIVERY_TIME, PR_CLIENT_SUBMIT_TIME) and value:
                    when = _filetime(value) or when
                    if tag == PR_MESSAGE_DELIVERY_TIME:
                        break
        headers = prop("headers").replace("\r\n", "\n").strip()
        body = prop("body")
        attachments = sum(1 for entry in ole.listdir(streams=False, storages=True)
                          if entry and entry[0].startswith("__attach_version1.0_"))
        lines = []
        if headers:
            skipping = False   # the body is re-encoded as UTF-8 text: drop the old MIME headers
            for line in headers.split("\n"):
                if line[:1] in (" ", "\t"):
                    if not skipping:
                        lines.append(line)
                    continue
                skipping = line.lower().startswith(("content-type:", "content-transfer-encoding:", "mime-version:"))
                if not skipping:
                    lines.append(line)
        else:
            sender = prop("sender_smtp") or prop("sender_email")
            name = prop("sender_name")
            lines.append(f"From: {name} <{sender}>" if sender and "@" in sender else f"From: {name}")
            lines.append(f"Subject: {prop('subject')}")
            if prop("message_id"):
                lines.append(f"Message-ID: {prop('message_id')}")
            if when:
                lines.append(f"Date: {format_datetime(when)}")
        if attachments:
            lines.append(f"X-Helpdesk-Attachments-Not-Opened: {attachments}")
        lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                  "Content-Transfer-Encoding: 8bit", "", body]
        return "\n".join(lines).encode("utf-8")
    finally:
        ole.close()
