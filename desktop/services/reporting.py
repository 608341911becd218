"""Release of personal data to the person: the access report (Art. 15) and the portable export
(Art. 20). Nothing is released until the person's identity has been verified on a request of the
right type (GDPR recital 64)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.models import RequestType, SubjectRequest, pick_verified, verification_label
from desktop.errors import NotFound, RefusedError
from desktop.services.context import Context
from desktop.services.dossier import DossierService, normalise_email
from desktop.services.settings import SettingsService

if TYPE_CHECKING:
    from desktop.reports.access_report import ReportResult
    from desktop.reports.export import ExportResult

# reportlab (via desktop.reports) is imported when a report is made, not at start: it was ~40% of
# the app's import time before the first window paints (docs/bench.md).

Progress = Callable[[float, str], None]

REPORT_TYPES = (RequestType.ACCESS,)
EXPORT_TYPES = (RequestType.PORTABILITY, RequestType.ACCESS)


def verification_note(req: SubjectRequest) -> str:
    from desktop.reports.blocks import when

    method = verification_label(req.verification_method)
    who = f" by {req.verified_by}" if req.verified_by else ""
    return f"Your identity was verified on {when(req.verified_at)}{who} ({method}), before this data was released."


class ReportService:
    def __init__(self, ctx: Context, settings: SettingsService, dossier: DossierService) -> None:
        self.ctx = ctx
        self.settings = settings
        self.dossier = dossier

    def verified_request(self, email: str, types: tuple[RequestType, ...]) -> SubjectRequest:
        """The verified, not refused request of one of `types` that authorises release.

        NotFound when nothing is known about the person; RefusedError when identity is unverified."""
        email = normalise_email(email)
        if not self.dossier.exists(email):
            raise NotFound("no data held about that person (no case and no request with that email address)")
        wanted = [r for r in self.dossier.requests_for(email) if r.type in types]
        names = " or ".join(t.value for t in types)
        if not wanted:
            raise RefusedError(
                f"identity not verified: there is no {names} request for this person; open one with "
                f"'helpdesk-intake request open --type {types[0].value} --email ...' and verify their identity")
        chosen = pick_verified(wanted)
        if chosen is None:
            refs = ", ".join(r.ref for r in wanted)
            raise RefusedError(f"identity not verified: request {refs} has no recorded identity check; "
                               f"record it with 'helpdesk-intake request verify {wanted[-1].ref} --method ...' "
                               "before releasing data")
        return chosen

    def access_report(self, email: str, out_path: Path | str, password: str | None = None,
                      progress: Progress | None = None) -> tuple[ReportResult, SubjectRequest]:
        req = self.verified_request(email, REPORT_TYPES)
        dossier = self.dossier.gather(email)
        from desktop.reports.access_report import render_access_report

        result = render_access_report(
            dossier, out_path, request_ref=req.ref, generated_at=self.ctx.now(),
            verification_note=verification_note(req), password=password, progress=progress,
            request_received_at=req.received_at)
        self.ctx.audit("report.access", f"request:{req.id},{self._subject(dossier)}",
                       f"pages={result.pages};cases={len(dossier.cases)};"
                       f"encrypted={'aes-256' if result.encrypted else 'no'}")
        return result, req

    def export(self, email: str, out_path: Path | str,
               progress: Progress | None = None) -> tuple[ExportResult, SubjectRequest]:
        req = self.verified_request(email, EXPORT_TYPES)
        dossier = self.dossier.gather(email)
        from desktop.reports.export import write_export

        result = write_export(dossier, out_path, request_ref=req.ref, generated_at=self.ctx.now(),
                              progress=progress)
        self.ctx.audit("report.export", f"request:{req.id},{self._subject(dossier)}",
                       f"cases={len(dossier.cases)};files={len(result.files)}")
        return result, req

    @staticmethod
    def _subject(dossier) -> str:
        return f"subject:{dossier.subject.id}" if dossier.subject else "subject:none"
