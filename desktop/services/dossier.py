"""Gather everything held about one person: the input of access reports and portable exports."""

from __future__ import annotations

from desktop.domain.clock import from_iso
from desktop.domain.dossier import CaseRecord, Dossier, Organisation, RetentionPolicy
from desktop.domain.models import RequestStatus, SubjectRequest
from desktop.domain.retention.wording import retention_policies
from desktop.domain.validation import ValidationError, check_email
from desktop.errors import NotFound
from desktop.services.context import Context
from desktop.services.settings import SettingsService


def normalise_email(raw: str) -> str:
    result = check_email(raw)
    if result.error:
        raise ValidationError({"email": result.error})
    return str(result.value)


class DossierService:
    def __init__(self, ctx: Context, settings: SettingsService) -> None:
        self.ctx = ctx
        self.settings = settings
        self.requests = ctx.repos.requests

    def requests_for(self, email: str) -> list[SubjectRequest]:
        """Requests of this person: by normalised email, and by subject id when one exists."""
        email = normalise_email(email)
        found = {r.id: r for r in self.requests.for_email(email)}
        subject = self.ctx.subjects.by_email(email)
        if subject is not None:
            found.update({r.id: r for r in self.requests.list(subject_id=subject.id)})
        return sorted(found.values(), key=lambda r: (r.received_at, r.id))

    def exists(self, email: str) -> bool:
        email = normalise_email(email)
        return self.ctx.subjects.by_email(email) is not None or bool(self.requests_for(email))

    def gather(self, email: str) -> Dossier:
        """Everything about the person with this email. NotFound when nothing at all is held."""
        email = normalise_email(email)
        ctx = self.ctx
        subject = ctx.subjects.by_email(email)
        requests = self.requests_for(email)
        if subject is None and not requests:
            raise NotFound("no data held about that person (no case and no request with that email address)")
        case_ids: list[int] = list(ctx.cases.ids_for_subject(subject.id)) if subject else []
        # Cases staff linked to one of this person's verified requests (e.g. matched by phone).
        for req in requests:
            if req.verified and req.status != RequestStatus.REFUSED:
                for cid in self.requests.linked_cases(req.id):
                    if cid not in case_ids:
                        case_ids.append(cid)
        cases = ctx.cases.get_many(case_ids)
        removal = ctx.cases.next_removal(case_ids)
        consents = tuple(ctx.subjects.consents(subject.id)) if subject else ()
        records = []
        for cid in case_ids:
            if cid not in cases:
                continue
            at, policy = removal.get(cid, (None, None))
            records.append(CaseRecord(
                case=cases[cid], notes=tuple(ctx.cases.notes(cid)), changes=tuple(ctx.cases.changes(cid)),
                consents=tuple(c for c in consents if c.case_id == cid),
                next_removal_at=from_iso(at), next_removal_policy=policy))
        records.sort(key=lambda r: (r.case.received_at, r.case.id))
        dossier = Dossier(
            email=email, subject=subject, cases=tuple(records), consents=consents, requests=tuple(requests),
            organisation=Organisation.from_settings(self.settings.organisation()),
            retention=self._retention(), gathered_at=ctx.now())
        target = f"subject:{subject.id}" if subject else "subject:none"
        ctx.audit("dossier.gather", target,
                  f"cases={len(records)};consents={len(consents)};requests={len(requests)}")
        return dossier

    def _retention(self) -> tuple[RetentionPolicy, ...]:
        try:
            value = self.settings.get("retention")
        except (ValueError, TypeError):
            value = None
        return retention_policies(value)


__all__ = ["DossierService", "NotFound", "normalise_email", "retention_policies"]
