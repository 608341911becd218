"""Removed means gone from the file: decrypt every page (free pages too) and every WAL frame.

The helper (tests/helpers/sqlcipher_pages.py) decrypts SQLCipher 4 pages with the `cryptography`
package, outside SQLCipher. Each test first proves the helper *does* see the personal data
before the sweep, so an empty result after the sweep means the data is really gone.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.app import build_services
from desktop.domain.models import Status
from desktop.store.keys import Key
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case
from tests.helpers.sqlcipher_pages import PageAuthError, StoreImage

# Every token starts with its own "<letter>q" so that the FTS index stores it whole (it
# prefix-compresses terms sharing a beginning with the term before them).
NAME = "Zqephyrine Jqillfeatherstone"
NEW_NAME = "Zqephyrine Wqarchbanksworth"
EMAIL = "zqephyrine.jqillfeather@kqresiduemarker.example"
PHONE_INPUT = "+44 20 7946 0987"
# the index also holds 0 + national digits, which FTS5 may store prefix-compressed after
# "00442079460987": its tail "2079460987" (a needle) shows it whole or in part
PHONE_FORMS = ("+442079460987", "442079460987", "2079460987")
DESCRIPTION = "Mail to xqlobranchiate recipients bounces, vqsperquartzite relay answers 550"
TECH = "Received: from yqrkrelaymarker.example (203.0.113.77)\nX-Trace: uqndersnorklewhisk\n" * 200
NOTE = "Called back about the gqimblewhistlemarker domain"
RESOLUTION = "Fixed by the pqumbusfrobnicator SPF record"
WORDS = ("zqephyrine", "jqillfeatherstone", "wqarchbanksworth", "jqillfeather", "kqresiduemarker",
         "xqlobranchiate", "vqsperquartzite", "yqrkrelaymarker", "uqndersnorklewhisk",
         "gqimblewhistlemarker", "pqumbusfrobnicator")
IDENTITY = (NAME, NEW_NAME, EMAIL, *PHONE_FORMS)
FREE_TEXT = (DESCRIPTION, TECH.splitlines()[0], NOTE, RESOLUTION)


def needles(*groups: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for group in groups:
        out += list(group)
    return out


def word_needles(words=WORDS) -> list[str]:
    """Whole words and their tails (a tail still shows if the index shared a prefix)."""
    return [w for w in words] + [w[2:] for w in words]


@pytest.fixture(params=["passphrase", "raw"])
def keyed(request, store_path, clock):
    """(services, helper key arguments) for a store keyed by passphrase and by a raw 256-bit key."""
    if request.param == "passphrase":
        yield request.getfixturevalue("services"), {"passphrase": PASSPHRASE}
        return
    key = Key.new_raw()
    svc = build_services(Vault.create(store_path, key), clock=clock, staff="tester")
    yield svc, {"raw_key_hex": key.secret}
    svc.close()


def image(services, keys) -> StoreImage:
    return StoreImage.read(services.vault.path, **keys)


def fill(services, count: int) -> None:
    """Ordinary recent cases (not due) whose words share nothing with the markers."""
    items = [services.intake.validate({
        "name": "Filler Person", "email": f"filler{n}@example.com", "category": "spam_folder",
        "description": "ordinary report " * 40, "notice_acknowledged": True, "not_a_child": True,
    }) for n in range(count)]
    services.intake.store_many(items)


def marker_case(services, clock, *, closed: datetime | None) -> int:
    """The person whose data must vanish: every field, a note, a rectification, a resolution."""
    now = clock.now()
    clock.set(datetime(2020, 3, 2, 10, 0, tzinfo=UTC))
    cid = add_case(services, name=NAME, email=EMAIL, phone=PHONE_INPUT, description=DESCRIPTION,
                   technical_details=TECH, received_at=clock.now())
    services.cases.rectify(cid, {"name": NEW_NAME})
    services.cases.add_note(cid, NOTE)
    if closed is not None:
        clock.set(closed)
        services.cases.set_status(cid, Status.RESOLVED, resolution=RESOLUTION)
        services.cases.set_status(cid, Status.CLOSED)
    clock.set(now)
    return cid


def assert_all_present(img: StoreImage, items: list[str]) -> None:
    missing = [n for n in items if not img.contains(n)]
    assert missing == [], f"the helper cannot see {missing}: the residue check would be vacuous"


def assert_all_gone(img: StoreImage, items: list[str]) -> None:
    found = {n: img.find(n) for n in items if img.contains(n)}
    assert found == {}, f"removed data still in the file: {found}"


# ---- the helper itself ------------------------------------------------------------------------
def test_helper_decrypts_pages_and_wal_of_both_key_kinds(keyed):
    services, keys = keyed
    add_case(services, name="Hqelperverification Person", email="hq@example.org")
    img = image(services, keys)
    assert img.wal_frames > 0  # a live store writes to its WAL first
    assert img.contains("Hqelperverification Person")
    first = next(p for p in img.pages if p.source == "db" and p.pgno == 1)
    # File-header bytes 16-20 (after the salt): page size 4096, then the 80-byte reserve.
    assert first.plaintext[0:2] == b"\x10\x00" and first.plaintext[4] == 80
    services.vault.scrub()  # checkpoint into the main file, truncate the WAL
    img = image(services, keys)
    hits = img.find("Hqelperverification Person")  # the row and the name index
    assert img.wal_frames == 0 and hits and {source for source, _ in hits} == {"db"}
    assert img.contains("CREATE TABLE cases")


def test_helper_rejects_a_wrong_key_and_a_tampered_page(keyed, tmp_path):
    services, keys = keyed
    services.vault.scrub()
    wrong = {"passphrase": "not the passphrase"} if "passphrase" in keys else {"raw_key_hex": "00" * 32}
    with pytest.raises(PageAuthError):
        StoreImage.read(services.vault.path, **wrong)
    copy = tmp_path / "tampered.db"
    data = bytearray(services.vault.path.read_bytes())
    data[4096 + 100] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(PageAuthError):
        StoreImage.read(copy, **keys)


# ---- residue after sweeps ---------------------------------------------------------------------
def test_deleted_case_leaves_no_trace_in_pages_free_pages_or_wal(keyed, clock):
    services, keys = keyed
    fill(services, 150)
    cid = marker_case(services, clock, closed=None)  # open, idle since 2020: deleted
    every = needles(IDENTITY, FREE_TEXT) + word_needles()
    before = image(services, keys)
    assert_all_present(before, [n for n in every if n != RESOLUTION and n not in word_needles(("pqumbusfrobnicator",))])

    report = services.retention.sweep()
    assert [(a.target, a.action) for a in report.done][:1] == [(f"case:{cid}", "delete")]
    assert not report.compacted and services.vault.pragma("freelist_count") > 0  # free pages are checked too
    after = image(services, keys)
    assert_all_gone(after, every)
    assert after.contains("Filler Person")  # the rest of the store is still readable
    services.close()
    assert_all_gone(StoreImage.read(services.vault.path, **keys), every)


def test_anonymised_case_leaves_no_trace_and_keeps_its_statistics(keyed, clock):
    services, keys = keyed
    fill(services, 150)
    cid = marker_case(services, clock, closed=datetime(2020, 4, 1, 12, 0, tzinfo=UTC))
    every = needles(IDENTITY, FREE_TEXT) + word_needles()
    assert_all_present(image(services, keys), every)

    report = services.retention.sweep()
    assert (f"case:{cid}", "anonymise") in [(a.target, a.action) for a in report.done]
    case = services.cases.get(cid)
    assert case.anonymised and case.category.value == "bounce" and case.closed_at is not None
    assert not report.compacted and services.vault.pragma("freelist_count") > 0
    assert_all_gone(image(services, keys), every)


def test_removed_phone_and_technical_details_leave_no_trace(keyed, clock):
    services, keys = keyed
    fill(services, 150)
    # closed 100 days before the sweep: phone (30 days) and technical details (90 days) are due
    cid = marker_case(services, clock, closed=datetime(2025, 10, 2, 9, 0, tzinfo=UTC))
    services.cases.rectify(cid, {"phone": "+44 20 7946 0988"})  # history now holds the old number
    removed = list(PHONE_FORMS) + ["2079460988", TECH.splitlines()[0]] + \
        word_needles(("yqrkrelaymarker", "uqndersnorklewhisk"))
    assert_all_present(image(services, keys), removed)

    report = services.retention.sweep()
    assert sorted(a.what for a in report.done if a.kind == "case") == ["phone", "technical_details"]
    img = image(services, keys)
    assert_all_gone(img, removed)
    assert img.contains(NEW_NAME) and img.contains("xqlobranchiate")  # the rest of the case stays


def test_residue_free_after_a_compacting_sweep(keyed, clock):
    services, keys = keyed
    fill(services, 5)
    # enough removed data that at least a quarter of the file is free after the sweep (the
    # compaction threshold), however many tables and indexes an empty store has
    for _ in range(8):
        marker_case(services, clock, closed=None)
    every = needles(IDENTITY, FREE_TEXT) + word_needles()
    report = services.retention.sweep()
    assert report.compacted and services.vault.pragma("freelist_count") == 0
    assert_all_gone(image(services, keys), every)
