"""Shared fixtures: isolated dirs, an in-memory OS keyring, a fixed clock, an open store."""

from __future__ import annotations

import os
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backends.fail  # noqa: E402
import pytest  # noqa: E402

from desktop.app import build_services  # noqa: E402
from desktop.domain.clock import FixedClock  # noqa: E402
from desktop.store.keys import Key  # noqa: E402
from desktop.store.vault import Vault  # noqa: E402
from tests.helpers.keyrings import MemoryKeyring  # noqa: E402

PASSPHRASE = "test passphrase 1"
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test touches the real data dir, the real keyring or a real passphrase."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HELPDESK_INTAKE_PASSPHRASE", raising=False)
    monkeypatch.delenv("HELPDESK_INTAKE_STORE", raising=False)
    monkeypatch.setenv("HELPDESK_INTAKE_STAFF", "tester")
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(isolated_env) -> MemoryKeyring:
    return isolated_env


@pytest.fixture
def fail_keyring():
    """keyring's fail backend: what headless Linux without a Secret Service gives."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store" / "helpdesk.db"


@pytest.fixture
def services(store_path, clock):
    vault = Vault.create(store_path, Key.passphrase(PASSPHRASE))
    svc = build_services(vault, clock=clock, staff="tester")
    yield svc
    svc.close()
