"""import-mail FILE.eml|FILE.msg|MBOX|DIR [--dry-run] [--json]."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import (
    INVALID,
    OK,
    CliError,
    add_store_arg,
    open_services,
    out,
    path_arg,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-mail", help="make cases from .eml, .msg, mbox files or a folder of them",
                       description="Each message becomes a case (once: a message already imported, by its "
                                   "Message-ID, is skipped), marked unconfirmed until staff confirm the privacy "
                                   "notice and age in the window. Bad messages are reported line by line and "
                                   "the good ones still go in (exit status 3 when any was refused).")
    add_store_arg(p)
    p.add_argument("path", type=path_arg, metavar="FILE.eml|FILE.msg|MBOX|DIR")
    p.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    p.add_argument("--json", action="store_true", help="one JSON object per message, in a list")
    p.set_defaults(func=cmd_import_mail)


def cmd_import_mail(args: argparse.Namespace) -> int:
    from desktop.services.mail_import import for_services

    if not args.path.exists():
        raise CliError(f"no such file or folder: {args.path}", INVALID)
    with open_services(args) as services:
        report = for_services(services).import_path(args.path, dry_run=args.dry_run)
    if args.json:
        print_json([{"source": x.label, "outcome": x.outcome, "case_id": x.case_id, "email": x.email,
                     "category": x.category, "message": x.message} for x in report.lines])
    else:
        for x in report.problems:
            print(f"{x.label}: {x.message}", file=sys.stderr)
        made = report.count("would_create" if args.dry_run else "created")
        verb = "would import" if args.dry_run else "imported"
        extra = [f"{report.count('duplicate')} already imported" if report.count("duplicate") else "",
                 f"{len(report.problems)} not imported (see above)" if report.problems else ""]
        out(f"{verb} {made} of {len(report.lines)} messages" + "".join(f"; {e}" for e in extra if e)
            + ("" if args.dry_run or not made else "; new cases are unconfirmed until staff confirm them"))
    return INVALID if report.problems else OK
