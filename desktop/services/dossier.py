"""Gather everything held about one person: the input of access reports and portable exports."""

from __future__ import annotations

from desktop.domain.clock import from_iso
from desktop.domain.dossier import CaseRecord, Dossier, Organisation, RetentionPolicy
from desktop.domain.models import RequestStatus, SubjectRequest
from desktop.domain.validation import ValidationError, check_email
from desktop.errors import NotFound
from desktop.services.context import Context
from desktop.services.settings import SettingsService
from desktop.store.requests_repo import RequestRepo

# Shown when the retention settings are missing: the shipped defaults' wording (DOMAIN.md).
DEFAULT_RETENTION = (
    RetentionPolicy("closed_case", "Closed support case", "365 days after the case is closed", "anonymise",
                    "Long enough to help you again if the problem returns."),
    RetentionPolicy("inactive_case", "Case left open with no activity", "730 days after the last activity",
                    "delete", "A case nobody works on is no longer needed."),
    RetentionPolicy("phone", "Contact number", "30 days after the case is closed", "delete",
                    "Data minimisation: we no longer need to call you."),
    RetentionPolicy("technical_details", "Technical details", "90 days after the case is closed", "delete",
                    "Only needed while diagnosing the problem."),
    RetentionPolicy("marketing_consent", "Marketing consent",
                    "until you withdraw it; proof kept 3 years after withdrawal", "delete",
                    "To prove that we had your consent."),
    RetentionPolicy("requests", "Data-protection request records", "24 months after completion", "delete",
                    "The law asks us to keep a log of requests (e.g. CCPA regulations 7101)."),
)


def normalise_email(raw: str) -> str:
    result = check_email(raw)
    if result.error:
        raise ValidationError({"email": result.error})
    return str(result.value)


def _text(d: dict, *keys: str) -> str:
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return str(v)
    return ""


TRIGGERS = {
    "case_closed": "the case is closed", "last_activity": "the last activity on the case",
    "consent_withdrawn": "you withdraw your consent", "request_completed": "the request is completed",
    "child_flagged": "we find the record belongs to a child under 13", "received": "we receive it",
}
ACTIONS = {"remove_field": "delete that detail", "delete": "delete", "anonymise": "anonymise"}


def _period(d: dict) -> str:
    text = _text(d, "period_text", "period_label")
    if text:
        return text
    raw_trigger = _text(d, "trigger_label", "trigger", "after", "starts")
    trigger = TRIGGERS.get(raw_trigger, raw_trigger.replace("_", " "))
    amount = d.get("period", d.get("period_days", d.get("days")))
    unit = _text(d, "unit") or "days"
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        if amount == 0:
            return f"removed at the next check after {trigger}" if trigger else "removed at the next check"
        return f"{int(amount)} {unit} after {trigger}" if trigger else f"{int(amount)} {unit}"
    return " ".join(x for x in (str(amount or ""), f"after {trigger}" if trigger else "") if x) or "see reason"


def retention_policies(value: object) -> tuple[RetentionPolicy, ...]:
    """Read the 'retention' setting, whatever its exact shape ({"policies": [...]} or
    {"policies": {name: {...}}} or {name: {...}}); the shipped wording when it is absent."""
    if not isinstance(value, dict) or not value:
        return DEFAULT_RETENTION
    items = value.get("policies", value)
    pairs: list[tuple[str, dict]] = []
    if isinstance(items, list):
        pairs = [(_text(p, "key", "name", "id"), p) for p in items if isinstance(p, dict)]
    elif isinstance(items, dict):
        pairs = [(str(k), p) for k, p in items.items() if isinstance(p, dict)]
    out = []
    for key, p in pairs:
        label = _text(p, "label", "title", "category", "description") or key.replace("_", " ").capitalize()
        action = _text(p, "action")
        out.append(RetentionPolicy(key, label, _period(p), ACTIONS.get(action, action.replace("_", " ")),
                                   _text(p, "reason", "why")))
    return tuple(out) or DEFAULT_RETENTION


class DossierService:
    def __init__(self, ctx: Context, settings: SettingsService) -> None:
        self.ctx = ctx
        self.settings = settings
        self.requests = RequestRepo(ctx.vault)

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
