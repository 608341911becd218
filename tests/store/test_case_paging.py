"""Paged case lists (the window's list) give exactly the order of the whole-list query, page by page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.models import CaseQuery, Status
from desktop.store.order_keys import case_id_of, key_sql, order_key
from tests.conftest import T0
from tests.helpers.factories import add_case

WORDS = ("spamhaus", "dmarc", "bounce")


@pytest.fixture
def mixed(services):
    """60 cases over 7 received times (many ties), three words, some resolved."""
    for i in range(60):
        at = T0 - timedelta(days=(i * 5) % 7, seconds=(i % 2))
        case_id = add_case(services, at, name=f"Person {i:02d}", email=f"p{i % 9}@example.org", phone=None,
                           description=f"{WORDS[i % 3]} trouble number {i}")
        if i % 4 == 0:
            services.cases.set_status(case_id, Status.RESOLVED, resolution="done")
    return services


QUERIES = [
    CaseQuery(),
    CaseQuery(descending=False),
    CaseQuery(status=Status.RESOLVED),
    CaseQuery(status=Status.OPEN, descending=False),
    CaseQuery(search="spamhaus"),
    CaseQuery(search="trou"),
    CaseQuery(search="p3@example", status=Status.RESOLVED),
    CaseQuery(search="nothingmatches"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.search or '-'}/{q.status}/{q.descending}")
@pytest.mark.parametrize("size", [1, 7, 200])
def test_pages_join_up_to_the_whole_list_in_its_order(mixed, query, size):
    repo = mixed.ctx.cases
    assert repo.pageable(query)
    whole = list(repo.ids(query))
    got, after = [], None
    while True:
        ids, after = repo.page(query, after, size)
        got += list(ids)
        if after is None:
            break
    assert got == whole
    assert repo.count_matching(query) == len(whole)
    listing = mixed.cases.list_page(query, size)
    assert list(listing.ids) == whole[:size] and listing.total == len(whole)


def test_lists_in_other_orders_are_read_whole(mixed):
    query = CaseQuery(sort="name", descending=False)
    assert not mixed.ctx.cases.pageable(query)
    listing = mixed.cases.list_page(query, 5)
    assert listing.more is None and listing.total == 60
    assert mixed.cases.rows([listing.ids[0]])[listing.ids[0]].name == "Person 00"
    assert not mixed.ctx.cases.pageable(CaseQuery(search="spamhaus", descending=False))


def test_every_case_is_indexed_under_its_list_order_key(mixed):
    """Python and SQL agree on the key, and the key gives the case id back."""
    rows = mixed.vault.read(f"SELECT id, received_at, {key_sql()} FROM cases")
    assert len(rows) == 60
    for case_id, received, key in rows:
        assert order_key(case_id, received) == key and case_id_of(key) == case_id
    indexed = {r[0] for r in mixed.vault.read("SELECT rowid FROM cases_fts")}
    assert indexed == {r[2] for r in rows}


def test_rectifying_a_case_keeps_one_search_entry_under_its_key(mixed):
    case_id = mixed.cases.ids(CaseQuery(search="Person 07"))[0]
    mixed.cases.rectify(case_id, {"name": "Renamed Someone"})
    assert list(mixed.cases.ids(CaseQuery(search="Renamed"))) == [case_id]
    assert not list(mixed.cases.ids(CaseQuery(search="Person 07")))
    assert mixed.vault.read("SELECT count(*) FROM cases_fts")[0][0] == 60
