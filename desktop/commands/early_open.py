"""The passphrase's key derivation, started while the CLI is still importing and parsing (issue 17).

Opening a passphrase store costs one PBKDF2 derivation inside SQLCipher (0.25-0.4 s), during which
sqlcipher3 lets go of the GIL; building the parser first imports every command module (0.15-0.25 s).
For the commands in EARLY_COMMANDS, when the passphrase comes from HELPDESK_INTAKE_PASSPHRASE,
cli.main calls start() before it builds the parser: a thread opens the store as open_services
would (desktop/app.py open_vault: the in-use lock first, the file checks, the key; no migration and
no page check, no audit entry). open_services (commands/common.py) then take()s that vault when its
path and key are the ones it resolved itself; otherwise, and whenever the early open failed, it
opens as before, so every failure is reported exactly as without this (an early open that failed
costs one more derivation, on that failure path only). cli.main discard()s a vault nobody took.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

EARLY_COMMANDS = frozenset({"backup"})
ENV_PASSPHRASE = "HELPDESK_INTAKE_PASSPHRASE"  # desktop/store/keys.py, read here without importing it


class _Early:
    def __init__(self, path: Path, passphrase: str) -> None:
        self.path, self.passphrase = path, passphrase
        self.opened = None
        self.failed = False
        self._thread = threading.Thread(target=self._open, name="early-open", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            from desktop.app import open_vault
            from desktop.services.session import Key

            self.opened = open_vault(self.path, Key.passphrase(self.passphrase))
        except BaseException:  # noqa: BLE001 - the ordinary open reports it
            self.failed = True

    def result(self):
        self._thread.join()
        return self.opened


_pending: _Early | None = None


def _store_argument(argv: list[str]) -> tuple[str | None, str | None]:
    """(--store value, command) from the global options before the command; command None when the
    line is anything else (help, version, an unknown option)."""
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
            return store, None
    if i >= len(argv) or any(a in ("-h", "--help") for a in argv[i + 1:]):
        return store, None
    return store, argv[i]


def start(argv: list[str]) -> None:
    """Begin opening the store in a thread when the command line asks for an EARLY_COMMAND on a
    passphrase from the environment; nothing otherwise."""
    global _pending
    passphrase = os.environ.get(ENV_PASSPHRASE)
    if not passphrase or _pending is not None:
        return
    store, command = _store_argument(list(argv))
    if command not in EARLY_COMMANDS:
        return
    from desktop.paths import store_path

    try:
        path = store_path(store)
    except Exception:  # noqa: BLE001 - the ordinary path reports a bad store path
        return
    _pending = _Early(path, passphrase)


def take(path: Path, key):
    """The vault opened early for exactly this path and passphrase, else None (any other one is closed)."""
    global _pending
    early, _pending = _pending, None
    if early is None:
        return None
    vault = early.result()
    if vault is None:
        return None
    if early.path == Path(path) and key.kind == "passphrase" and key.secret == early.passphrase:
        return vault
    vault.close()
    return None


def discard() -> None:
    """Close a vault opened early that no command took (the command failed before opening)."""
    global _pending
    early, _pending = _pending, None
    if early is not None and early.result() is not None:
        early.opened.close()
