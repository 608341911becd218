"""Waiting for the write lock: writers wait, say so once, and give up with StoreBusy (exit 6).

SQLite lets one connection write at a time. An import or a sweep holds the write lock for
seconds; a second process that wants to write used to fail after SQLite's 5-second busy timeout
with "database is locked" (exit 1). Now it says "another helpdesk-intake process is writing;
waiting…" (a warning on the `desktop.store` logger, which the CLI prints), keeps trying for
HELPDESK_INTAKE_WRITE_WAIT seconds (default 120), and then gives up with StoreBusy, having
written nothing. Readers never wait here: in WAL mode a read needs no lock.
"""

from __future__ import annotations

import logging
import os
import time

import sqlcipher3

from desktop.errors import StoreBusy

log = logging.getLogger("desktop.store")

ENV_WRITE_WAIT = "HELPDESK_INTAKE_WRITE_WAIT"
DEFAULT_WRITE_WAIT = 120.0
WAITING = "another helpdesk-intake process is writing; waiting…"


def write_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_WRITE_WAIT, DEFAULT_WRITE_WAIT)))
    except ValueError:
        return DEFAULT_WRITE_WAIT


def is_busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def begin_immediate(conn: sqlcipher3.Connection, wait: float | None = None) -> None:
    """BEGIN IMMEDIATE, retried while another connection writes, for `wait` seconds (None: the
    configured write_wait(); 0: one attempt under the connection's short busy timeout)."""
    deadline = None
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlcipher3.OperationalError as exc:
            if not is_busy(exc):
                raise
            limit = write_wait() if wait is None else wait
            if deadline is None:
                deadline = time.monotonic() + limit
                if limit > 0:
                    log.warning(WAITING)
            if time.monotonic() >= deadline:
                raise StoreBusy(f"another helpdesk-intake process kept the store busy for {limit:.0f} s; nothing "
                                f"was written; try again later (or set {ENV_WRITE_WAIT} to wait longer)") from exc
            time.sleep(0.05)
