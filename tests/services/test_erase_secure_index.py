"""Erasure removes the person's search entries securely, without merging the whole index (issue 17).

The index deletes with FTS5's secure-delete option (schema 5), so an erasure neither runs a
whole-index 'optimize' (whose cost grows with the store) nor leaves the person's words in the file
(tests/services/test_rights.py decrypts every page to prove the latter), and the file does not grow.
"""

from __future__ import annotations

import os

from desktop.domain.models import CaseQuery
from tests.helpers.factories import add_case

PERSON = dict(name="Quillon Vantablack", email="quillon.v@example.org", description="Bounces via zorpmail relay")


def _erase(services, email: str):
    req = services.requests.open("erasure", email).request
    services.requests.record_verification(req.id, "reply_from_address", verified_by="Sam")
    return services.rights.erase(req.id)


def test_erasure_deletes_index_entries_securely_without_an_optimize_and_the_file_does_not_grow(services):
    for i in range(150):
        add_case(services, name=f"Other Person {i}", email=f"other{i}@example.org",
                 description=f"ordinary bounce number {i} " * 20)
    mine = [add_case(services, **PERSON) for _ in range(3)]
    services.vault.scrub()
    before = os.path.getsize(services.vault.path)
    statements: list[str] = []
    services.vault.conn.set_trace_callback(statements.append)
    try:
        result = _erase(services, PERSON["email"])
    finally:
        services.vault.conn.set_trace_callback(None)
    assert sorted(result.erased_cases) == sorted(mine)
    assert not [s for s in statements if "optimize" in s.lower()], "an erasure merged the whole index"
    assert sum("'delete'" in s for s in statements) == 3  # one secure index delete per case
    assert services.vault.fts_deletes_securely()
    assert list(services.cases.ids(CaseQuery(search="zorpmail"))) == []
    assert list(services.cases.ids(CaseQuery(search="Vantablack"))) == []
    assert len(services.cases.ids(CaseQuery(search="ordinary"))) == 150  # the others stay findable
    assert os.path.getsize(services.vault.path) <= before
    assert not os.path.exists(str(services.vault.path) + "-wal") or os.path.getsize(
        str(services.vault.path) + "-wal") == 0


def test_rectifying_a_description_replaces_its_index_entry(services):
    case_id = add_case(services, **PERSON)
    services.cases.rectify(case_id, {"description": "Now it is the glimmerqueue relay"})
    assert list(services.cases.ids(CaseQuery(search="zorpmail"))) == []
    assert list(services.cases.ids(CaseQuery(search="glimmerqueue"))) == [case_id]
    assert list(services.cases.ids(CaseQuery(search="Vantablack"))) == [case_id]
