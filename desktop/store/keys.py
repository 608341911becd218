"""Where a store's key comes from: env passphrase, OS keyring (raw 256-bit key), or a prompt.

The key or passphrase is never written to disk in plain text, never logged, and never put in
an exception message.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop import digests
from desktop.errors import KeyringUnavailable

SERVICE = "helpdesk-intake"
ENV_PASSPHRASE = "HELPDESK_INTAKE_PASSPHRASE"
MIN_PASSPHRASE = 8

log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class Key:
    """A SQLCipher key: either a raw 32-byte key (hex) or a passphrase. repr never shows it."""

    kind: str  # "raw" | "passphrase"
    secret: str = field(repr=False)

    def pragma_value(self) -> str:
        if self.kind == "raw":
            return f"\"x'{self.secret}'\""
        return "'" + self.secret.replace("'", "''") + "'"

    def __repr__(self) -> str:
        return f"Key(kind={self.kind!r}, secret=<hidden>)"

    @staticmethod
    def new_raw() -> Key:
        return Key("raw", digests.token_hex(32))

    @staticmethod
    def passphrase(text: str) -> Key:
        return Key("passphrase", text)


def keyring_account(store_path: Path) -> str:
    return str(Path(store_path).expanduser().resolve())


# This system's own keyring backends ("module:class"), asked directly: see _choose_native_backend.
NATIVE_BACKENDS: dict[str, tuple[str, ...]] = {
    "linux": ("keyring.backends.SecretService:Keyring", "keyring.backends.kwallet:DBusKeyring",
              "keyring.backends.kwallet:DBusKeyringKWallet4", "keyring.backends.libsecret:Keyring"),
    "darwin": ("keyring.backends.macOS:Keyring",),
    "win32": ("keyring.backends.Windows:WinVaultKeyring",),
}


def _platform() -> str:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return "linux"
    return sys.platform


def _keyring_module():
    from desktop.deferred_imports import defer_unused_by_keyring

    defer_unused_by_keyring()  # ~50 ms of start: see desktop/deferred_imports.py
    import keyring
    import keyring.errors

    _choose_native_backend(keyring)
    return keyring, keyring.errors


def _choose_native_backend(keyring) -> None:
    """Pick the keyring backend without keyring's full discovery, where that gives the same answer.

    keyring's discovery imports every backend it ships, other systems' too: on Linux the macOS one
    runs ctypes.util.find_library, which spawns gcc and ldconfig. About 130 ms of every start on the
    development VM. So, when no backend was set (the tests set one) and none is configured
    (PYTHON_KEYRING_BACKEND or keyringrc.cfg, honoured exactly as keyring does), this system's own
    backends are asked directly and the viable one with the highest priority is used, as keyring
    would choose among them. When none is viable, nothing is set and keyring's discovery runs as
    before (third-party backends installed as plugins are then considered too)."""
    core = keyring.core
    if getattr(core, "_keyring_backend", True) is not None:  # already chosen (or keyring changed)
        return
    try:
        configured = core.load_env() or core.load_config()
    except Exception:  # a broken configuration: let keyring report it on first use
        return
    if configured is not None:
        core.set_keyring(configured)
        return
    viable = []
    for spec in NATIVE_BACKENDS.get(_platform(), ()):
        module, _, name = spec.partition(":")
        try:
            backend = getattr(importlib.import_module(module), name)
            if backend.viable:
                viable.append(backend)
        except Exception:  # a backend whose libraries are missing is simply not a candidate
            continue
    if viable:
        core.set_keyring(max(viable, key=lambda backend: backend.priority)())


def keyring_reason() -> str | None:
    """None when a usable keyring backend exists, else a one-line reason."""
    try:
        keyring, _ = _keyring_module()
        backend = keyring.get_keyring()
    except Exception as exc:  # pragma: no cover - broken installs
        return f"the keyring library failed to load ({type(exc).__name__})"
    name = type(backend).__name__
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail") or name == "Keyring" and "fail" in module:
        return (
            "no OS keyring is available on this system (no Secret Service, Keychain or "
            "Credential Manager was found)"
        )
    if module.startswith("keyring.backends.null"):
        return "the OS keyring is disabled"
    priority = getattr(backend, "priority", 1)
    try:
        if float(priority) <= 0:
            return "the only keyring backend available is not usable"
    except (TypeError, ValueError):
        pass
    return None


def keyring_get(store_path: Path) -> Key | None:
    """The raw key stored for this store, None if the keyring holds none. Raises KeyringUnavailable."""
    keyring, errors = _keyring_module()
    try:
        value = keyring.get_password(SERVICE, keyring_account(store_path))
    except errors.NoKeyringError as exc:
        raise KeyringUnavailable("no OS keyring is available on this system") from exc
    except errors.KeyringLocked as exc:
        raise KeyringUnavailable("the OS keyring is locked; unlock it and try again") from exc
    except errors.KeyringError as exc:
        raise KeyringUnavailable(f"the OS keyring refused access ({type(exc).__name__})") from exc
    except Exception as exc:  # D-Bus failures and the like
        raise KeyringUnavailable(f"the OS keyring could not be reached ({type(exc).__name__})") from exc
    if value is None:
        return None
    value = value.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise KeyringUnavailable("the key stored in the OS keyring for this store is malformed")
    return Key("raw", value)


def keyring_set(store_path: Path, key: Key) -> None:
    """Store a raw key and read it back. Raises KeyringUnavailable on any failure."""
    if key.kind != "raw":
        raise ValueError("only raw keys go into the keyring")
    reason = keyring_reason()
    if reason:
        raise KeyringUnavailable(reason)
    keyring, errors = _keyring_module()
    try:
        keyring.set_password(SERVICE, keyring_account(store_path), key.secret)
    except errors.KeyringLocked as exc:
        raise KeyringUnavailable("the OS keyring is locked") from exc
    except Exception as exc:
        raise KeyringUnavailable(f"the OS keyring refused to store the key ({type(exc).__name__})") from exc
    back = keyring_get(store_path)
    if back is None or back.secret != key.secret:
        raise KeyringUnavailable("the OS keyring did not keep the key")


def keyring_delete(store_path: Path) -> None:
    keyring, errors = _keyring_module()
    try:
        keyring.delete_password(SERVICE, keyring_account(store_path))
    except errors.PasswordDeleteError:
        pass
    except Exception as exc:
        log.warning("could not remove key from OS keyring (%s)", type(exc).__name__)


PassphrasePrompt = Callable[[str, bool], str | None]
"""prompt(message, confirm) -> passphrase or None when the user cancels."""


@dataclass
class KeyResolution:
    key: Key | None
    source: str  # "env" | "keyring" | "prompt" | "none"
    note: str | None = None  # why the keyring was not used, for the user


def passphrase_problem(text: str) -> str | None:
    if len(text) < MIN_PASSPHRASE:
        return f"the passphrase must be at least {MIN_PASSPHRASE} characters long"
    if "\x00" in text:
        return "the passphrase must not contain NUL characters"
    return None


def env_passphrase() -> str | None:
    value = os.environ.get(ENV_PASSPHRASE)
    return value if value else None


def key_for_new_store(store_path: Path, prompt: PassphrasePrompt | None) -> KeyResolution:
    """Choose protection for a new store: env passphrase, else keyring raw key, else prompted passphrase.

    The keyring entry is written by the caller only after the store is created (see Vault.create).
    """
    env = env_passphrase()
    if env is not None:
        problem = passphrase_problem(env)
        if problem:
            raise ValueError(f"{ENV_PASSPHRASE}: {problem}")
        return KeyResolution(Key.passphrase(env), "env")
    reason = keyring_reason()
    if reason is None:
        return KeyResolution(Key.new_raw(), "keyring")
    note = f"The OS keyring cannot be used because {reason}; the store is protected by a passphrase instead."
    if prompt is None:
        return KeyResolution(None, "none", note)
    text = prompt(note + "\nChoose a passphrase for the new store:", True)
    if text is None:
        return KeyResolution(None, "none", note)
    problem = passphrase_problem(text)
    if problem:
        raise ValueError(problem)
    return KeyResolution(Key.passphrase(text), "prompt", note)


def key_for_existing_store(store_path: Path, prompt: PassphrasePrompt | None) -> KeyResolution:
    """Key sources in order: HELPDESK_INTAKE_PASSPHRASE, the OS keyring, an interactive prompt."""
    env = env_passphrase()
    if env is not None:
        return KeyResolution(Key.passphrase(env), "env")
    note = None
    try:
        key = keyring_get(store_path)
        if key is not None:
            return KeyResolution(key, "keyring")
    except KeyringUnavailable as exc:
        note = f"The OS keyring cannot be used because {exc}."
    if prompt is None:
        return KeyResolution(None, "none", note)
    text = prompt((note + "\n" if note else "") + "Passphrase for the store:", False)
    if text is None:
        return KeyResolution(None, "none", note)
    return KeyResolution(Key.passphrase(text), "prompt", note)
