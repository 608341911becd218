"""Search finds people the way they are spoken of (issue 14): a phone number read out as written
locally, in any grouping, and an email address or part of one as one thing, not as loose words."""

from __future__ import annotations

import pytest

from desktop.domain.models import CaseQuery
from desktop.store.keys import Key
from desktop.store.schema import LATEST
from desktop.store.search import fts_query
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case


def found(services, text: str) -> list[int]:
    return list(services.cases.ids(CaseQuery(search=text)))


@pytest.fixture
def phones(services):
    """Three people: a London landline, a UK mobile, a US number (nothing shared but digits)."""
    return {
        "landline": add_case(services, name="Lena Landline", email="lena@example.org", phone="+442079460018",
                             description="bounces since Monday"),
        "mobile": add_case(services, name="Mo Mobile", email="mo@example.net", phone="+447911123456",
                           description="spam folder"),
        "us": add_case(services, name="Uma States", email="uma@example.com", phone="+1 202 555 0147",
                       description="rate limited"),
    }


@pytest.mark.parametrize("text", [
    "020 7946 0018", "7946", "0018", "7946 0018", "02079460018", "020-7946-0018", "(020) 7946 0018",
    "0207 946 0018", "+44 20 7946 0018", "+442079460018", "442079460018", "0044 20 7946 0018",
    "+44 (0)20 7946 0018", "2079460018", "020 7946",
])
def test_a_landline_read_out_in_any_shape_finds_its_case(services, phones, text):
    assert found(services, text) == [phones["landline"]]


@pytest.mark.parametrize("text", [
    "07911 123456", "07911123456", "07911", "123456", "7911 123456", "07911 123 456", "+44 7911 123456",
    "+44 (0)7911 123456", "0044 7911 123456",
])
def test_a_mobile_read_out_in_any_shape_finds_its_case(services, phones, text):
    assert found(services, text) == [phones["mobile"]]


@pytest.mark.parametrize("text", ["(202) 555-0147", "202-555-0147", "555 0147", "0147", "+1 202 555 0147", "2025550147"])
def test_a_us_number_as_written_there_finds_its_case(services, phones, text):
    assert found(services, text) == [phones["us"]]


@pytest.mark.parametrize("text", ["020 7946 0019", "07911 123457", "7946 0019", "+44 20 7946 0017"])
def test_a_number_that_differs_finds_nothing(services, phones, text):
    assert found(services, text) == []


def test_a_number_that_also_appears_in_a_description_finds_both(services, phones):
    quoted = add_case(services, name="Ned Notes", email="ned@example.org", phone=None,
                      description="caller asked us to ring 020 7946 0018 back")
    assert sorted(found(services, "020 7946 0018")) == sorted([phones["landline"], quoted])


def test_an_edited_phone_is_found_by_its_new_groups_only(services, phones):
    services.cases.rectify(phones["landline"], {"phone": "+44 20 7946 0999"})
    assert found(services, "7946 0999") == [phones["landline"]]
    assert found(services, "0018") == []


@pytest.fixture
def emails(services):
    return {
        "m.ali": add_case(services, name="Mohammed Ali", email="m.ali@example.com", phone=None,
                          description="delivery delayed"),
        "loose": add_case(services, name="Maria Alison", email="maria@mail.example", phone=None,
                          description="messages to alice@corp bounce"),
        "mali": add_case(services, name="Mali Traders", email="info@mali-traders.example", phone=None,
                         description="mailbox full"),
    }


@pytest.mark.parametrize("text", ["m.ali", "m.ali@", "m.ali@example", "m.ali@example.com", "M.Ali@Example.COM",
                                  "ali@example.com", "ali@exa"])
def test_an_address_or_part_of_one_finds_that_address_only(services, emails, text):
    assert found(services, text) == [emails["m.ali"]]


def test_words_still_match_anywhere_and_in_any_order(services, emails):
    assert found(services, "alison maria") == [emails["loose"]]
    # a word alone still matches every word it starts (Ali, Alison, alice), not inside one (Mali)
    assert sorted(found(services, "ali")) == sorted([emails["m.ali"], emails["loose"]])


def test_query_text_is_quoted_whatever_it_holds():
    assert fts_query('m.ali "x" OR NEAR(') == '"m.ali"* AND """x"""* AND "OR"* AND "NEAR("*'
    assert fts_query("- ( )") is None
    assert fts_query("7946") == '"7946"*'
    assert fts_query("020 7946") == '"0207946"* OR ("020"* AND "7946"*)'


def test_an_existing_store_is_reindexed_so_read_out_groups_find_its_phones(store_path, clock):
    """A store written before the phone tails were indexed (schemas 3-5: full and national digits
    only) is upgraded on open and then finds a number by its groups."""
    from desktop.app import build_services

    key = Key.passphrase(PASSPHRASE)
    vault = Vault.create(store_path, key)
    services = build_services(vault, clock=clock, staff="tester")
    case = add_case(services, phone="+442079460018", name="Old Entry", email="old@example.org")
    with vault.transaction() as c:  # the entry as schemas 3-5 wrote it: full and national digits only
        from desktop.store.order_keys import key_sql
        from desktop.store.search import FTS_DELETE, FTS_INSERT, phone_tokens

        key_, desc = c.execute(f"SELECT {key_sql()}, description FROM cases").fetchone()
        c.execute(FTS_DELETE, (key_, "Old Entry", "old@example.org", phone_tokens("+442079460018"), desc))
        c.execute(FTS_INSERT, (key_, "Old Entry", "old@example.org", "442079460018 2079460018 02079460018", desc))
        c.execute("PRAGMA user_version = 5")
    assert found(services, "7946 0018") == []
    vault.close()

    vault = Vault.open(store_path, key)
    try:
        assert vault.user_version() == LATEST
        services = build_services(vault, clock=clock, staff="tester")
        assert found(services, "7946 0018") == [case]
        assert found(services, "020 7946 0018") == [case]
        assert found(services, "old@example") == [case]
    finally:
        vault.close()
