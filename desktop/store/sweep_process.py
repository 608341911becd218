"""The window's retention sweeps (at unlock and every 15 minutes) in a child process.

A sweep plans over every case and removes in large transactions with a page cache as large as
the store (RetentionService.sweep). On the window's own connection that held the store's lock
while a person typed a search, and grew the window's memory by the whole cache. A child process
instead opens the store, sweeps it as `helpdesk-intake sweep` does (the same re-checks, batches,
audit entries and scrub), answers with the counts, and exits: the operating system takes its
memory back, and SQLCipher's memory security, which a closing connection turns on for the whole
process, never slows the window (see desktop/store/page_check.py).

The key goes to the child on its standard input, never on its command line or in its environment.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from desktop.errors import StoreError
from desktop.store import child
from desktop.store.keys import Key

CHILD_ARG = "--sweep-child"  # handled in desktop/__main__.py before the command line is parsed


class SweepChildUnavailable(Exception):
    """The child could not run (no interpreter, killed, unreadable answer); str() says why."""


def command(path: Path) -> list[str]:
    return child.command(CHILD_ARG, path)


def sweep_in_child(path: Path, key: Key, *, as_of: datetime, now: datetime, staff: str,
                   timeout: float = 3600) -> dict:
    """Sweep the store as of `as_of` in a child process whose clock reads `now` at its start;
    returns the child's answer (SweepOutcome.to_json). Raises StoreError with the child's one-line
    message when the sweep failed there, SweepChildUnavailable when no child could answer."""
    given = {"kind": key.kind, "secret": key.secret, "as_of": as_of.isoformat(), "now": now.isoformat(),
             "staff": staff}
    answer = child.ask_child(CHILD_ARG, path, given, what="the sweep", timeout=timeout,
                             unavailable=SweepChildUnavailable)
    if not isinstance(answer, dict):
        raise SweepChildUnavailable("the sweep gave no answer")
    if "error" in answer:
        raise StoreError(str(answer["error"]))
    return answer


def read_request(line: str) -> tuple[Key, datetime, datetime, str]:
    """In the child: (key, as_of, now, staff) from the line the parent wrote. Raises ValueError."""
    try:
        given = json.loads(line)
        return (Key(str(given["kind"]), str(given["secret"])), datetime.fromisoformat(given["as_of"]),
                datetime.fromisoformat(given["now"]), str(given["staff"]))
    except (KeyError, TypeError) as exc:
        raise ValueError("incomplete request") from exc
