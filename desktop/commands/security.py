"""audit verify|list|export, backup, restore, rekey, check."""

from __future__ import annotations

import argparse
import os
import sys

from desktop.commands.common import (
    INTEGRITY,
    INVALID,
    KEY,
    OK,
    CliError,
    add_store_arg,
    open_services,
    out,
    parse_when,
    path_arg,
    print_json,
    record_id,
    session,
    terminal_prompt,
)
from desktop.paths import store_path

ENV_NEW_PASSPHRASE = "HELPDESK_INTAKE_NEW_PASSPHRASE"


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="verify, list or export the tamper-evident audit trail")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    p = asub.add_parser("verify", help="check the hash chain; names the first broken entry (exit 7)")
    add_store_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit_verify)

    for name, func, text in (("list", cmd_audit_list, "show entries, newest first"),
                             ("export", cmd_audit_export, "write entries to CSV (ids only, no personal data)")):
        p = asub.add_parser(name, help=text)
        add_store_arg(p)
        p.add_argument("--action", help="e.g. case.view, store.unlock, store.key_change")
        p.add_argument("--case", type=record_id, metavar="ID", help="entries about this case")
        p.add_argument("--since", metavar="DATE", help="from this ISO date or date-time (inclusive)")
        p.add_argument("--until", metavar="DATE", help="up to this ISO date (inclusive) or date-time")
        if name == "list":
            p.add_argument("--limit", type=record_id, default=200)
            p.add_argument("--json", action="store_true")
        else:
            p.add_argument("--out", required=True, type=path_arg, metavar="FILE.csv")
        p.set_defaults(func=func)

    p = sub.add_parser("backup", help="write a verified encrypted copy of the store (safe while the app is open)")
    add_store_arg(p)
    p.add_argument("--out", required=True, type=path_arg, metavar="FILE")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the store with a verified backup (the old one is kept aside)")
    add_store_arg(p)
    p.add_argument("file", type=path_arg, metavar="FILE")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("rekey", help="re-encrypt the store under a new key or passphrase")
    add_store_arg(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--to-passphrase", action="store_true", help="protect the store with a passphrase from now on")
    g.add_argument("--to-keyring", action="store_true", help="protect the store with a key kept in the OS keyring")
    p.set_defaults(func=cmd_rekey)

    p = sub.add_parser("check", help="check every page of the store and the audit trail")
    add_store_arg(p)
    p.set_defaults(func=cmd_check)


def _filters(args: argparse.Namespace) -> dict:
    return {
        "action": args.action,
        "case_id": args.case,
        "since": parse_when(args.since) if args.since else None,
        "until": _until(args.until) if args.until else None,
    }


def _until(text: str):
    from datetime import timedelta

    if len(text.strip()) == 10:  # a whole day: up to the end of it
        return parse_when(text) + timedelta(days=1)
    return parse_when(text)


def _damaged(exc: Exception) -> CliError:
    return CliError(str(exc), INTEGRITY)


def _open(args: argparse.Namespace, *, verify_pages: bool = False):
    from desktop.errors import StoreDamaged

    try:
        return open_services(args, verify_pages=verify_pages)
    except StoreDamaged as exc:
        raise _damaged(exc) from exc


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with _open(args) as services:
        result = services.audit.verify()
    if args.json:
        print_json({"ok": result.ok, "entries": result.count, "head": result.head,
                    "broken_entry": result.broken.entry_id if result.broken else None,
                    "reason": result.broken.reason if result.broken else None})
    if result.ok:
        if not args.json:
            out(result.message())
        return OK
    print(f"helpdesk-intake: {result.message()}", file=sys.stderr)
    return INTEGRITY


def cmd_audit_list(args: argparse.Namespace) -> int:
    filters = _filters(args)
    with _open(args) as services:
        entries = services.audit.entries(limit=max(1, args.limit), **filters)
    if args.json:
        print_json([{"id": e.id, "at": e.at.isoformat(), "staff": e.staff, "action": e.action,
                     "target": e.target, "detail": e.detail} for e in entries])
        return OK
    if not entries:
        out("no audit entries match")
        return OK
    out(f"{'ID':>6}  {'AT (UTC)':<25}  {'STAFF':<12}  {'ACTION':<20}  {'TARGET':<20}  DETAIL")
    for e in entries:
        out(f"{e.id:>6}  {e.at.isoformat():<25}  {e.staff[:12]:<12}  {e.action:<20}  {e.target[:20]:<20}  {e.detail}")
    return OK


def cmd_audit_export(args: argparse.Namespace) -> int:
    if args.out.exists():
        raise CliError(f"{args.out} already exists; not overwriting it", 6)
    filters = _filters(args)
    with _open(args) as services:
        n = services.audit.export(args.out, **filters)
    out(f"wrote {n} audit entries to {args.out}")
    return OK


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop.errors import StoreDamaged

    if args.out.exists():
        raise CliError(f"{args.out} already exists; not overwriting it", 6)
    from desktop.commands import early_open

    with _open(args) as services:
        try:  # the copy made while the command line was parsed, when it is this target's and store's
            info = services.backup.backup(args.out, early_open.prepared(args.out))
        except StoreDamaged as exc:
            raise _damaged(exc) from exc
    out(f"backup written to {args.out} and verified (schema {info.schema_version}, "
        f"{info.audit_entries} audit entries); it opens with the store's current key")
    return OK


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.commands.common import session
    from desktop.errors import StoreDamaged, WrongKeyError
    from desktop.services.session import key_for_existing_store

    path = store_path(getattr(args, "store", None))
    if not args.file.is_file():
        raise CliError(f"no backup file at {args.file}", INVALID)
    resolution = key_for_existing_store(path, terminal_prompt)
    if resolution.key is None:
        raise CliError((resolution.note + " " if resolution.note else "")
                       + "No key to open the backup: set HELPDESK_INTAKE_PASSPHRASE or run in a terminal.", KEY)
    try:
        result = session().restore(path, args.file, resolution.key)
    except StoreDamaged as exc:
        raise CliError(f"{exc}; nothing was changed", INTEGRITY) from exc
    except WrongKeyError as exc:
        raise CliError(f"{exc}; nothing was changed (a backup opens only with the key the store had "
                       "when it was made: set HELPDESK_INTAKE_PASSPHRASE for a passphrase backup)", KEY) from exc
    out(f"restored {path} from {args.file} (schema {result.info.schema_version})")
    if result.reapplied.people:
        out(f"erasures done since the backup were applied again: {result.reapplied.people} person(s), "
            f"{result.reapplied.cases} case(s) removed from the restored store")
    if result.aside:
        out(f"the replaced store is kept at {result.aside}; delete it once you are satisfied")
    return OK


def _new_passphrase() -> str:
    value = os.environ.get(ENV_NEW_PASSPHRASE)
    if value:
        return value
    text = terminal_prompt("New passphrase for the store:", True)
    if text is None:
        raise CliError(f"no new passphrase: set {ENV_NEW_PASSPHRASE} or run in a terminal; nothing was changed",
                       KEY)
    return text


def cmd_rekey(args: argparse.Namespace) -> int:
    from desktop.errors import KeyChangeRefused
    from desktop.services.session import keyring_reason

    to = "passphrase" if args.to_passphrase else "keyring" if args.to_keyring else None
    if to == "keyring":
        reason = keyring_reason()  # refuse before asking for anything
        if reason:
            raise CliError(f"the OS keyring cannot be used because {reason}; nothing was changed", KEY)
    with _open(args) as services:
        keys = services.keys
        target = keys.target_kind(to)
        passphrase = _new_passphrase() if target == "passphrase" else None
        try:
            change = session().rekey(services, to=to, new_passphrase=passphrase)
        except KeyChangeRefused as exc:
            raise CliError(str(exc), KEY if exc.keyring else INVALID) from exc
    how = "a new key kept in the OS keyring" if change.after == "keyring" else "the new passphrase"
    out(f"the store is now protected by {how}; the old key no longer opens it")
    if change.warning:
        print(f"helpdesk-intake: warning: {change.warning}", file=sys.stderr)
    if os.environ.get("HELPDESK_INTAKE_PASSPHRASE"):
        print("helpdesk-intake: note: HELPDESK_INTAKE_PASSPHRASE still holds the old passphrase; "
              "update or unset it", file=sys.stderr)
    out("backups made before now still need the old key: make a new backup")
    return OK


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args, verify_pages=True) as services:
        problems = services.integrity_problems()
        result = services.audit.verify()
    if problems:
        from desktop.services.session import damage_message

        print(f"helpdesk-intake: {damage_message(services.path, f'{len(problems)} problem(s)')}",
              file=sys.stderr)
    else:
        out("store pages and structure: ok")
    if result.ok:
        out(result.message())
    else:
        print(f"helpdesk-intake: {result.message()}", file=sys.stderr)
    return OK if not problems and result.ok else INTEGRITY
