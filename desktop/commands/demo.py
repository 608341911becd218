"""demo: fill a fresh store with realistic fake cases (for trying the app out and for benchmarks)."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import (
    INVALID,
    OK,
    REFUSED,
    CliError,
    add_store_arg,
    create_store,
    open_services,
    out,
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


def cmd_demo(args: argparse.Namespace) -> int:
    if args.count < 1 or args.count > MAX_COUNT:
        raise CliError(f"--count must be between 1 and {MAX_COUNT:,}", INVALID)
    path = store_path(getattr(args, "store", None))
    with open_services(args) if path.exists() else create_store(path) as services:
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

        report = services.demo.fill(args.count, seed=args.seed, desk=True, progress=progress)
        if interactive:
            sys.stderr.write("\n")
    out(f"added {report.cases} demo cases from {report.people} people ({report.closed} closed) and "
        f"{report.requests} data-subject requests to {path}")
    return OK
