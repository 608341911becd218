"""The background page check (cipher_integrity_check) in a child process.

The window checks every page's HMAC once it shows (desktop/ui/shell/lock_controller.py). On a second
connection in the app's own process, that connection's decrypted pages would stay in freed memory
unless SQLCipher's cipher_memory_security wiped them, and that setting, once on, holds for the rest
of the process: every later SQLCipher allocation is locked and wiped, and database work got about
3x slower (docs/bench.md). A child process instead reads the whole store, answers, and exits: the
operating system takes its memory back, and the window keeps full speed until the first lock.

The key goes to the child on its standard input, never on its command line or in its environment.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import sqlcipher3

from desktop.store import child
from desktop.store.keys import Key

CHILD_ARG = "--page-check-child"  # handled in desktop/__main__.py before the command line is parsed


class PageCheckUnavailable(Exception):
    """The child could not run (no interpreter, killed, unreadable answer); str() says why."""


def command(path: Path) -> list[str]:
    return child.command(CHILD_ARG, path)


def problems_in_child(path: Path, key: Key, *, timeout: float = 1800) -> list[str]:
    """What cipher_integrity_check reports for the store (empty: every page is sound)."""
    answer = child.ask_child(CHILD_ARG, path, {"kind": key.kind, "secret": key.secret},
                             what="the page check", timeout=timeout, unavailable=PageCheckUnavailable)
    if not isinstance(answer, list):
        raise PageCheckUnavailable("the page check gave no answer")
    return [str(item) for item in answer]


def problems_on_second_connection(path: Path, key: Key) -> list[str]:
    """cipher_integrity_check on a second, short-lived connection in this process (when no child
    can run, or for a check in the background while the Vault goes on using its own: WAL lets
    both read). Its decrypted pages are wiped on close (cipher_memory_security)."""
    from desktop.errors import StoreError
    from desktop.store.connection import connect

    try:
        conn = connect(path, key, must_exist=True)
    except StoreError as exc:
        return [str(exc)]
    try:
        return [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    except sqlcipher3.DatabaseError as exc:
        return [str(exc)]
    finally:
        with contextlib.suppress(Exception):
            conn.execute("PRAGMA cipher_memory_security = ON")
        conn.close()


def child_main(argv: list[str]) -> int:
    """In the child: read the key from stdin, check the pages, print a JSON list, exit."""
    from desktop import disable_core_dumps, run_in_background
    from desktop.errors import StoreError
    from desktop.store.connection import connect

    disable_core_dumps()
    run_in_background()
    try:
        given = json.loads(sys.stdin.readline())
        key = Key(str(given["kind"]), str(given["secret"]))
        path = Path(argv[0])
    except (ValueError, KeyError, TypeError, IndexError):
        print("usage: the key as JSON on stdin, the store path as the argument", file=sys.stderr)
        return 2
    try:
        conn = connect(path, key, must_exist=True)
    except StoreError as exc:
        print(json.dumps([str(exc)]), flush=True)
        return 0
    try:
        problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    except Exception as exc:  # a page that cannot be read at all is a problem too
        problems = [f"the store could not be read ({type(exc).__name__})"]
    finally:
        conn.close()
    print(json.dumps(problems), flush=True)
    return 0
