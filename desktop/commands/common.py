"""Shared CLI plumbing: exit statuses, opening the store, printing."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

from desktop.domain.clock import FixedClock
from desktop.domain.validation import (
    DateRangeError,
    ValidationError,
    check_date_range,
    parse_iso_datetime,
)
from desktop.paths import store_path

# Exit statuses (documented in the README and `helpdesk-intake --help`).
OK = 0
INTERNAL = 1      # a bug: reported in one line, details only with --debug
USAGE = 2         # bad command line (argparse's own status)
INVALID = 3       # invalid input: a field, a file, a date; nothing was written
KEY = 4           # wrong key or passphrase, locked keyring, not a store, damaged or too-new store
NOT_FOUND = 5     # no such store, case, person or request
REFUSED = 6       # valid but not allowed: legal hold, restriction, identity not verified, exists
INTEGRITY = 7     # verification failed: audit trail broken, damaged store pages or backup

EXIT_HELP = """exit status:
  0  success
  1  internal error (a bug; re-run with --debug for details)
  2  usage error (unknown command or option)
  3  invalid input (bad field, date or file; nothing was written)
  4  wrong passphrase or key, locked keyring, not a helpdesk-intake store, or damaged store
  5  not found (store, case, person or request)
  6  refused (legal hold, restriction, identity not verified, file exists, store busy
     or open in another process, disk full)
  7  integrity failure (audit trail broken, store or backup pages damaged)
"""


PROMPT_ATTEMPTS = 3


class CliError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def print_json(value: object) -> None:
    from desktop.commands.terminal import json_escape_unsafe

    sys.stdout.write(json_escape_unsafe(json.dumps(value, ensure_ascii=False, indent=2, default=str)) + "\n")


def terminal_prompt(message: str, confirm: bool) -> str | None:
    """Ask for a passphrase on the terminal; None when there is no terminal."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    for line in message.splitlines()[:-1]:
        sys.stderr.write(line + "\n")
    first = getpass.getpass(message.splitlines()[-1] + " ")
    if confirm:
        second = getpass.getpass("Repeat the passphrase: ")
        if first != second:
            raise CliError("the two passphrases differ; nothing was created", INVALID)
    return first


def parse_when(text: str, *, end_of_day: bool = False) -> datetime:
    """ISO 8601 date or date-time for --received-at / --as-of; raises CliError(INVALID)."""
    try:
        if len(text.strip()) == 10:
            d = date.fromisoformat(text.strip())
            return check_date_range(datetime.combine(d, time(23, 59, 59) if end_of_day else time(0, 0), tzinfo=UTC))
        return parse_iso_datetime(text)
    except DateRangeError as exc:
        raise CliError(f"{text.strip()!r} is out of range: {exc}", INVALID) from exc
    except ValueError as exc:
        raise CliError(f"not an ISO 8601 date or date-time: {text!r}", INVALID) from exc


def session(clock=None):
    """The store session (services/session.py) over the composition root's factories."""
    from desktop.app import session as _session

    return _session(clock=clock)


def open_services(args: argparse.Namespace, *, clock=None, verify_pages: bool = False):
    """Open the store named by --store / env / default, with the key from env, keyring or prompt.

    Every page's HMAC is checked only where that check belongs (verify_pages: the `check` command;
    the window checks in a background child, a scheduled `check` covers the rest): on every command
    it cost about 2.5 ms per MB of store before anything else ran (issue 17). A damaged page that a
    command reads still fails its HMAC and ends the command with the damage message."""
    from desktop.errors import WrongKeyError
    from desktop.services.session import Key, key_for_existing_store, store_exists

    path = store_path(getattr(args, "store", None))
    if not store_exists(path):  # waits out a restore swapping the file in
        raise CliError(f"no store at {path}; create one with 'helpdesk-intake init'", NOT_FOUND)
    door = session(clock)
    resolution = key_for_existing_store(path, terminal_prompt)
    if resolution.key is None:
        hint = "set HELPDESK_INTAKE_PASSPHRASE or run in a terminal to be asked"
        raise CliError(((resolution.note + " ") if resolution.note else "") + f"No key for {path}: {hint}.", KEY)
    failed = 0  # wrong passphrases typed here are written to the audit trail at the unlock
    from desktop.commands import early_open

    early = early_open.take(path, resolution.key)  # opened while the CLI parsed (commands/early_open.py)
    if early is not None and verify_pages:
        early.close()
        early = None
    while True:
        try:
            services = door.open(path, resolution.key, failed_unlocks=failed, verify_pages=verify_pages,
                                 **({"vault": early} if early is not None else {}))
            early = None
            services.after_output = DEFERRED.append
            return services
        except WrongKeyError:
            failed += 1
            if resolution.source != "prompt" or failed >= PROMPT_ATTEMPTS:
                raise
            text = terminal_prompt("Wrong passphrase. Passphrase for the store:", False)
            if text is None:
                raise
            resolution.key = Key.passphrase(text)


# Stores whose audit entries of reads wait for another process's write (Services.after_output):
# finished by cli.main after the command's output.
DEFERRED: list[Callable[[], None]] = []


def finish_deferred() -> None:
    while DEFERRED:
        DEFERRED.pop(0)()


def create_store(path: Path):
    """Create a new store as `init` does (key from env, keyring or prompt); returns open Services."""
    from desktop.errors import KeyringUnavailable
    from desktop.services.session import key_for_new_store

    try:
        resolution = key_for_new_store(path, terminal_prompt)
    except ValueError as exc:
        raise CliError(str(exc), INVALID) from exc
    if resolution.key is None:
        raise CliError(
            (resolution.note or "") + " Set HELPDESK_INTAKE_PASSPHRASE or run in a terminal to choose one.", KEY)
    try:
        services = session().create(path, resolution.key)
    except KeyringUnavailable as exc:
        raise CliError(
            f"the OS keyring cannot be used because {exc}; set HELPDESK_INTAKE_PASSPHRASE to protect "
            "the store with a passphrase instead", KEY) from exc
    if resolution.note:
        print(resolution.note, file=sys.stderr)
    how = "a key kept in the OS keyring" if resolution.source == "keyring" else "a passphrase"
    out(f"created encrypted store at {path} (protected by {how})")
    return services


def as_of_clock(value: str | None) -> FixedClock | None:
    return FixedClock(parse_when(value, end_of_day=False)) if value else None


def map_exception(exc: BaseException) -> tuple[str, int] | None:
    """Known failures -> (one line, status). None for a bug."""
    from desktop import errors as se
    from desktop.errors import FormImportError, ImportFileError, RefusedError

    if isinstance(exc, CliError):
        return str(exc), exc.status
    if isinstance(exc, ValidationError):
        return "invalid input: " + str(exc), INVALID
    if isinstance(exc, ImportFileError | FormImportError):
        return "cannot import: " + str(exc), INVALID
    if isinstance(exc, RefusedError):
        return "refused: " + str(exc), REFUSED
    if isinstance(exc, se.NotFound | se.StoreNotFound):
        return str(exc), NOT_FOUND
    if isinstance(exc, se.StoreExists | se.StoreBusy | se.StoreFull):
        return str(exc), REFUSED
    if isinstance(exc, se.WrongKeyError | se.StoreLocked | se.StoreDamaged | se.StoreTooNew):
        return str(exc), KEY
    if isinstance(exc, se.StorePathError):
        return str(exc), INVALID
    if isinstance(exc, se.StoreError):
        return str(exc), INTERNAL
    if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
        return f"{exc.strerror}: {exc.filename}", INVALID
    if isinstance(exc, ValueError):
        return "invalid input: " + str(exc), INVALID
    return None


Handler = Callable[[argparse.Namespace], int]


def add_store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help="store file (default: $HELPDESK_INTAKE_STORE or the platform data dir)")


MAX_ID = 2**63 - 1  # SQLite's largest integer


def record_id(text: str) -> int:
    """argparse type of a case id (and --limit): a whole number SQLite can hold (exit 2 otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text[:40]} is out of range (1 to {MAX_ID})")
    return value


def path_arg(text: str) -> Path:
    return Path(text).expanduser()
