"""Shared helpers for report tests: people with cases, verified requests, PDF text."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

from desktop.domain.models import RequestType
from desktop.store.requests_repo import RequestRepo
from tests.helpers.factories import add_case

NAME = "Zoë Łukasz-Ωμέγα Жуков 山田"
EMAIL = "zoe@example.org"
OTHER_EMAIL = "other.person@example.net"
HOSTILE_NAME = "<b>Bob</b>"
HOSTILE_DESC = 'Bounce from <mailer-daemon@example.com> and <img src="/etc/passwd"/> & <font name="x">'


def request(services, email: str = EMAIL, type: RequestType = RequestType.ACCESS, *, verified: bool = True,
            ref: str = "DSR-2026-0001") -> int:
    """Insert a request straight into the register (independent of the request service)."""
    ctx = services.ctx
    repo = RequestRepo(ctx.vault)
    subject = ctx.subjects.by_email(email)
    with ctx.vault.transaction():
        rid = repo.insert(ref=ref, type=type, subject_id=subject.id if subject else None, subject_email=email,
                          subject_phone=None, subject_ref="P-TEST" + ref[-4:], received_at=ctx.now(),
                          channel="email", due_at=ctx.now() + timedelta(days=30), created_by="tester")
        if verified:
            repo.update(rid, verified_at=ctx.now(), verified_by="tester",
                        verification_method="reply_from_address")
    return rid


def person_with_cases(services) -> dict:
    """Three cases for Zoë (one hostile, one CJK-heavy), one for another person."""
    ids = {
        "zoe1": add_case(services, name=NAME, email=EMAIL, description="Mail to Łódź bounces (ő, ş).",
                         marketing_consent=True),
        "zoe2": add_case(services, name=HOSTILE_NAME, email=EMAIL, phone=None, category="spam_folder",
                         description=HOSTILE_DESC, technical_details="=cmd|' /C calc'!A0\nReceived: from mx"),
        "zoe3": add_case(services, name=NAME, email=EMAIL, category="smtp_auth",
                         description="Ελληνικά και русский текст, 東京の山田さん, 서울의 김민준"),
        "other": add_case(services, name="Quentin Otherperson", email=OTHER_EMAIL,
                          description="OTHER-PERSON-SECRET-TEXT"),
    }
    services.cases.add_note(ids["zoe1"], "Called back; note with <script>alert(1)</script>")
    services.cases.rectify(ids["zoe1"], {"phone": "+44 20 7946 0999"})
    services.cases.add_note(ids["other"], "OTHER-NOTE-SECRET")
    return ids


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pypdf_text(path: Path, password: str | None = None) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if password is not None:
        reader.decrypt(password)
    return [page.extract_text() or "" for page in reader.pages]


def squash(text: str) -> str:
    """Join lines so phrases split by wrapping can be found."""
    return " ".join(text.split())
