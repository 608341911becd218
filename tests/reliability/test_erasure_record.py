"""Issue 13 item 0: the keyed erasure record, and restore re-applying erasures done since a backup."""

from __future__ import annotations

from contextlib import contextmanager

from desktop.app import create_services
from desktop.app import open_services as _open_services
from desktop.services.backup_service import BackupService, restore
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.helpers.sqlcipher_pages import StoreImage

KEY = Key.passphrase(PASSPHRASE)
ZEB = dict(name="Zebulon Quartermaine", email="Zeb.Q@Example.org", description="Bounces from xyzzyplugh")


@contextmanager
def open_services(path, key, **kw):
    s = _open_services(path, key, **kw)
    try:
        yield s
    finally:
        s.close()


def erase(services, email: str):
    req = services.requests.open("erasure", email).request
    services.requests.record_verification(req.id, "reply_from_address", verified_by="Sam")
    return services.rights.erase(req.id)


def plaintext(path) -> bytes:
    return b"".join(p.plaintext for p in StoreImage.read(path, passphrase=PASSPHRASE).pages).lower()


def test_erasure_is_recorded_as_a_keyed_digest_without_the_address(services, store_path):
    add_case(services, **ZEB)
    add_case(services, email="bob@example.net")
    assert not services.erasures.was_erased("zeb.q@example.org")
    erase(services, ZEB["email"])

    # trimmed and case-folded spellings of the address all match; other people do not
    assert services.erasures.was_erased("zeb.q@example.org")
    assert services.erasures.was_erased("  ZEB.Q@EXAMPLE.ORG ")
    assert not services.erasures.was_erased("bob@example.net")
    assert services.erasures.erased_among(["bob@example.net", "zeb.q@EXAMPLE.org"]) == {"zeb.q@EXAMPLE.org"}
    # the store keeps an HMAC, not the address: no page of the file holds it any more
    services.vault.scrub()
    assert b"zeb.q@example.org" not in plaintext(store_path)
    digest_rows = services.vault.read("SELECT digest FROM erasure_records")
    assert len(digest_rows) == 1 and len(digest_rows[0][0]) == 64
    secret = services.vault.read("SELECT secret FROM erasure_secret")[0][0]
    assert len(secret) == 32


def test_each_store_has_its_own_secret(tmp_path):
    a = Vault.create(tmp_path / "a.db", KEY)
    b = Vault.create(tmp_path / "b.db", KEY)
    try:
        assert a.read("SELECT secret FROM erasure_secret") != b.read("SELECT secret FROM erasure_secret")
    finally:
        a.close()
        b.close()


def test_restore_reapplies_erasures_done_since_the_backup(services, store_path, tmp_path, clock):
    zeb = add_case(services, **ZEB)
    bob = add_case(services, email="bob@example.net")
    backup = tmp_path / "before-erasure.bak"
    BackupService(services.ctx).backup(backup)
    clock.advance(days=1)
    erase(services, ZEB["email"])
    services.close()

    result = restore(store_path, backup, KEY, clock=clock, staff="tester", open_services=_open_services)

    assert result.reapplied.people == 1 and result.reapplied.cases == 1 and result.records_carried
    with open_services(store_path, KEY, clock=clock) as s:
        assert s.ctx.cases.exists(bob) and not s.ctx.cases.exists(zeb)
        assert s.ctx.subjects.by_email("zeb.q@example.org") is None
        assert s.erasures.was_erased("zeb.q@example.org")  # the record came along for the next restore
        assert s.vault.read("SELECT count(*) FROM audit WHERE action = 'rights.erase_reapplied'")[0][0] == 1
        s.vault.scrub()
    assert b"quartermaine" not in plaintext(store_path)


def test_restore_keeps_a_person_who_came_back_after_the_erasure(services, store_path, tmp_path, clock):
    add_case(services, **ZEB)
    erase(services, ZEB["email"])
    clock.advance(days=2)
    again = add_case(services, **ZEB)  # a new request from the same person, after the erasure
    backup = tmp_path / "after.bak"
    BackupService(services.ctx).backup(backup)
    services.close()

    result = restore(store_path, backup, KEY, clock=clock, staff="tester", open_services=_open_services)

    assert result.reapplied.cases == 0
    with open_services(store_path, KEY, clock=clock) as s:
        assert s.ctx.cases.exists(again)


def test_restore_of_a_backup_from_another_store_takes_the_live_secret(services, store_path, tmp_path, clock):
    f = create_services(tmp_path / "foreign" / "f.db", KEY, clock=clock)
    zeb_there = add_case(f, **ZEB)
    backup = tmp_path / "foreign.bak"
    BackupService(f.ctx).backup(backup)
    f.close()
    add_case(services, **ZEB)
    erase(services, ZEB["email"])
    live_secret = services.vault.read("SELECT secret FROM erasure_secret")[0][0]
    services.close()

    result = restore(store_path, backup, KEY, clock=clock, staff="tester", open_services=_open_services)

    assert result.reapplied.cases == 1
    with open_services(store_path, KEY, clock=clock) as s:
        assert not s.ctx.cases.exists(zeb_there)
        assert s.vault.read("SELECT secret FROM erasure_secret")[0][0] == live_secret
