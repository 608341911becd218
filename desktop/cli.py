"""Command line: no subcommand opens the GUI; subcommands never import Qt."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys

from desktop import APP_NAME, __version__, disable_core_dumps

# One module per area under desktop/commands/, each with register(subparsers).
COMMAND_MODULES = ["core", "demo", "security", "requests", "reports", "retention", "mail"]


def build_parser() -> argparse.ArgumentParser:
    from desktop.commands.common import EXIT_HELP

    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Encrypted support-intake desk. Without a command, opens the window.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--store", metavar="PATH",
                        help="store file (default: $HELPDESK_INTAKE_STORE or the platform data dir)")
    parser.add_argument("--debug", action="store_true", help="show details of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"desktop.commands.{name}").register(sub)
    return parser


def sweep_child(argv: list[str]) -> int:
    """The window's retention sweep in a child process (desktop/__main__.py --sweep-child)."""
    from desktop.commands.retention import sweep_child as run

    return run(argv)


def main(argv: list[str] | None = None) -> int:

    disable_core_dumps()
    from desktop.commands import early_open

    early_open.start(sys.argv[1:] if argv is None else argv)  # backup: key, open and copy meanwhile
    try:
        return _main(argv)
    finally:
        early_open.discard()


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        from desktop.ui.shell.launch import run_gui  # Qt is imported only here

        return run_gui(args)
    from desktop.commands.terminal import SafeStream

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)  # no control characters act
    try:
        return _run(args)
    finally:
        from desktop.commands.common import DEFERRED

        for finish in DEFERRED:  # a command that failed: close its store, queued entries best-effort
            with contextlib.suppress(Exception):
                finish()
        DEFERRED.clear()
        sys.stdout, sys.stderr = saved


def _run(args: argparse.Namespace) -> int:
    from desktop.commands.common import INTERNAL, finish_deferred, map_exception

    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's flush at exit
        finish_deferred()  # audit entries of reads that waited for another process's write
        return status
    except BrokenPipeError:  # the reader went away (`sweep --dry-run | head`): nothing to report
        return _quiet_after_closed_pipe()
    except KeyboardInterrupt:
        print(f"{APP_NAME}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, no traceback
        mapped = map_exception(exc)
        if mapped is None:
            if args.debug:
                raise
            print(f"{APP_NAME}: internal error ({type(exc).__name__}); re-run with --debug", file=sys.stderr)
            return INTERNAL
        message, status = mapped
        print(f"{APP_NAME}: {message}", file=sys.stderr)
        return status


def _quiet_after_closed_pipe() -> int:
    """stdout's reader closed the pipe: point stdout at /dev/null so the interpreter's last flush
    at exit finds nowhere to fail, and exit as the command would have (the work before the output
    is done; only the rest of the listing was not read)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 0
