"""import-mail: cases from .eml, .msg, mbox files and folders, idempotent by Message-ID, marked
unconfirmed until staff confirm the privacy notice and age in the window; a message from a
person erased on request is held, not imported."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.domain.mail.prefill import MailReadError, Prefill
from desktop.domain.validation import ValidationError, validate_intake
from desktop.services.context import Context
from desktop.services.intake import IntakeService
from desktop.services.mail import default_settings, prefill_bytes, stored_record
from desktop.services.mail_files import iter_messages
from desktop.services.settings import SettingsService


@dataclass
class MailLine:
    label: str
    outcome: str            # created, would_create, duplicate, held, refused, invalid
    message: str = ""
    case_id: int | None = None
    email: str = ""
    category: str = ""


@dataclass
class MailImportReport:
    lines: list[MailLine] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for x in self.lines if x.outcome == outcome)

    @property
    def problems(self) -> list[MailLine]:
        return [x for x in self.lines if x.outcome in ("held", "refused", "invalid")]


def message_key(p: Prefill, data: bytes) -> str:
    """What makes two imports the same mail: its Message-ID, else its bytes (kept as a hash only)."""
    basis = p.message_id.strip().lower().encode("utf-8") if p.message_id.strip() else b"raw:" + data
    return hashlib.sha256(basis).hexdigest()


class MailImportService:
    def __init__(self, ctx: Context, intake: IntakeService, settings: SettingsService,
                 was_erased: Callable[[str], bool] | None = None) -> None:
        self.ctx, self.intake, self.settings = ctx, intake, settings
        self.repo = ctx.repos.mail
        self.was_erased = was_erased     # the reliability work's suppression check, when present

    def mail_settings(self) -> dict:
        stored = self.ctx.settings_repo.get("mail")
        return {**default_settings(), **(stored if isinstance(stored, dict) else {})}

    def form_of(self, p: Prefill) -> dict:
        name = p.name.strip() or (p.email.split("@")[0] if p.email else "")
        return {"name": name, "email": p.email, "phone": None, "category": p.category,
                "description": p.description.strip() or p.subject.strip() or "(no text in the message)",
                "technical_details": p.technical_details or None, "channel": p.channel,
                "received_at": p.received_at, "marketing_consent": False,
                # made without staff: stored unconfirmed (no notice acknowledgement) until confirmed
                "notice_acknowledged": True, "not_a_child": True}

    def import_path(self, path: Path, *, dry_run: bool = False) -> MailImportReport:
        report = MailImportReport()
        settings = self.mail_settings()
        now = self.ctx.now()
        pending: list[tuple[MailLine, Prefill, object, str]] = []
        seen: set[str] = set()
        for label, item in iter_messages(path):
            if isinstance(item, MailReadError):
                report.lines.append(MailLine(label, "invalid", str(item)))
                continue
            try:
                p = prefill_bytes(item, settings)
            except MailReadError as exc:
                report.lines.append(MailLine(label, "invalid", str(exc)))
                continue
            key = message_key(p, item)
            line = MailLine(label, "", email=p.email, category=p.category)
            report.lines.append(line)
            if key in seen:
                line.outcome, line.message = "duplicate", "the same message appears earlier in this import"
                continue
            seen.add(key)
            if not p.email:
                line.outcome, line.message = "invalid", "no sender address to file the case under"
                continue
            try:
                data = validate_intake(self.form_of(p), now=now, default_region=self.settings.phone_region,
                                       notice_version=self.settings.notice_version)
            except ValidationError as exc:
                line.outcome, line.message = "invalid", str(exc)
                continue
            pending.append((line, p, data, key))
        known = self.repo.known_keys([k for *_, k in pending])
        fresh = []
        for line, p, data, key in pending:
            if key in known:
                line.outcome, line.message = "duplicate", "already imported (same Message-ID)"
            elif self.was_erased is not None and self.was_erased(data.email):
                line.outcome = "held"
                line.message = "held: this person's data was erased on request; not imported (decide by hand)"
            else:
                fresh.append((line, p, data, key))
        refusals = self.intake.refusals([d for _, _, d, _ in fresh])
        todo = []
        for (line, p, data, key), problem in zip(fresh, refusals, strict=True):
            if problem:
                line.outcome, line.message = "refused", problem
            else:
                todo.append((line, p, data, key))
        if dry_run:
            for line, *_ in todo:
                line.outcome = "would_create"
            return report
        if todo:
            with self.ctx.vault.transaction():
                results = self.intake.store_many([d for _, _, d, _ in todo], source="mail")
                for (line, p, _data, key), result in zip(todo, results, strict=True):
                    record = stored_record(p.diagnosis, settings) if p.diagnosis is not None else None
                    self.repo.add(result.case_id, key, p.source, record, now)
                    line.outcome, line.case_id = "created", result.case_id
                self.ctx.audit("mail.import", f"case:{results[0].case_id}-{results[-1].case_id}",
                               f"count={len(results)};unconfirmed={len(results)}")
        return report

    def confirm(self, case_id: int) -> bool:
        """Staff confirmed, in the window, that the notice was given and the person is 13+."""
        case = self.ctx.cases.get(case_id)
        with self.ctx.vault.transaction():
            done = self.repo.confirm(case_id, case.subject_id, self.settings.notice_version, self.ctx.now(), self.ctx.staff)
            if done:
                self.ctx.audit("mail.confirm", f"case:{case_id}", "notice=acknowledged;age=13+")
        return done

    def attach(self, case_id: int, p: Prefill, data: bytes) -> None:
        """A case staff saved from a mail in the window: keep its diagnosis, confirmed at once
        (staff showed the notice and confirmed the age in the form)."""
        settings = self.mail_settings()
        record = stored_record(p.diagnosis, settings) if p.diagnosis is not None else None
        with self.ctx.vault.transaction():
            if message_key(p, data) in self.repo.known_keys([message_key(p, data)]):
                return
            self.repo.add(case_id, message_key(p, data), p.source, record, self.ctx.now(),
                          confirmed_by=self.ctx.staff)
            self.ctx.audit("mail.attach", f"case:{case_id}", f"source={p.source}")

    def record(self, case_id: int) -> dict | None:
        return self.repo.record(case_id)


def for_services(services) -> MailImportService:
    """Built from an open Services (CLI and window share it); the erasure check when it exists."""
    check = getattr(getattr(services, "erasures", None), "was_erased", None) \
        or getattr(getattr(services, "rights", None), "was_erased", None)
    return MailImportService(services.ctx, services.intake, services.settings, was_erased=check)
