"""rekey: a new key or passphrase, moves between keyring and passphrase; the old key is rejected."""

from __future__ import annotations

import pytest

from desktop.app import build_services, open_services
from desktop.errors import KeyChangeRefused, KeyringUnavailable, StoreBusy, WrongKeyError
from desktop.services.keys_service import KeyService
from desktop.store import key_rotation
from desktop.store.keys import Key, keyring_get, keyring_set
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.security.helpers import digest, run_cli

NEW = "a brand new passphrase"


def assert_rejected(path, key):
    with pytest.raises(WrongKeyError):
        Vault.open(path, key)


def cases_with(path, key):
    with Vault.open(path, key) as v:
        assert v.integrity_problems() == []
        return [r[0] for r in v.read("SELECT email FROM cases ORDER BY id")]


@pytest.fixture
def keyring_store(store_path, memory_keyring, clock):
    key = Key.new_raw()
    keyring_set(store_path, key)
    svc = build_services(Vault.create(store_path, key), clock=clock, staff="tester")
    add_case(svc, email="kr@example.org")
    yield svc, key
    svc.close()


def test_new_passphrase_rejects_old_and_keeps_data(services, store_path):
    add_case(services, email="p1@example.org")
    change = KeyService(services.ctx).change(new_passphrase=NEW)
    assert (change.before, change.after) == ("passphrase", "passphrase")
    services.close()
    assert_rejected(store_path, Key.passphrase(PASSPHRASE))
    assert cases_with(store_path, Key.passphrase(NEW)) == ["p1@example.org"]
    with Vault.open(store_path, Key.passphrase(NEW)) as v:
        trail = repr(v.read("SELECT * FROM audit"))
    assert "from=passphrase;to=passphrase" in trail and NEW not in trail and PASSPHRASE not in trail


def test_weak_or_same_passphrase_refused(services, store_path):
    keys = KeyService(services.ctx)
    with pytest.raises(KeyChangeRefused):
        keys.change(new_passphrase="short")
    with pytest.raises(KeyChangeRefused):
        keys.change(new_passphrase=PASSPHRASE)
    services.close()
    assert cases_with(store_path, Key.passphrase(PASSPHRASE)) == []


def test_keyring_rotation_replaces_key(keyring_store, store_path, memory_keyring):
    svc, old = keyring_store
    KeyService(svc.ctx).change()
    svc.close()
    new = keyring_get(store_path)
    assert new is not None and new.secret != old.secret
    assert key_rotation.get_pending(store_path) is None
    assert_rejected(store_path, old)
    assert cases_with(store_path, new) == ["kr@example.org"]


def test_keyring_to_passphrase_and_back(keyring_store, store_path, memory_keyring):
    svc, old = keyring_store
    assert KeyService(svc.ctx).change(to="passphrase", new_passphrase=NEW).after == "passphrase"
    svc.close()
    assert keyring_get(store_path) is None  # the old key is gone from the keyring
    assert_rejected(store_path, old)
    svc = open_services(store_path, Key.passphrase(NEW))
    try:
        assert KeyService(svc.ctx).change(to="keyring").after == "keyring"
    finally:
        svc.close()
    raw = keyring_get(store_path)
    assert raw is not None and raw.secret != old.secret
    assert_rejected(store_path, Key.passphrase(NEW))
    assert cases_with(store_path, raw) == ["kr@example.org"]


def test_interrupted_rotation_recovers_pending_key(keyring_store, store_path, monkeypatch):
    """Crash between the rekey and writing the main keyring slot: the pending key opens the store."""
    svc, old = keyring_store

    def refuse(path, key):
        raise KeyringUnavailable("simulated failure")

    monkeypatch.setattr("desktop.services.keys_service.keyring_set", refuse)
    change = KeyService(svc.ctx).change()
    svc.close()
    assert change.warning and "pending" in change.warning
    assert keyring_get(store_path).secret == old.secret  # main slot still old
    assert_rejected(store_path, old)
    reopened = open_services(store_path, old)  # what the CLI/GUI would try: the main slot
    reopened.close()
    promoted = keyring_get(store_path)
    assert promoted.secret != old.secret and key_rotation.get_pending(store_path) is None
    assert cases_with(store_path, promoted) == ["kr@example.org"]


def test_rekey_refused_while_store_open_elsewhere(services, store_path):
    holder = Vault.open(store_path, Key.passphrase(PASSPHRASE))
    try:
        with pytest.raises(StoreBusy):
            KeyService(services.ctx).change(new_passphrase=NEW)
    finally:
        holder.close()
    services.close()
    assert cases_with(store_path, Key.passphrase(PASSPHRASE)) == []


def test_cli_rekey_passphrase(services, store_path, capsys, monkeypatch):
    add_case(services, email="cli@example.org")
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("HELPDESK_INTAKE_NEW_PASSPHRASE", NEW)
    status, out, err = run_cli(capsys, "rekey", "--store", str(store_path))
    assert status == 0, err
    assert "old key no longer opens it" in out and NEW not in out + err
    status, _, err = run_cli(capsys, "cases", "--store", str(store_path))
    assert status == 4  # env still holds the old passphrase
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", NEW)
    status, out, _ = run_cli(capsys, "audit", "verify", "--store", str(store_path))
    assert status == 0


def test_cli_to_keyring_refused_without_keyring(services, store_path, capsys, monkeypatch, fail_keyring):
    services.close()
    before = digest(store_path)
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    status, _, err = run_cli(capsys, "rekey", "--to-keyring", "--store", str(store_path))
    assert status == 4 and "keyring cannot be used" in err and "nothing was changed" in err
    assert digest(store_path) == before
    assert cases_with(store_path, Key.passphrase(PASSPHRASE)) == []


def test_cli_to_keyring_with_keyring(services, store_path, capsys, monkeypatch, memory_keyring):
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", PASSPHRASE)
    status, out, err = run_cli(capsys, "rekey", "--to-keyring", "--store", str(store_path))
    assert status == 0, err
    monkeypatch.delenv("HELPDESK_INTAKE_PASSPHRASE")
    status, out, _ = run_cli(capsys, "audit", "list", "--store", str(store_path), "--action", "store.key_change")
    assert status == 0 and "from=passphrase;to=keyring" in out
    assert_rejected(store_path, Key.passphrase(PASSPHRASE))
