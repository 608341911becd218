"""A keyring backend for the bench's keyring-key CLI row only (bench/rows_cli.py): the app process
finds its raw key here as it would in the OS keyring (PYTHON_KEYRING_BACKEND, which the app honours
as keyring does). The bench's throwaway demo key comes from BENCH_KEYRING_KEY in the child's
environment, never from a file. A real Secret Service lookup adds one D-Bus round trip."""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class EnvKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        if service != "helpdesk-intake" or username != os.environ.get("BENCH_KEYRING_ACCOUNT"):
            return None
        return os.environ.get("BENCH_KEYRING_KEY")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("the bench keyring is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("the bench keyring is read-only")
