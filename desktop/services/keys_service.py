"""Change how the open store is protected: rotate the key, change the passphrase, move between
an OS-keyring key and a passphrase. The old key no longer opens the store afterwards. Audited
by kind only ("keyring" / "passphrase"), never the key."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.errors import KeyChangeRefused, KeyringUnavailable
from desktop.services.context import Context
from desktop.store import key_rotation
from desktop.store.keys import (
    Key,
    keyring_delete,
    keyring_reason,
    keyring_set,
    passphrase_problem,
)

KIND_NAMES = {"raw": "keyring", "passphrase": "passphrase"}


@dataclass(frozen=True)
class KeyChange:
    before: str  # "keyring" | "passphrase"
    after: str
    warning: str | None = None


class KeyService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def kind(self) -> str:
        return KIND_NAMES[self.ctx.vault.key_kind]

    def target_kind(self, to: str | None) -> str:
        return to or self.kind

    def change(self, *, to: str | None = None, new_passphrase: str | None = None) -> KeyChange:
        """to: None (same protection, new key), 'keyring' or 'passphrase'.

        Keyring: a fresh random 256-bit key, kept pending in the keyring before the rekey and
        moved to the store's slot after it (see store/key_rotation.py). Passphrase: new_passphrase
        is required and checked; leaving the keyring removes the old keyring entry afterwards.
        """
        vault = self.ctx.vault
        before = self.kind
        after = self.target_kind(to)
        if after not in ("keyring", "passphrase"):
            raise KeyChangeRefused(f"unknown protection {after!r}")
        warning = None
        if after == "keyring":
            reason = keyring_reason()
            if reason:
                raise KeyChangeRefused(f"the OS keyring cannot be used because {reason}; nothing was changed",
                                       keyring=True)
            new_key = Key.new_raw()
            try:
                key_rotation.set_pending(vault.path, new_key)
            except KeyringUnavailable as exc:
                raise KeyChangeRefused(f"the OS keyring cannot be used because {exc}; nothing was changed",
                                       keyring=True) from exc
            try:
                vault.rekey(new_key)
            except BaseException:
                key_rotation.clear_pending(vault.path)
                raise
            try:
                keyring_set(vault.path, new_key)
                key_rotation.clear_pending(vault.path)
            except KeyringUnavailable as exc:
                warning = (f"the new key is kept in the keyring's pending slot ({exc}); it will be "
                           "used and moved into place at the next unlock")
        else:
            if new_passphrase is None:
                raise KeyChangeRefused("a new passphrase is needed")
            problem = passphrase_problem(new_passphrase)
            if problem:
                raise KeyChangeRefused(problem + "; nothing was changed")
            new_key = Key.passphrase(new_passphrase)
            if vault.same_key(new_key):
                raise KeyChangeRefused("the new passphrase is the current one; nothing was changed")
            vault.rekey(new_key)
            if before == "keyring":
                keyring_delete(vault.path)
        self.ctx.audit("store.key_change", "store", f"from={before};to={after}")
        return KeyChange(before, after, warning)
