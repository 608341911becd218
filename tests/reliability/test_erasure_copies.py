"""Issue 13 item 2: an erasure reaches the copies of the store the app made (set aside by restore,
backups beside the store), or names each copy it could not reach."""

from __future__ import annotations

from desktop.app import open_services
from desktop.services.backup_service import BackupService, restore
from desktop.services.keys_service import KeyService
from desktop.store.keys import Key
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.helpers.sqlcipher_pages import StoreImage
from tests.reliability.test_erasure_record import ZEB, erase
from tests.security.helpers import run_cli

KEY = Key.passphrase(PASSPHRASE)


def holds_zeb(path, passphrase=PASSPHRASE) -> bool:
    blob = b"".join(p.plaintext for p in StoreImage.read(path, passphrase=passphrase).pages).lower()
    return b"quartermaine" in blob


def test_erasure_reaches_the_set_aside_store_and_backups_beside_it(services, store_path, tmp_path, clock):
    add_case(services, **ZEB)
    add_case(services, email="bob@example.net")
    beside = store_path.with_name(store_path.name + ".backup-1")
    BackupService(services.ctx).backup(beside)
    elsewhere = tmp_path / "old.bak"
    BackupService(services.ctx).backup(elsewhere)
    services.close()
    restore(store_path, elsewhere, KEY, clock=clock, staff="tester", open_services=open_services)  # sets the live store aside
    aside = next(p for p in store_path.parent.iterdir() if ".replaced-" in p.name)
    assert holds_zeb(aside) and holds_zeb(beside)

    clock.advance(hours=1)
    s = open_services(store_path, KEY, clock=clock)
    with s:
        result = erase(s, ZEB["email"])

    assert sorted(result.copies_cleaned) == sorted([aside, beside]) and result.copies_unreachable == []
    assert not holds_zeb(aside) and not holds_zeb(beside) and not holds_zeb(store_path)
    with open_services(beside, KEY, clock=clock) as b:  # the copy still opens, checks clean, keeps Bob
        assert b.vault.integrity_problems() == [] and b.audit.verify().ok
        assert b.ctx.subjects.by_email("bob@example.net") is not None


def test_copies_under_an_older_key_are_named(services, store_path, clock, capsys, monkeypatch):
    add_case(services, **ZEB)
    beside = store_path.with_name(store_path.name + ".backup-1")
    BackupService(services.ctx).backup(beside)
    KeyService(services.ctx).change(to="passphrase", new_passphrase="the new passphrase 2")
    services.close()
    monkeypatch.setenv("HELPDESK_INTAKE_PASSPHRASE", "the new passphrase 2")
    status, out, _ = run_cli(capsys, "--store", str(store_path), "request", "open", "--type", "erasure",
                             "--email", ZEB["email"])
    ref = out.strip().split()[0]
    assert run_cli(capsys, "--store", str(store_path), "request", "verify", ref, "--method",
                   "reply_from_address")[0] == 0
    status, out, err = run_cli(capsys, "--store", str(store_path), "erase", "--email", ZEB["email"], "--yes")
    assert status == 0, err
    assert f"the copy {beside} may still hold the person" in err and "key change" in err
    assert holds_zeb(beside)  # untouched: it is the user's to delete, and the message says so
