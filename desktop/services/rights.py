"""Answering the rights that change what is held: erasure (Art. 17), restriction (Art. 18),
objection (Art. 21) and rectification (Art. 16), with the Art. 19 list of recipients to notify.

Audit entries carry ids and policy names only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.domain.models import RequestStatus, RequestType, Subject, SubjectRequest
from desktop.domain.recipients import to_notify, to_notify_of_objection
from desktop.domain.validation import ValidationError, check_email
from desktop.errors import NotFound, RefusedError
from desktop.services.cases import CaseService
from desktop.services.context import Context
from desktop.services.erasure_copies import erase_in_copies
from desktop.services.erasure_record import ErasureRecordService
from desktop.services.requests import RequestService, clean_text
from desktop.services.settings import SettingsService

OBJECTION_KINDS = ("marketing", "analytics", "other")


@dataclass(frozen=True)
class ErasureResult:
    request_ref: str
    erased_cases: list[int]
    kept_cases: list[int]  # held under a legal hold
    subject_erased: bool
    held_by_subject: bool  # the whole person is under a legal hold
    recipients: list[str]  # Art. 19: tell each of them
    outcome: str
    copies_cleaned: list = field(default_factory=list)  # copies beside the store the erasure reached
    copies_unreachable: list = field(default_factory=list)  # (copy, why): may still hold the person


@dataclass(frozen=True)
class RightsResult:
    subject_id: int
    request_ref: str | None
    recipients: list[str]
    detail: str = ""


class RightsService:
    def __init__(self, ctx: Context, settings: SettingsService, requests: RequestService,
                 cases: CaseService, erasures: ErasureRecordService | None = None,
                 copy_context: Callable[[object], Context] | None = None) -> None:
        self.ctx = ctx
        self.copy_context = copy_context  # a Context over another open vault (a copy of the store)
        self.erasures = erasures or ErasureRecordService(ctx)
        self.settings = settings
        self.requests = requests
        self.cases = cases
        self.repo = ctx.repos.rights

    # ---- shared ------------------------------------------------------------------------------------
    def received_by(self, subject: Subject | None, *, holds_data: bool = True,
                    objection: str | None = None) -> list[str]:
        """Art. 19: the recipients that actually received this person's data, by what each receives
        (Settings > Recipients): every case, or only people who ever gave marketing consent. For an
        objection, only those whose processing it concerns (to_notify_of_objection)."""
        consented = subject is not None and any(
            c.kind == "marketing" for c in self.ctx.subjects.consents(subject.id))
        recipients = self.settings.organisation().get("recipients") or []
        if objection is not None:
            return to_notify_of_objection(recipients, objection, holds_data=holds_data,
                                          marketing_consent=consented)
        return to_notify(recipients, holds_data=holds_data, marketing_consent=consented)

    def subject_by_email(self, email: str) -> Subject:
        """The person filed under this email; NotFound when nothing is held about them."""
        em = check_email(email)
        if em.error:
            raise ValidationError({"email": em.error})
        subject = self.ctx.subjects.by_email(str(em.value))
        if subject is None:
            raise NotFound("no data is held for this person")
        return subject

    def _request(self, ref: str | None, email: str, rtype: RequestType) -> SubjectRequest | None:
        """The named request (must be of type rtype), else the latest open one of that type."""
        if ref:
            req = self.requests.by_ref(ref)
            if req.type is not rtype:
                raise RefusedError(f"{req.ref} is a {req.type.value} request, not {rtype.value}")
            return req
        address = str(check_email(email).value)
        open_ones = [r for r in self.requests.repo.for_email(address)
                     if r.type is rtype and not r.status.closed]
        return open_ones[-1] if open_ones else None

    # ---- erasure (Art. 17) ----------------------------------------------------------------------------
    def erase_email(self, email: str) -> ErasureResult:
        """Erase using the person's latest verified erasure request."""
        return self.erase(self.requests.verified_request_for(email, (RequestType.ERASURE,)).id)

    def erase(self, request_id: int) -> ErasureResult:
        """Remove everything about the person that no legal hold covers, in one transaction,
        then scrub the store (FTS merge, WAL truncate). The request is completed; its register
        entry keeps only the non-identifying subject reference when nothing is held."""
        req = self.requests.require_verified(request_id)
        if req.type is not RequestType.ERASURE:
            raise RefusedError(f"{req.ref} is a {req.type.value} request, not an erasure request")
        if req.status.closed:
            raise RefusedError(f"{req.ref} is already {req.status.value}")
        subject = self.requests.subject_of(req)
        case_ids = self.requests.cases_for(req)
        cases = self.ctx.cases.get_many(case_ids)
        held_by_subject = bool(subject and subject.on_hold)
        if held_by_subject:
            kept, doomed = sorted(cases), []
        else:
            kept = sorted(cid for cid, c in cases.items() if c.on_hold)
            doomed = sorted(cid for cid, c in cases.items() if not c.on_hold)
        remaining = 0
        if subject is not None:
            remaining = self.repo.subject_case_count(subject.id) - sum(
                1 for cid in doomed if cases[cid].subject_id == subject.id)
        delete_subject = subject is not None and not held_by_subject and remaining == 0
        person_gone = delete_subject or (subject is None and not kept)
        register = self.requests.repo.for_subject(subject.id if subject else None, req.subject_email) \
            if person_gone else []
        # before the consents go; nothing erased (a hold keeps it all): nothing to tell
        recipients = self.received_by(subject, holds_data=bool(doomed or delete_subject))
        others = sorted({cases[cid].subject_id for cid in doomed} - {subject.id if subject else None, None})
        outcome = self._erasure_outcome(doomed, kept, held_by_subject, person_gone)
        now = self.ctx.now()
        with self.ctx.vault.transaction():
            counts = self.repo.erase(subject_id=subject.id if subject else None, case_ids=doomed,
                                     delete_subject=delete_subject, request_ids=[r.id for r in register])
            if person_gone:  # the keyed record (no address): restore re-applies it, imports hold the person
                self.erasures.record(req.subject_email, subject.email if subject else None)
            for other in others:  # confirmed cases filed under another address of the person
                self.ctx.subjects.delete_if_orphan(other)  # type: ignore[arg-type]
            self.requests.add_details(req.id, erased_cases=len(doomed), kept_cases=kept,
                                      notify_recipients=recipients)
            self.requests.repo.update(req.id, status=RequestStatus.COMPLETED, outcome=outcome, completed_at=now)
            target = f"request:{req.id}" + (f",subject:{subject.id}" if subject else "")
            self.ctx.audit("rights.erase", target,
                           f"cases={counts.cases};notes={counts.notes};changes={counts.changes};"
                           f"consents={counts.consents};kept={len(kept)};subject_erased={int(counts.subject)};"
                           f"recipients={len(recipients)}")
        self.ctx.vault.scrub()
        copies = erase_in_copies(self.ctx, self.erasures, self.copy_context) \
            if person_gone and self.copy_context is not None else None
        return ErasureResult(req.ref, doomed, kept, delete_subject, held_by_subject, recipients, outcome,
                             copies.cleaned if copies else [], copies.unreachable if copies else [])

    @staticmethod
    def _erasure_outcome(doomed: list[int], kept: list[int], held_by_subject: bool, person_gone: bool) -> str:
        parts = [f"Erased {len(doomed)} case(s) with their notes, change history and consents."]
        if person_gone:
            parts.append("Nothing else is held about the person.")
        if held_by_subject:
            parts.append(f"Kept {len(kept)} case(s) and the person's record: a legal hold covers "
                         "the person; they will be erased when the hold is lifted.")
        elif kept:
            parts.append(f"Kept {len(kept)} case(s) under a legal hold (case "
                         + ", ".join(map(str, kept)) + "); they will be erased when the hold is lifted.")
        return " ".join(parts)

    # ---- restriction (Art. 18) --------------------------------------------------------------------------
    def restrict(self, email: str, reason: str | None = None, *, request_ref: str | None = None) -> RightsResult:
        """Flag the person: their cases become read-only, no new case may be added for them,
        and they drop out of every processing list until the restriction is lifted."""
        subject = self.subject_by_email(email)
        if subject.restricted:
            raise RefusedError("processing of this person's data is already restricted")
        text = clean_text(reason, "reason", required=False) or "At the person's request (Art. 18)."
        req = self._request(request_ref, email, RequestType.RESTRICTION)
        recipients = self.received_by(subject)
        with self.ctx.vault.transaction():
            self.ctx.subjects.update(subject.id, restricted_at=self.ctx.now(), restriction_reason=text)
            self._cases_changed(subject.id)  # retention timers pause while restricted
            if req is not None:
                self.requests.add_details(req.id, restricted_at=self.ctx.now().isoformat(),
                                          notify_recipients=recipients)
            self.ctx.audit("rights.restrict", self._target(subject, req), f"recipients={len(recipients)}")
        return RightsResult(subject.id, req.ref if req else None, recipients)

    def lift_restriction(self, email: str, *, request_ref: str | None = None) -> RightsResult:
        """Lift a restriction (Art. 18(3): the person is told before it is lifted)."""
        subject = self.subject_by_email(email)
        if not subject.restricted:
            raise RefusedError("processing of this person's data is not restricted")
        req = self._request(request_ref, email, RequestType.RESTRICTION)
        recipients = self.received_by(subject)
        with self.ctx.vault.transaction():
            self.ctx.subjects.update(subject.id, restricted_at=None, restriction_reason=None)
            self._cases_changed(subject.id)
            if req is not None:
                self.requests.add_details(req.id, restriction_lifted_at=self.ctx.now().isoformat())
            self.ctx.audit("rights.restrict_lift", self._target(subject, req), f"recipients={len(recipients)}")
        return RightsResult(subject.id, req.ref if req else None, recipients)

    def _cases_changed(self, subject_id: int) -> None:
        for case_id in self.ctx.cases.ids_for_subject(subject_id):
            self.ctx.notify_case_changed(case_id)

    def processable_case_ids(self, case_ids: list[int]) -> list[int]:
        """case_ids without those of restricted people: bulk actions and any processing that is
        not retention-driven deletion must go through this."""
        blocked = self.repo.restricted_case_ids(case_ids)
        return [cid for cid in case_ids if cid not in blocked]

    def marketing_audience(self) -> list[tuple[int, str]]:
        """(subject id, email) who may receive marketing: active consent, no objection, not restricted."""
        people = self.repo.marketing_audience()
        self.ctx.audit("rights.marketing_list", "subjects", f"count={len(people)}")
        return people

    # ---- objection (Art. 21) ----------------------------------------------------------------------------
    def object(self, email: str, to: str, reason: str | None = None, *,
               request_ref: str | None = None) -> RightsResult:
        """Record what the person objects to. Marketing: withdraw every marketing consent and block
        new ones. The objection is kept on the person's objection request (opened if none is open)."""
        kind = (to or "").strip().lower()
        if kind not in OBJECTION_KINDS:
            raise ValidationError({"to": "Object to one of: " + ", ".join(OBJECTION_KINDS) + "."})
        text = clean_text(reason, "reason", required=kind == "other")
        subject = self.subject_by_email(email)
        req = self._request(request_ref, email, RequestType.OBJECTION)
        recipients = self.received_by(subject, objection=kind)  # before consents are withdrawn
        now = self.ctx.now()
        with self.ctx.vault.transaction():
            if req is None:
                req = self.requests.open(RequestType.OBJECTION, email).request
            withdrawn = 0
            if kind == "marketing":
                withdrawn = self.ctx.subjects.withdraw_consents(subject.id, "marketing", now)
                if subject.marketing_objected_at is None:
                    self.ctx.subjects.update(subject.id, marketing_objected_at=now)
            entries = list((req.details or {}).get("objections") or [])
            entries.append({"to": kind, "text": text, "at": now.isoformat()})
            self.requests.add_details(req.id, objections=entries, notify_recipients=recipients)
            self.ctx.audit("rights.object", self._target(subject, req), f"to={kind};withdrawn={withdrawn}")
        return RightsResult(subject.id, req.ref, recipients, f"withdrawn={withdrawn}")

    # ---- rectification (Art. 16) -------------------------------------------------------------------------
    def rectify(self, request_id: int, case_id: int, changes: dict[str, object]) -> RightsResult:
        """Correct a case for a verified rectification request; the change history carries the
        request reference. Returns the recipients to tell (Art. 19)."""
        req = self.requests.require_verified(request_id)
        if req.type is not RequestType.RECTIFICATION:
            raise RefusedError(f"{req.ref} is a {req.type.value} request, not a rectification request")
        if req.status.closed:
            raise RefusedError(f"{req.ref} is already {req.status.value}")
        if case_id not in self.requests.cases_for(req):
            raise RefusedError(f"case {case_id} is not one of the cases confirmed for {req.ref}")
        subject_id = self.ctx.cases.get(case_id).subject_id
        changed = self.cases.rectify(case_id, changes, request_ref=req.ref)
        recipients = self.received_by(self.ctx.subjects.get(subject_id) if subject_id else None)
        if changed:
            with self.ctx.vault.transaction():
                done = list((req.details or {}).get("rectified") or [])
                done.append({"case": case_id, "fields": changed, "at": self.ctx.now().isoformat()})
                self.requests.add_details(req.id, rectified=done, notify_recipients=recipients)
                self.ctx.audit("rights.rectify", f"request:{req.id},case:{case_id}",
                               "fields=" + ",".join(changed) + f";recipients={len(recipients)}")
        return RightsResult(subject_id or 0, req.ref, recipients, ",".join(changed))

    @staticmethod
    def _target(subject: Subject, req: SubjectRequest | None) -> str:
        return f"subject:{subject.id}" + (f",request:{req.id}" if req else "")
