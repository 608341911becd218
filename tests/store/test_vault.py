"""The encrypted store: creation, unlock, wrong keys, foreign and damaged files, settings, plaintext."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from desktop.errors import StoreDamaged, StoreError, StoreExists, StoreNotFound, WrongKeyError
from desktop.store.keys import Key
from desktop.store.schema import LATEST
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_store_is_owner_only_and_versioned(store_path):
    vault = Vault.create(store_path, Key.passphrase(PASSPHRASE))
    try:
        assert vault.user_version() == LATEST
        assert vault.pragma("secure_delete") == 1
        assert vault.pragma("temp_store") != 1  # never FILE
        assert vault.pragma("synchronous") == 2  # FULL
    finally:
        vault.close()
    assert stat.S_IMODE(os.stat(store_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store_path.parent).st_mode) == 0o700


def test_create_refuses_to_overwrite(store_path):
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"precious")
    with pytest.raises(StoreExists):
        Vault.create(store_path, Key.passphrase(PASSPHRASE))
    assert store_path.read_bytes() == b"precious"


def test_raw_key_store_reopens_and_rejects_other_keys(store_path):
    key = Key.new_raw()
    Vault.create(store_path, key).close()
    Vault.open(store_path, key).close()
    before = digest(store_path)
    with pytest.raises(WrongKeyError, match="wrong passphrase or not a helpdesk-intake store"):
        Vault.open(store_path, Key.new_raw())
    assert digest(store_path) == before


def test_wrong_passphrase_changes_not_one_byte(services, store_path):
    add_case(services)
    services.close()
    before = digest(store_path)
    names_before = sorted(p.name for p in store_path.parent.iterdir())
    with pytest.raises(WrongKeyError) as info:
        Vault.open(store_path, Key.passphrase("not the passphrase"))
    assert "not the passphrase" not in str(info.value)
    assert digest(store_path) == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == names_before


def test_missing_store_is_not_created(tmp_path):
    path = tmp_path / "nothing.db"
    with pytest.raises(StoreNotFound):
        Vault.open(path, Key.passphrase(PASSPHRASE))
    assert not path.exists()


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 4000, b"hello world\n" * 50])
def test_foreign_file_is_reported_and_untouched(tmp_path, content):
    path = tmp_path / "foreign.db"
    path.write_bytes(content)
    with pytest.raises(WrongKeyError):
        Vault.open(path, Key.passphrase(PASSPHRASE))
    assert path.read_bytes() == content


def test_plain_sqlite_database_is_not_a_store(tmp_path):
    import sqlite3

    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("create table t(x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(WrongKeyError):
        Vault.open(path, Key.passphrase(PASSPHRASE))
    assert digest(path) == before


def test_truncated_store_is_reported_not_overwritten(services, store_path):
    for i in range(40):
        add_case(services, email=f"user{i}@example.org", description="x" * 2000)
    services.close()
    data = store_path.read_bytes()
    store_path.write_bytes(data[: len(data) // 2])
    before = digest(store_path)
    with pytest.raises(StoreError):
        vault = Vault.open(store_path, Key.passphrase(PASSPHRASE))
        try:
            problems = vault.integrity_problems()
            if problems:
                raise StoreDamaged("; ".join(problems))
            vault.read("SELECT count(*), max(length(description)) FROM cases")
        finally:
            vault.close()
    assert digest(store_path) == before


def test_tampered_page_fails_integrity_check(services, store_path):
    for i in range(20):
        add_case(services, email=f"user{i}@example.org", description="y" * 3000)
    services.close()
    data = bytearray(store_path.read_bytes())
    data[4096 * 3 + 100] ^= 0xFF  # flip one byte inside page 4
    store_path.write_bytes(bytes(data))
    vault = Vault.open(store_path, Key.passphrase(PASSPHRASE))
    try:
        assert vault.integrity_problems(), "a flipped byte must be detected"
    finally:
        vault.close()


def test_store_file_holds_no_plaintext(services, store_path):
    hostile = {
        "name": "Zoë Łukasz-Ωμέγα Жуков 山田太郎",
        "email": "marker.plaintext.leak@example-unique.org",
        "phone": "+44 20 7946 0958",
        "description": "UNIQUEDESCRIPTIONMARKER <script>alert(1)</script> '); DROP TABLE cases;-- =cmd|' /C calc'!A0",
        "technical_details": "Received: from UNIQUETECHMARKER.example by mx\u202e RTL",
    }
    case_id = add_case(services, **hostile)
    services.cases.add_note(case_id, "UNIQUENOTEMARKER called back")
    files = [p for p in store_path.parent.iterdir() if p.name.startswith(store_path.name)]
    blob = b"".join(p.read_bytes() for p in files)
    needles = ["Łukasz", "Ωμέγα", "Жуков", "山田太郎", "marker.plaintext.leak", "example-unique",
               "UNIQUEDESCRIPTIONMARKER", "UNIQUETECHMARKER", "UNIQUENOTEMARKER", "442079460958",
               "DROP TABLE cases"]
    for needle in needles:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert needle.encode(encoding) not in blob, f"{needle!r} found in {encoding}"


def _as_schema(vault, version: int) -> None:
    """Make a store what an older schema wrote: search entries keyed by case id (schemas 1 and 2),
    and no search-order index (schema 1)."""
    from desktop.store.search import phone_tokens

    with vault.transaction() as c:
        rows = c.execute("SELECT id, coalesce(name, ''), coalesce(email, ''), phone, coalesce(description, '')"
                         " FROM cases WHERE anonymised_at IS NULL").fetchall()
        c.execute("DROP TABLE cases_fts")  # as schemas 1-3 made it (rowid deletes, no secure-delete)
        c.execute("CREATE VIRTUAL TABLE cases_fts USING fts5(name, email, phone, description, content='',"
                  " contentless_delete=1, tokenize='unicode61 remove_diacritics 2')")
        c.executemany("INSERT INTO cases_fts(rowid, name, email, phone, description) VALUES (?,?,?,?,?)",
                      [(i, n, e, phone_tokens(p), d) for i, n, e, p, d in rows])
        if version < 2:
            c.execute("DROP INDEX cases_search_order")
        if version < 4:
            c.execute("DROP TABLE erasure_secret")
            c.execute("DROP TABLE erasure_records")
        c.execute(f"PRAGMA user_version = {version}")


@pytest.mark.parametrize("old", [1, 2])
def test_an_older_store_is_upgraded_on_open_with_a_backup_and_keeps_its_cases_and_search(store_path, clock, old):
    """Stores written before schema 3 are upgraded on open: the search-order index (2) and search
    entries under their list-order keys (3). A pre-upgrade backup is written first, and the cases,
    every kind of search (name, email, phone, description), the list order and the audit chain are
    intact afterwards; an anonymised case stays out of the search."""
    from datetime import timedelta

    from desktop.app import build_services
    from desktop.domain.models import CaseQuery
    from desktop.store.retention_repo import RetentionRepo

    key = Key.passphrase(PASSPHRASE)
    vault = Vault.create(store_path, key)
    services = build_services(vault, clock=clock, staff="tester")
    t0 = clock.now() - timedelta(days=3)
    first = add_case(services, received_at=t0, name="Ada Lovelace", email="ada@example.org",
                     phone="+44 20 7946 0958", description="bounce from spamhaus listing")
    second = add_case(services, received_at=t0 + timedelta(days=2), name="Grace Hopper",
                      email="grace@example.org", phone=None, description="spamhaus again")
    third = add_case(services, received_at=t0 + timedelta(days=1), name="Alan Turing",
                     email="alan@example.org", phone="+1 202 555 0143", description="spamhaus third")
    gone = add_case(services, received_at=t0, name="Zed Anon", email="zed@example.org",
                    phone=None, description="spamhaus anonymised")
    with vault.transaction():
        RetentionRepo(vault).purge(anonymise=[gone], at=clock.now())
    _as_schema(vault, old)
    assert vault.user_version() == old
    vault.close()

    vault = Vault.open(store_path, key)
    try:
        assert vault.user_version() == LATEST >= 5
        assert vault.read("SELECT name FROM sqlite_master WHERE name = 'cases_search_order'")
        assert vault.read("SELECT count(*) FROM erasure_secret")[0][0] == 1  # schema 4 made the secret
        assert store_path.with_name(f"{store_path.name}.pre-v{LATEST}.bak").exists()
        assert vault.fts_deletes_securely()  # schema 5: the index is rebuilt to delete securely
        services = build_services(vault, clock=clock, staff="tester")
        ids = services.cases.ids
        assert list(ids(CaseQuery(search="spamhaus"))) == [second, third, first]  # newest first
        assert list(ids(CaseQuery(search="grace"))) == [second]
        assert list(ids(CaseQuery(search="ada@exam"))) == [first]
        assert list(ids(CaseQuery(search="020794"))) == [first]  # national form of the phone
        assert services.cases.list_page(CaseQuery(search="spamhaus"), 2).ids.tolist() == [second, third]
        assert services.audit.verify().ok
    finally:
        vault.close()


def test_an_empty_key_never_creates_or_opens_a_store(store_path):
    """SQLCipher with an empty key would write a plaintext database: the vault refuses it."""
    for empty in (Key.passphrase(""), Key("raw", "")):
        with pytest.raises(WrongKeyError):
            Vault.create(store_path, empty)
        assert not store_path.exists()
    Vault.create(store_path, Key.passphrase(PASSPHRASE)).close()
    before = digest(store_path)
    with pytest.raises(WrongKeyError):
        Vault.open(store_path, Key.passphrase(""))
    assert digest(store_path) == before
