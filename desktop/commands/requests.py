"""request open/list/show/confirm/verify/extend/complete/refuse, restrict, object, erase."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import (
    NOT_FOUND,
    OK,
    REFUSED,
    CliError,
    add_store_arg,
    open_services,
    out,
    parse_when,
    print_json,
    record_id,
)
from desktop.domain.models import RequestType, verification_label
from desktop.domain.validation import ValidationError, check_email
from desktop.services.rights import OBJECTION_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    req = sub.add_parser("request", help="data-subject requests: open, list, verify, extend, close")
    rsub = req.add_subparsers(dest="request_command", metavar="ACTION", required=True)

    p = rsub.add_parser("open", help="register a request; prints its reference")
    add_store_arg(p)
    p.add_argument("--type", required=True, choices=[t.value for t in RequestType])
    p.add_argument("--email", required=True)
    p.add_argument("--phone")
    p.add_argument("--received-at", metavar="ISO8601", help="when the request arrived (default: now)")
    p.add_argument("--channel", help="how it arrived: email, phone, web_form, chat, in_person")
    p.set_defaults(func=cmd_open)

    p = rsub.add_parser("list", help="the register with due dates and days left")
    add_store_arg(p)
    p.add_argument("--overdue", action="store_true", help="only open requests past their due date")
    p.add_argument("--open", action="store_true", help="only requests not yet completed or refused")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = rsub.add_parser("show", help="one request with its verification, deadline and cases")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = rsub.add_parser("confirm", help="confirm which cases belong to the person")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("case_ids", metavar="CASE_ID", type=record_id, nargs="+")
    p.set_defaults(func=cmd_confirm)

    p = rsub.add_parser("verify", help="record how the requester's identity was checked")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--method", required=True,
                   help="reply_from_address, callback_number, in_person_id, or other (with --note)")
    p.add_argument("--by", metavar="NAME", help="who checked (default: you)")
    p.add_argument("--note", help="what was done, for --method other")
    p.set_defaults(func=cmd_verify)

    p = rsub.add_parser("rectify", help="correct a case for a verified rectification request")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("case_id", metavar="CASE_ID", type=record_id)
    p.add_argument("--set", dest="changes", metavar="FIELD=VALUE", action="append", required=True,
                   help="name, email, phone, category, description, technical_details or channel; repeatable")
    p.set_defaults(func=cmd_rectify)

    p = rsub.add_parser("extend", help="the one extension a request may have (reason required)")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_extend)

    p = rsub.add_parser("complete", help="close a verified request with its outcome")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--outcome", metavar="TEXT")
    p.set_defaults(func=cmd_complete)

    p = rsub.add_parser("refuse", help="refuse a request (reason required; kept in the register)")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_refuse)

    p = rsub.add_parser("told", help="record that a recipient on the request's Art. 19 list was told")
    add_store_arg(p)
    p.add_argument("ref", metavar="REF")
    p.add_argument("recipient", metavar="RECIPIENT", help="as listed by 'request show'")
    p.add_argument("--undo", action="store_true", help="take the mark back (not told yet)")
    p.set_defaults(func=cmd_told)

    p = sub.add_parser("restrict", help="restrict processing of a person's data (Art. 18), or --lift it")
    add_store_arg(p)
    p.add_argument("--email", required=True)
    p.add_argument("--reason")
    p.add_argument("--lift", action="store_true", help="lift the restriction")
    p.add_argument("--request", metavar="REF", help="the restriction request this answers")
    p.set_defaults(func=cmd_restrict)

    p = sub.add_parser("object", help="record an objection (Art. 21); marketing withdraws consent")
    add_store_arg(p)
    p.add_argument("--email", required=True)
    p.add_argument("--to", required=True, choices=OBJECTION_KINDS)
    p.add_argument("--reason", help="what is objected to (required for --to other)")
    p.add_argument("--request", metavar="REF", help="the objection request this answers")
    p.set_defaults(func=cmd_object)

    p = sub.add_parser("erase", help="erase everything about a person (verified erasure request needed)")
    add_store_arg(p)
    p.add_argument("--email", required=True)
    p.add_argument("--yes", action="store_true", help="confirm: erasure cannot be undone")
    p.add_argument("--request", metavar="REF", help="the erasure request (default: the person's latest)")
    p.set_defaults(func=cmd_erase)


# ---- helpers ------------------------------------------------------------------------------------
def _iso(value) -> str | None:
    return value.isoformat() if value else None


def row_json(row) -> dict:
    r = row.request
    return {
        "ref": r.ref,
        "type": r.type.value,
        "status": r.status.value,
        "received_at": _iso(r.received_at),
        "channel": r.channel,
        "due": _iso(row.due),
        "days_left": row.days_left,
        "overdue": row.overdue,
        "due_soon": row.due_soon,
        "rule": row.rule,
        "extended": r.extended_due_at is not None,
        "verified": r.verified,
        "email": r.subject_email,
        "subject_ref": r.subject_ref,
        "completed_at": _iso(r.completed_at),
    }


def _recipients_line(names: list[str]) -> None:
    if names:
        out("tell these recipients (Art. 19): " + ", ".join(names))


def _email(text: str) -> str:
    res = check_email(text)
    if res.error:
        raise ValidationError({"email": res.error})
    return str(res.value)


# ---- request ... ----------------------------------------------------------------------------------
def cmd_open(args: argparse.Namespace) -> int:
    received = parse_when(args.received_at) if args.received_at else None
    with open_services(args) as services:
        result = services.requests.open(args.type, args.email, phone=args.phone, received_at=received,
                                        channel=args.channel)
    out(result.request.ref)
    if result.proposed:
        ids = " ".join(str(m.case_id) for m in result.proposed)
        print(f"{len(result.proposed)} case(s) may be the person's: {ids}; confirm with "
              f"'request confirm {result.request.ref} CASE_ID...'", file=sys.stderr)
    return OK


def cmd_list(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        rows = services.requests.list(open_only=args.open, overdue_only=args.overdue)
    items = [row_json(r) for r in rows]
    if args.json:
        print_json(items)
        return OK
    if not items:
        out("no overdue requests" if args.overdue else "no requests")
        return OK
    out(f"{'REF':<14} {'TYPE':<13} {'STATUS':<11} {'RECEIVED':<10} {'DUE':<10} {'LEFT':>5}  VERIFIED")
    for it in items:
        left = "-" if it["days_left"] is None else str(it["days_left"])
        flag = " OVERDUE" if it["overdue"] else (" due soon" if it["due_soon"] else "")
        out(f"{it['ref']:<14} {it['type']:<13} {it['status']:<11} {it['received_at'][:10]:<10} "
            f"{it['due'][:10]:<10} {left:>5}  {'yes' if it['verified'] else 'no'}{flag}")
    return OK


def cmd_show(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        req = services.requests.by_ref(args.ref)
        row = services.requests.row(req)
        confirmed = services.requests.linked_cases(req.id)
        cases = services.requests.cases_for(req) if not req.status.closed else confirmed
        services.requests.audit_view(req)
    data = row_json(row)
    data.update({
        "phone": req.subject_phone,
        "created_by": req.created_by,
        "original_due": _iso(req.due_at),
        "extended_due": _iso(req.extended_due_at),
        "extension_reason": req.extension_reason,
        "verification_method": req.verification_method,
        "verified_by": req.verified_by,
        "verified_at": _iso(req.verified_at),
        "outcome": req.outcome,
        "refusal_reason": req.refusal_reason,
        "confirm_receipt_by": _iso(row.confirm_receipt_by),
        "confirmed_cases": confirmed,
        "cases": cases,
        "details": req.details or {},
    })
    if args.json:
        print_json(data)
        return OK
    for key in ("ref", "type", "status", "received_at", "channel", "email", "phone", "subject_ref", "rule",
                "original_due", "extended_due", "extension_reason", "days_left", "confirm_receipt_by",
                "verification_method", "verified_by", "verified_at", "outcome", "refusal_reason",
                "completed_at"):
        if data.get(key) not in (None, ""):
            out(f"{key.replace('_', ' '):<20} {data[key]}")
    if data["overdue"]:
        out(f"{'overdue':<20} yes")
    out(f"{'cases':<20} " + (" ".join(map(str, cases)) or "none"))
    if confirmed:
        out(f"{'confirmed by staff':<20} " + " ".join(map(str, confirmed)))
    if (req.details or {}).get("notify_recipients"):
        told = req.details.get("told") or {}
        out(f"{'recipients':<20} " + ", ".join(
            f"{n} (told {told[n]['at'][:10]})" if n in told else f"{n} (not told yet)"
            for n in req.details["notify_recipients"]))
    return OK


def cmd_told(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        req = services.requests.by_ref(args.ref)
        services.requests.mark_told(req.id, args.recipient, not args.undo)
    out(f"{req.ref}: {args.recipient} " + ("marked as not told yet" if args.undo else "marked as told"))
    return OK


def cmd_confirm(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        req = services.requests.by_ref(args.ref)
        ids = services.requests.confirm_cases(req.id, args.case_ids)
    out(f"{req.ref}: confirmed case(s) " + " ".join(map(str, ids)))
    return OK


def cmd_verify(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        req = services.requests.by_ref(args.ref)
        done = services.requests.record_verification(req.id, args.method, verified_by=args.by, note=args.note)
    out(f"{done.ref}: identity verified ({verification_label(done.verification_method)}) by {done.verified_by}; now in progress")
    return OK


def cmd_rectify(args: argparse.Namespace) -> int:
    changes: dict[str, object] = {}
    for item in args.changes:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError({"set": f"expected FIELD=VALUE, got {name.strip()[:30]!r}"})
        changes[name.strip()] = value
    with open_services(args) as services:
        req = services.requests.by_ref(args.ref)
        res = services.rights.rectify(req.id, args.case_id, changes)
    out(f"{req.ref}: case {args.case_id} " + (f"corrected ({res.detail})" if res.detail else "unchanged"))
    if res.detail:
        _recipients_line(res.recipients)
    return OK


def cmd_extend(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        done = services.requests.extend(services.requests.by_ref(args.ref).id, args.reason)
    out(f"{done.ref}: extended; now due {done.effective_due.date().isoformat()} "
        "(tell the person, with the reason, before the first deadline)")
    return OK


def cmd_complete(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        done = services.requests.complete(services.requests.by_ref(args.ref).id, args.outcome)
    out(f"{done.ref}: completed")
    return OK


def cmd_refuse(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        done = services.requests.refuse(services.requests.by_ref(args.ref).id, args.reason)
    out(f"{done.ref}: refused")
    return OK


# ---- restrict, object, erase ---------------------------------------------------------------------
def cmd_restrict(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        if args.lift:
            res = services.rights.lift_restriction(args.email, request_ref=args.request)
        else:
            res = services.rights.restrict(args.email, args.reason, request_ref=args.request)
    what = "lifted the restriction" if args.lift else "restricted processing"
    out(f"{what} for this person" + (f" ({res.request_ref})" if res.request_ref else ""))
    _recipients_line(res.recipients)
    return OK


def cmd_object(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        res = services.rights.object(args.email, args.to, args.reason, request_ref=args.request)
    withdrawn = res.detail.partition("=")[2]
    out(f"objection to {args.to} recorded on {res.request_ref}"
        + (f"; {withdrawn} marketing consent(s) withdrawn, new ones blocked" if args.to == "marketing" else ""))
    _recipients_line(res.recipients)
    return OK


def cmd_erase(args: argparse.Namespace) -> int:
    """Uses the person's verified erasure request (or --request). With no erasure request at all
    for a person whose data is held, one is opened (the request has been received) and the
    command stops until identity is verified: nothing is erased on an unverified request."""
    if not args.yes:
        raise CliError("erasure cannot be undone; run again with --yes to confirm (nothing was changed)", REFUSED)
    address = _email(args.email)
    with open_services(args) as services:
        if args.request:
            req = services.requests.by_ref(args.request)
            if req.subject_email != address:
                raise CliError(f"{req.ref} is not a request of this person", REFUSED)
        else:
            erasures = [r for r in services.requests.for_email(address) if r.type is RequestType.ERASURE]
            if not erasures:
                if not services.requests.proposals(address, None):
                    raise CliError("no data is held for this person and there is no erasure request", NOT_FOUND)
                opened = services.requests.open(RequestType.ERASURE, address,
                                                details={"opened_by": "erase command"}).request
                raise CliError(f"opened erasure request {opened.ref}; verify the requester's identity with "
                               f"'request verify {opened.ref} --method ...', then run erase again", REFUSED)
            req = services.requests.verified_request_for(address, (RequestType.ERASURE,))
        result = services.rights.erase(req.id)
    out(f"{result.request_ref}: erased {len(result.erased_cases)} case(s)"
        + (" and the person's record" if result.subject_erased else ""))
    if result.kept_cases:
        out("kept under a legal hold: case(s) " + " ".join(map(str, result.kept_cases)))
    for copy in result.copies_cleaned:
        out(f"also erased from the copy {copy}")
    for copy, why in result.copies_unreachable:
        print(f"helpdesk-intake: warning: the copy {copy} may still hold the person: {why}; delete it",
              file=sys.stderr)
    _recipients_line(result.recipients)
    if result.kept_cases:
        print(f"refused in part: {len(result.kept_cases)} case(s) kept under a legal hold", file=sys.stderr)
        return REFUSED
    return OK
