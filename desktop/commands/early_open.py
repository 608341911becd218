"""`backup`'s work started while the CLI is still importing and parsing (issue 17).

Before the command line is parsed, every command module is imported (0.15-0.3 s). For the
commands in EARLY_COMMANDS, cli.main calls start() first: a thread resolves the key as
open_services would (HELPDESK_INTAKE_PASSPHRASE, else the OS keyring; never a prompt), opens the
store (services/session.py open_early: the in-use lock first, the file checks, the key; no
migration, no page check, no audit entry) and, for `backup --out FILE`, makes and checks the copy
in its hidden part file (store/backups.py prepare_copy). A passphrase's derivation (0.25-0.4 s) and
the copy's I/O let go of the GIL, so they overlap the imports. open_services (commands/common.py)
take()s that store when its path and key are the ones it resolved itself, and cmd_backup takes the
copy when its target is the one named; otherwise, and whenever anything early failed, the command
runs as before, so every failure is reported exactly as without this (a failed early open costs one
more key derivation, on that failure path only). cli.main discard()s whatever nobody took: the
store is closed, the part file removed. The early thread writes nothing to the store.
"""

from __future__ import annotations

import threading
from pathlib import Path

EARLY_COMMANDS = frozenset({"backup"})


class _Early:
    def __init__(self, path: Path, out: str | None) -> None:
        self.path, self.out = path, out
        self.key = self.opened = self.prepared = None
        self._thread = threading.Thread(target=self._run, name="early-open", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from desktop.services.session import key_for_existing_store, open_early, prepare_backup

            key = key_for_existing_store(self.path, None).key
            if key is None:
                return
            self.opened = open_early(self.path, key)
            self.key = key
            if self.out:
                self.prepared = prepare_backup(self.opened, Path(self.out))
        except BaseException:  # noqa: BLE001 - the command's own open and copy report it
            return

    def join(self) -> _Early:
        self._thread.join()
        return self


_pending: _Early | None = None


def _command_line(argv: list[str]) -> tuple[str | None, str | None, str | None]:
    """(--store value, command, --out value) as the parser would read them; command None when the
    line is anything else (help, version, an unknown global option)."""
    store, i = None, 0
    while i < len(argv) and argv[i].startswith("-"):
        arg = argv[i]
        if arg == "--store" and i + 1 < len(argv):
            store, i = argv[i + 1], i + 2
        elif arg.startswith("--store="):
            store, i = arg.split("=", 1)[1], i + 1
        elif arg == "--debug":
            i += 1
        else:
            return store, None, None
    rest = argv[i + 1:]
    if i >= len(argv) or any(a in ("-h", "--help") for a in rest):
        return store, None, None
    out = None
    for j, arg in enumerate(rest):  # the subcommand takes --store too (`backup --store X --out Y`)
        if arg in ("--out", "--store") and j + 1 < len(rest):
            if arg == "--out":
                out = rest[j + 1]
            else:
                store = rest[j + 1]
        elif arg.startswith(("--out=", "--store=")):
            name, value = arg.split("=", 1)
            if name == "--out":
                out = value
            else:
                store = value
    return store, argv[i], out


def start(argv: list[str]) -> None:
    """Begin opening the store (and making the backup's copy) in a thread when the command line asks
    for an EARLY_COMMAND; nothing otherwise."""
    global _pending
    if _pending is not None:
        return
    store, command, out = _command_line(list(argv))
    if command not in EARLY_COMMANDS:
        return
    from desktop.paths import store_path

    try:
        path = store_path(store)
    except Exception:  # noqa: BLE001 - the ordinary path reports a bad store path
        return
    _pending = _Early(path, out)


def take(path: Path, key):
    """The store opened early for exactly this path and key, else None (one opened for another is
    closed, with its copy)."""
    early = _pending.join() if _pending is not None else None
    if early is None or early.opened is None:
        return None
    if early.path == Path(path) and early.key is not None and (early.key.kind, early.key.secret) == (key.kind, key.secret):
        opened, early.opened = early.opened, None
        return opened
    discard()
    return None


def prepared(target: Path):
    """The copy made early for exactly this target (on the store take() handed out), else None."""
    global _pending
    early, _pending = _pending, None
    if early is None:
        return None
    copy = early.join().prepared
    if copy is not None and early.opened is None and copy.target == Path(target).absolute():
        return copy
    discard_early(early)
    return None


def discard_early(early: _Early) -> None:
    early.join()
    if early.prepared is not None:
        early.prepared.discard()
    if early.opened is not None:
        early.opened.close()


def discard() -> None:
    """Close the store and remove the copy made early that no command took."""
    global _pending
    early, _pending = _pending, None
    if early is not None:
        discard_early(early)
