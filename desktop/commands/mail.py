"""diagnose FILE|- and import-mail FILE|DIR: delivery diagnosis and mail intake from the command line."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import INVALID, OK, CliError, out, path_arg, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diagnose", help="explain a bounce, SES notification or header paste; writes nothing",
                       description="Read one message (.eml, .msg, raw text; '-' for standard input) and print "
                                   "the delivery diagnosis. Third parties' addresses are masked unless "
                                   "--show-recipients is given. Nothing is written anywhere.")
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--show-recipients", action="store_true",
                   help="show the final recipients' full addresses (masked by default)")
    p.set_defaults(func=cmd_diagnose)
    try:
        from desktop.commands import mail_import
    except ImportError:  # pragma: no cover
        return
    mail_import.register(sub)


def _read_input(name: str) -> tuple[str, bytes]:
    from desktop.services.mail_files import read_one

    if name == "-":
        return "standard input", sys.stdin.buffer.read()
    return read_one(path_arg(name))


def cmd_diagnose(args: argparse.Namespace) -> int:
    from desktop.domain.mail.prefill import MailReadError
    from desktop.services.mail import as_json, diagnose_bytes

    try:
        label, data = _read_input(args.file)
        d = diagnose_bytes(data)
    except MailReadError as exc:
        raise CliError(f"cannot diagnose {args.file}: {exc}", INVALID) from exc
    record = as_json(d, mask=not args.show_recipients)
    if args.json:
        print_json(record)
        return OK
    out(f"{record['reason_label']}  [{record['category']}]")
    for key, label in (("status", "Status"), ("reply_code", "Reply code"), ("action", "Action"),
                       ("recipient", "Recipient"), ("remote_mta", "Remote MTA"), ("reporting_mta", "Reporting MTA"),
                       ("arrival_date", "Arrival"), ("blocklist", "Block list"), ("case_owner", "Whose case")):
        if record.get(key):
            out(f"  {label + ':':<15}{record[key]}")
    if record.get("permanent") is not None:
        out(f"  {'Permanent:':<15}{'yes' if record['permanent'] else 'no (transient)'}")
    if record.get("diagnostic"):
        out(f"  {'Diagnostic:':<15}{record['diagnostic'][:300]}")
    if len(record["recipients"]) > 1:
        out(f"  {'Recipients:':<15}" + ", ".join(f"{r['recipient']} ({r['status'] or r['action']})" for r in record["recipients"]))
    out("")
    out(record["explanation"])
    for step in record["next_steps"]:
        out(f"  - {step}")
    if record["evidence"]:
        out("")
        out("Evidence:")
        for e in record["evidence"]:
            out(f"  {e}")
    for w in record["warnings"]:
        out(f"Note: {w}")
    return OK
