"""init, add, import, cases, show."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import (
    OK,
    CliError,
    add_store_arg,
    create_store,
    open_services,
    out,
    parse_when,
    print_json,
    record_id,
)
from desktop.domain.models import CaseQuery, Category, Channel, Status
from desktop.domain.validation import check_phone
from desktop.paths import store_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a new encrypted store")
    add_store_arg(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("add", help="capture one support request; prints the case id")
    add_store_arg(p)
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--phone")
    p.add_argument("--category", required=True, help="one of: " + ", ".join(c.value for c in Category))
    p.add_argument("--description", required=True)
    p.add_argument("--technical-details", help="headers or SMTP log paste")
    p.add_argument("--channel", default="email", help="one of: " + ", ".join(c.value for c in Channel))
    p.add_argument("--received-at", metavar="ISO8601")
    p.add_argument("--marketing-consent", action="store_true",
                   help="the person asked to receive marketing email (separate, never assumed)")
    p.set_defaults(func=cmd_add)

    from desktop.commands.form_import import register_import

    register_import(sub)  # web-form exports and the app's own format (desktop/commands/form_import.py)

    p = sub.add_parser("cases", help="list cases")
    add_store_arg(p)
    p.add_argument("--search", default="", metavar="TEXT", help="words or word beginnings; all must match")
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("show", help="show one case with its notes, history and consents")
    add_store_arg(p)
    p.add_argument("case_id", type=record_id, metavar="CASE_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)


def cmd_init(args: argparse.Namespace) -> int:
    path = store_path(getattr(args, "store", None))
    if path.exists() or path.is_symlink():
        what = "a folder" if path.is_dir() else "a file" if path.exists() else "a symbolic link to a missing file"
        raise CliError(f"{what} already exists at {path}; not overwriting it", 6)
    with create_store(path):
        pass
    return OK


def cmd_add(args: argparse.Namespace) -> int:
    received = parse_when(args.received_at) if args.received_at else None
    with open_services(args) as services:
        result = services.intake.submit({
            "name": args.name, "email": args.email, "phone": args.phone, "category": args.category,
            "description": args.description, "technical_details": args.technical_details,
            "channel": args.channel, "received_at": received,
            # The CLI operator confirms the notice was given and the person is 13 or older by using
            # the documented command; see the README (staff guidance).
            "notice_acknowledged": True, "not_a_child": True,
            "marketing_consent": bool(args.marketing_consent),
        }, source="cli")
        caution = check_phone(args.phone, services.settings.phone_region).warning if args.phone else None
    if caution:
        print(f"warning: phone number kept, but: {caution[0].lower()}{caution[1:]}", file=sys.stderr)
    out(str(result.case_id))
    return OK


def case_json(case, removal: tuple[str | None, str | None] | None = None, subject=None) -> dict:
    removal = removal or (None, None)
    return {
        "id": case.id,
        "name": case.name,
        "email": case.email,
        "phone": case.phone,
        "phone_unchecked": case.phone_unchecked,  # True: the phone is as typed in a web form, not checked
        "category": case.category.value,
        "channel": case.channel.value,
        "status": case.status.value,
        "received_at": case.received_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "last_activity_at": case.last_activity_at.isoformat(),
        "legal_hold": case.legal_hold_reason is not None or bool(subject and subject.on_hold),
        "restricted": bool(subject and subject.restricted),
        "anonymised": case.anonymised,
        "next_removal": removal[0],
        "next_removal_policy": removal[1],
    }


def cmd_cases(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        query = CaseQuery(search=args.search, status=Status(args.status) if args.status else None)
        ids = list(services.cases.ids(query))
        rows = services.cases.rows(ids)
        removal = services.cases.next_removals(ids)
        subjects = services.cases.subjects_for(sorted({c.subject_id for c in rows.values() if c.subject_id}))
        services.cases.audit_listing(len(ids), bool(args.search))
    items = [case_json(rows[i], removal.get(i), subjects.get(rows[i].subject_id)) for i in ids if i in rows]
    if args.json:
        print_json(items)
        return OK
    if not items:
        out("no cases" + (" match" if args.search or args.status else " yet"))
        return OK
    out(f"{'ID':>6}  {'RECEIVED':<10}  {'STATUS':<8}  {'CATEGORY':<20}  {'NAME':<24}  EMAIL")
    for it in items:
        out(f"{it['id']:>6}  {it['received_at'][:10]:<10}  {it['status']:<8}  {it['category']:<20}  "
            f"{(it['name'] or '-')[:24]:<24}  {it['email'] or '-'}")
    return OK


def cmd_show(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        detail = services.cases.detail(args.case_id)
        consents = [c for c in services.cases.consents(detail.case.subject_id)
                    if c.case_id == args.case_id] if detail.case.subject_id else []
    data = case_json(detail.case, (detail.next_removal_at, detail.next_removal_policy), detail.subject)
    data.update({
        "description": detail.case.description,
        "technical_details": detail.case.technical_details,
        "resolution": detail.case.resolution,
        "notice_version": detail.case.notice_version,
        "notice_acknowledged_at": detail.case.notice_acknowledged_at.isoformat()
        if detail.case.notice_acknowledged_at else None,
        "legal_hold_reason": detail.case.legal_hold_reason,
        "notes": [{"at": n.at.isoformat(), "staff": n.staff, "body": n.body} for n in detail.notes],
        "changes": [{"at": ch.at.isoformat(), "staff": ch.staff, "field": ch.field, "old": ch.old_value,
                     "new": ch.new_value, "request": ch.request_ref} for ch in detail.changes],
        "consents": [{"kind": c.kind, "version": c.version, "given_at": c.given_at.isoformat(),
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                     for c in consents],
    })
    if args.json:
        print_json(data)
        return OK
    for key in ("id", "status", "received_at", "name", "email", "phone", "category", "channel",
                "next_removal", "next_removal_policy", "legal_hold_reason"):
        if data.get(key) not in (None, ""):
            unchecked = " (unchecked — as typed in the web form)" if key == "phone" and data["phone_unchecked"] else ""
            out(f"{key.replace('_', ' '):<20} {data[key]}{unchecked}")
    out(f"{'description':<20} {data['description'] or '-'}")
    if data["technical_details"]:
        out("technical details:\n" + data["technical_details"])
    for n in data["notes"]:
        out(f"note {n['at']} {n['staff']}: {n['body']}")
    for ch in data["changes"]:
        out(f"change {ch['at']} {ch['staff']}: {ch['field']} {ch['old']!r} -> {ch['new']!r}")
    for c in data["consents"]:
        out(f"consent {c['kind']} v{c['version']} given {c['given_at']}"
            + (f", withdrawn {c['withdrawn_at']}" if c["withdrawn_at"] else ""))
    return OK
