"""sweep, hold, flag-child, policies: retention from the command line (scheduled sweeps)."""

from __future__ import annotations

import argparse
import json
import sys

from desktop.commands.common import (
    INTERNAL,
    INVALID,
    OK,
    REFUSED,
    USAGE,
    CliError,
    add_store_arg,
    open_services,
    out,
    parse_when,
    path_arg,
    print_json,
    record_id,
)
from desktop.domain.retention import WHAT_TEXT, PolicyError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="remove or anonymise what the retention policies say is due")
    add_store_arg(p)
    p.add_argument("--dry-run", action="store_true", help="list what would be removed, and why; change nothing")
    p.add_argument("--as-of", metavar="DATE", help="judge what is due as of this date (default: now); "
                   "a real sweep accepts only today or a past date")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("hold", help="set or lift a legal hold on a case or a whole data subject")
    add_store_arg(p)
    p.add_argument("hold_action", choices=["set", "lift"], metavar="set|lift")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--case", type=record_id, metavar="ID")
    who.add_argument("--email", metavar="E", help="the data subject's email address (all their cases)")
    p.add_argument("--reason", metavar="R", help="why (required to set; kept with the hold, not in the audit trail)")
    p.set_defaults(func=cmd_hold)

    p = sub.add_parser("flag-child", help="mark a case as a child's (under 13): deleted at the next sweep")
    add_store_arg(p)
    p.add_argument("case_id", type=record_id, metavar="CASE_ID")
    p.set_defaults(func=cmd_flag_child)

    p = sub.add_parser("policies", help="show the retention policies (or load new ones from a JSON file)")
    add_store_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--load", type=path_arg, metavar="FILE",
                   help='replace the policies with those in FILE ({"policies": [...]}); audited')
    p.set_defaults(func=cmd_policies)


def _phrase(what: str, action: str) -> str:
    return WHAT_TEXT.get((what, action), f"{what} {action}")


def cmd_sweep(args: argparse.Namespace) -> int:
    as_of = parse_when(args.as_of) if args.as_of else None
    with open_services(args) as services:
        now = services.now()
        if as_of is not None and not args.dry_run and as_of.date() > now.date():
            raise CliError("refusing to remove data before it is due: --as-of is in the future "
                           "(use --dry-run to preview)", REFUSED)
        when = as_of or now
        if args.dry_run:
            actions = services.retention.plan(when)
        else:
            report = services.retention.sweep(when)
    day = when.date().isoformat()
    if args.dry_run:
        if args.json:
            print_json({"as_of": day, "dry_run": True, "actions": [a.to_json() for a in actions]})
            return OK
        out(f"dry run as of {day}: {len(actions)} removal(s) would be made; nothing was changed")
        for a in actions:
            out(f"{a.target:<14} {_phrase(a.what, a.action):<32} due {a.due.isoformat()}  "
                f"policy {a.policy_id}  why: {a.reason}")
        return OK
    if args.json:
        print_json({"as_of": day, "dry_run": False, "done": [a.to_json() for a in report.done],
                    "skipped": [a.to_json() for a in report.skipped], "failed": report.failed,
                    "compacted": report.compacted})
        return INTERNAL if report.failed else OK
    for a in report.done:
        out(f"{a.target:<14} {_phrase(a.what, a.action):<32} policy {a.policy_id}")
    for a in report.skipped:
        out(f"{a.target:<14} skipped (changed since planning, e.g. a legal hold): {_phrase(a.what, a.action)}")
    out(f"sweep as of {day}: " + report.summary + ("; store compacted" if report.compacted else ""))
    if report.failed:
        print(f"helpdesk-intake: {len(report.failed)} case(s) could not be swept and were left unchanged: "
              + ", ".join(map(str, report.failed)) + "; re-run with --debug or report a bug", file=sys.stderr)
        return INTERNAL
    return OK


def cmd_hold(args: argparse.Namespace) -> int:
    if args.hold_action == "set" and not (args.reason or "").strip():
        raise CliError("hold set needs --reason", USAGE)
    with open_services(args) as services:
        retention = services.retention
        target = {"case_id": args.case} if args.case is not None else \
            {"subject_id": retention.subject_id_for_email(args.email)}
        label = f"case {args.case}" if args.case is not None else "this data subject"
        if args.hold_action == "set":
            retention.set_hold(reason=args.reason, **target)
            message = f"legal hold set on {label}: nothing of it is removed or erased until the hold is lifted"
        else:
            lifted = retention.lift_hold(**target)
            message = f"legal hold lifted on {label}; retention timers apply again" if lifted \
                else f"{label} had no legal hold"
    out(message)
    return OK


def cmd_flag_child(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        services.retention.flag_child(args.case_id)
        held = services.retention.is_held(args.case_id)
    if held:
        out(f"case {args.case_id} flagged as a child's record; it is on legal hold, so it is deleted only "
            "after the hold is lifted")
    else:
        out(f"case {args.case_id} flagged as a child's record; the next sweep deletes it")
    return OK


def cmd_policies(args: argparse.Namespace) -> int:
    new = None
    if args.load is not None:
        try:
            new = json.loads(args.load.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CliError(f"{args.load.name} is not a JSON file ({type(exc).__name__})", INVALID) from exc
        except RecursionError as exc:
            raise CliError(f"{args.load.name} is nested too deeply to be a policy file", INVALID) from exc
    with open_services(args) as services:
        try:
            policies = services.retention.set_policies(new) if new is not None else services.retention.policies()
        except PolicyError as exc:
            raise CliError(f"invalid retention policies: {exc}", INVALID) from exc
    if args.json:
        print_json({"policies": [p.to_dict() for p in policies]})
        return OK
    if new is not None:
        out(f"retention policies replaced ({len(policies)}); every case's timer was recomputed")
    for p in policies:
        what = _phrase(p.what, p.action)
        out(f"{p.id:<24} {p.label:<32} {what} {p.period_text} after {p.trigger.replace('_', ' ')}")
        out(f"{'':<24} why: {p.reason}")
    return OK


def sweep_child(argv: list[str]) -> int:
    """`python -m desktop --sweep-child STORE` (the window's sweeps; desktop/store/sweep_process.py)."""
    from desktop import app

    return app.sweep_child_main(argv)
