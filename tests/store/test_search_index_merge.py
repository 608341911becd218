"""Schema 15 and sweeps keep the search index in one segment, so an erasure's secure deletes look
each term up once (docs/bench.md, "Erasure's store work"); search results do not change."""

from __future__ import annotations

from desktop.domain.models import CaseQuery
from desktop.store import retention_repo
from desktop.store.keys import Key
from desktop.store.schema import LATEST
from desktop.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.factories import add_case

NAMES = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Spamhaus Listing", "Sam Spade", "Ines Quartermaine"]
QUERIES = ["a", "s", "sp", "spa", "spam", "ada", "quarter", "gmail", "550 5.7", "hopper@"]


def segments(services) -> list[int]:
    return [r[0] for r in services.vault.read("SELECT DISTINCT segid FROM cases_fts_idx ORDER BY 1")]


def fill_in_many_commits(services) -> None:
    """Each save commits on its own, so each leaves a segment of its own (automerge off here)."""
    services.vault.conn.execute("INSERT INTO cases_fts(cases_fts, rank) VALUES ('automerge', 0)")
    for i, name in enumerate(NAMES * 2):
        first = name.split()[0].lower()
        add_case(services, name=name, email=f"{first}{i}@example.org",
                 description=f"Mail to gmail.com from {name} bounces with 550 5.7.1 ({i})")


def results(services) -> dict[str, list[int]]:
    return {q: sorted(services.cases.ids(CaseQuery(search=q))) for q in QUERIES}


def test_a_sweep_merges_an_index_left_in_several_large_segments(services, monkeypatch):
    fill_in_many_commits(services)
    before = results(services)
    assert len(segments(services)) > 1 and before["spam"] and before["550 5.7"]
    monkeypatch.setattr(retention_repo, "SCATTERED_PAGES", 1)  # these tiny segments count as large
    assert services.ctx.repos.retention.search_index_scattered()
    report = services.retention.sweep()
    assert report.done == []  # nothing was due: the merge came from the scattered index alone
    assert len(segments(services)) == 1
    assert results(services) == before


def test_a_sweep_leaves_an_index_of_small_segments_alone(services):
    fill_in_many_commits(services)
    kept = segments(services)
    assert len(kept) > 1 and not services.ctx.repos.retention.search_index_scattered()
    services.retention.sweep()
    assert segments(services) == kept  # nothing rewritten: small segments cost an erasure little


def test_a_store_from_before_schema_15_gets_its_index_merged(store_path, clock):
    from desktop.app import build_services

    key = Key.passphrase(PASSPHRASE)
    vault = Vault.create(store_path, key)
    services = build_services(vault, clock=clock, staff="tester")
    fill_in_many_commits(services)
    before = results(services)
    assert len(segments(services)) > 1
    with vault.transaction() as c:
        c.execute("PRAGMA user_version = 14")
    vault.close()

    vault = Vault.open(store_path, key)
    try:
        assert vault.user_version() == LATEST >= 15
        services = build_services(vault, clock=clock, staff="tester")
        assert len(segments(services)) == 1
        assert results(services) == before
    finally:
        vault.close()
