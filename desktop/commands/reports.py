"""report (Art. 15 access report PDF) and export (Art. 20 portable zip)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.commands.common import (
    INVALID,
    OK,
    REFUSED,
    CliError,
    add_store_arg,
    open_services,
    out,
    path_arg,
)

MAX_PASSWORD_FILE = 4096


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the access report (PDF) for a person whose identity was verified")
    add_store_arg(p)
    p.add_argument("--email", required=True, help="the person's email address")
    p.add_argument("--out", required=True, type=path_arg, metavar="FILE.pdf",
                   help="where to write the PDF (name it after the request reference, not the person)")
    p.add_argument("--password-file", type=path_arg, metavar="F",
                   help="protect the PDF with AES-256 using the password in this file (first line)")
    p.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="write the portable export (zip of JSON and CSV) for a verified person")
    add_store_arg(p)
    p.add_argument("--email", required=True, help="the person's email address")
    p.add_argument("--out", required=True, type=path_arg, metavar="FILE.zip")
    p.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    p.set_defaults(func=cmd_export)


def read_password(path: Path) -> str:
    """The first line of the file, without its line ending. INVALID when missing, empty or unreadable."""
    try:
        if path.stat().st_size > MAX_PASSWORD_FILE:
            raise CliError(f"password file {path} is too large (expected one line)", INVALID)
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise CliError(f"password file not found: {path}", INVALID) from exc
    except IsADirectoryError as exc:
        raise CliError(f"password file is a folder: {path}", INVALID) from exc
    except PermissionError as exc:
        raise CliError(f"cannot read password file: {path}", INVALID) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"password file {path} is not UTF-8 text", INVALID) from exc
    lines = text.splitlines()
    password = lines[0] if lines else ""
    if not password.strip():
        raise CliError(f"password file {path} is empty; the PDF was not written", INVALID)
    if "\x00" in password:
        raise CliError(f"password file {path} contains a NUL character", INVALID)
    return password


def check_out(path: Path, force: bool, suffix: str) -> None:
    if path.exists() and path.is_dir():
        raise CliError(f"{path} is a folder; give a file name ending in {suffix}", INVALID)
    if path.exists() and not force:
        raise CliError(f"{path} already exists; not overwriting it (use --force to replace it)", REFUSED)
    if not path.parent.is_dir():
        raise CliError(f"folder {path.parent} does not exist", INVALID)


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{int(fraction * 100):3d}% {message[:60]:<60}")
        if fraction >= 1.0:
            sys.stderr.write("\n")


def cmd_report(args: argparse.Namespace) -> int:
    password = read_password(args.password_file) if args.password_file else None
    check_out(args.out, args.force, ".pdf")
    existed = args.out.exists()
    with open_services(args) as services:
        result, req = services.reports.access_report(args.email, args.out, password=password,
                                                     progress=_progress)
    how = "protected with AES-256" if result.encrypted else "not password-protected"
    out(f"{'replaced' if existed else 'wrote'} access report for request {req.ref}: {result.path} "
        f"({result.pages} pages, {how})")
    if result.missing:
        print(f"note: {len(result.missing)} character(s) had no glyph in the shipped fonts and are shown "
              "as [U+XXXX] codes; the report says so", file=sys.stderr)
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    check_out(args.out, args.force, ".zip")
    existed = args.out.exists()
    with open_services(args) as services:
        result, req = services.reports.export(args.email, args.out, progress=_progress)
    out(f"{'replaced' if existed else 'wrote'} portable export for request {req.ref}: {result.path} "
        f"({', '.join(result.files)})")
    return OK
