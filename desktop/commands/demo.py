"""demo: fill a fresh store with realistic fake cases (for trying the app out and for benchmarks)."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import (
    INVALID,
    KEY,
    OK,
    REFUSED,
    CliError,
    add_store_arg,
    open_services,
    out,
    terminal_prompt,
)
from desktop.paths import store_path

MAX_COUNT = 2_000_000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="fill a fresh store with realistic fake cases (never mixes into a real store)",
        description="Creates the store if it does not exist (same protection rules as init) and fills "
                    "it with generated cases. Refuses a store that already holds cases unless --yes.")
    add_store_arg(p)
    p.add_argument("--count", type=int, required=True, metavar="N", help="number of cases to generate")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (same seed, same data)")
    p.add_argument("--yes", action="store_true",
                   help="add demo cases even though the store already holds cases")
    p.set_defaults(func=cmd_demo)


def _create(path):
    """Create a new store exactly like `init` does; returns open services."""
    from desktop.bootstrap import create_services
    from desktop.store.keys import (
        KeyringUnavailable,
        key_for_new_store,
        keyring_delete,
        keyring_set,
    )

    try:
        resolution = key_for_new_store(path, terminal_prompt)
    except ValueError as exc:
        raise CliError(str(exc), INVALID) from exc
    if resolution.key is None:
        raise CliError(
            (resolution.note or "") + " Set HELPDESK_INTAKE_PASSPHRASE or run in a terminal to choose one.", KEY)
    if resolution.source == "keyring":
        try:
            keyring_set(path, resolution.key)
        except KeyringUnavailable as exc:
            raise CliError(
                f"the OS keyring cannot be used because {exc}; set HELPDESK_INTAKE_PASSPHRASE to protect "
                "the store with a passphrase instead", KEY) from exc
    try:
        services = create_services(path, resolution.key)
    except BaseException:
        if resolution.source == "keyring":
            keyring_delete(path)
        raise
    if resolution.note:
        print(resolution.note, file=sys.stderr)
    how = "a key kept in the OS keyring" if resolution.source == "keyring" else "a passphrase"
    out(f"created encrypted store at {path} (protected by {how})")
    return services


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.services.demo import DemoService

    if args.count < 1 or args.count > MAX_COUNT:
        raise CliError(f"--count must be between 1 and {MAX_COUNT:,}", INVALID)
    path = store_path(getattr(args, "store", None))
    with open_services(args) if path.exists() else _create(path) as services:
        existing = services.cases.count()
        if existing and not args.yes:
            raise CliError(
                f"the store at {path} already holds {existing} case(s); demo data is only added to a "
                "fresh store (pass --yes to add it anyway)", REFUSED)
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if interactive:
                sys.stderr.write(f"\r{done:,} of {total:,} cases")
                sys.stderr.flush()

        report = DemoService(services.ctx, services.intake).fill(args.count, seed=args.seed, progress=progress)
        if interactive:
            sys.stderr.write("\n")
    out(f"added {report.cases} demo cases from {report.people} people ({report.closed} closed) to {path}")
    return OK
