"""What each action on a data-subject request allows now, and why not, in the words the window
shows: the refusal rules of RequestService and RightsService asked in advance, so the window never
restates them (ui/requests/controller.py asks RequestService.allowed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.domain import deadlines as dl
from desktop.domain.models import RequestStatus, RequestType, Subject, SubjectRequest

ACTIONS = ("start", "verify", "extend", "complete", "refuse", "report", "export", "erase",
           "restrict", "lift", "object", "rectify")
STATUS_WORDS = {
    RequestStatus.RECEIVED: "received",
    RequestStatus.VERIFYING: "verifying identity",
    RequestStatus.IN_PROGRESS: "in progress",
    RequestStatus.COMPLETED: "completed",
    RequestStatus.REFUSED: "refused",
}
NOT_VERIFIED = "Record the identity verification first: nothing is released or changed before it."


def day(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else "—"


def stamp(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


@dataclass(frozen=True)
class Allowed:
    enabled: bool
    why: str = ""  # shown as the tooltip / next to a disabled action

    def __bool__(self) -> bool:
        return self.enabled


def recipients_to_tell(req: SubjectRequest) -> list[str]:
    """Art. 19: the recipients on the request's list not yet ticked as told."""
    details = req.details or {}
    marks = details.get("told") or {}
    return [str(n) for n in details.get("notify_recipients") or [] if str(n) not in marks]


def still_open(req: SubjectRequest) -> bool:
    """On the desk's open list: not closed, or closed with recipients still to tell (an erasure
    completes its request before the agent has told anyone)."""
    return not req.status.closed or bool(recipients_to_tell(req))


ERASE_FIRST = ("An erasure request is completed by Erase…, which records what was erased "
               "(or Refuse… it with a reason).")


def extension_block(req: SubjectRequest, now: datetime) -> str | None:
    """'extended' (only one extension), 'late' (past the original deadline) or None: may be extended."""
    if req.extended_due_at is not None:
        return "extended"
    if dl.is_overdue(req.due_at, now):
        return "late"
    return None


def allowed(req: SubjectRequest, subject: Subject | None, now: datetime) -> dict[str, Allowed]:
    if req.status.closed:
        why = f"The request is {STATUS_WORDS[req.status]}: nothing more can be done."
        return {a: Allowed(False, why) for a in ACTIONS}
    verified = req.verified
    gate = Allowed(True) if verified else Allowed(False, NOT_VERIFIED)
    out = {a: Allowed(False, "Not for this type of request.") for a in ACTIONS}
    out["start"] = Allowed(True) if req.status is RequestStatus.RECEIVED and not verified else Allowed(
        False, "Not needed: identity is verified." if verified else "Verification already started.")
    out["verify"] = Allowed(not verified, "" if not verified else
                            f"Verified {stamp(req.verified_at)} by {req.verified_by or '—'}.")
    block = extension_block(req, now)
    if block == "extended":
        out["extend"] = Allowed(False, f"Already extended once (to {day(req.extended_due_at)}): "
                                       f"{req.extension_reason or ''}")
    elif block == "late":
        out["extend"] = Allowed(False, "Too late: an extension must be given within the first period.")
    else:
        out["extend"] = Allowed(True)
    out["complete"] = gate if req.status is RequestStatus.IN_PROGRESS or not verified else \
        Allowed(False, "Only a request in progress can be completed.")
    if req.type is RequestType.ERASURE and out["complete"]:
        out["complete"] = Allowed(False, ERASE_FIRST)
    out["refuse"] = Allowed(True)
    no_person = Allowed(False, "Nothing is held about this person.")
    if req.type is RequestType.ACCESS:
        out["report"] = gate
    elif req.type is RequestType.PORTABILITY:
        out["export"] = gate
    elif req.type is RequestType.ERASURE:
        out["erase"] = gate
    elif req.type is RequestType.RECTIFICATION:
        out["rectify"] = gate
    elif req.type is RequestType.RESTRICTION:
        if subject is None:
            out["restrict"] = out["lift"] = no_person
        elif subject.restricted:
            out["restrict"] = Allowed(False, "Processing is already restricted.")
            out["lift"] = Allowed(True)
        else:
            out["restrict"] = Allowed(True)
            out["lift"] = Allowed(False, "Processing is not restricted.")
    elif req.type is RequestType.OBJECTION:
        out["object"] = Allowed(True) if subject is not None else no_person
    return out
