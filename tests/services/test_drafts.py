"""Drafts kept over a lock (issue 14): inside the encrypted store, per agent, deleted when used or
discarded, removed DRAFT_KEEP_DAYS after they were kept (at the next unlock or sweep)."""

from __future__ import annotations

from desktop.app import build_services
from desktop.domain.drafts import DRAFT_KEEP_DAYS


def test_a_kept_draft_comes_back_once_and_is_then_gone(services):
    draft_id = services.drafts.keep("intake", "the intake form", {"name": "Ada Lovelace", "email": "ada@example.org"})
    [draft] = services.drafts.pending()
    assert draft.id == draft_id and draft.label == "the intake form"
    assert draft.body["name"] == "Ada Lovelace"
    taken = services.drafts.take(draft_id)
    assert taken is not None and taken.body["email"] == "ada@example.org"
    assert services.drafts.pending() == [] and services.drafts.take(draft_id) is None
    trail = " ".join(str(row) for row in services.vault.read("SELECT action, detail FROM audit"))
    assert "draft.keep" in trail and "draft.restore" in trail and "Ada" not in trail


def test_discarded_drafts_are_deleted_from_the_store(services):
    draft_id = services.drafts.keep("case", "case 3", {"case_id": 3, "note": "called back"})
    assert services.drafts.discard(draft_id)
    assert services.vault.read("SELECT count(*) FROM drafts")[0][0] == 0


def test_drafts_belong_to_the_agent_who_kept_them(services, clock):
    services.drafts.keep("intake", "the intake form", {"name": "Ada"})
    other = build_services(services.vault, clock=clock, staff="someone else")
    assert other.drafts.pending() == []
    assert len(services.drafts.pending()) == 1


def test_drafts_expire_after_the_short_policy_at_unlock_and_at_a_sweep(services, clock):
    services.drafts.keep("intake", "the intake form", {"name": "Ada"})
    clock.advance(days=DRAFT_KEEP_DAYS - 1)
    assert len(services.drafts.pending()) == 1
    clock.advance(days=2)
    assert services.drafts.pending() == []
    services.drafts.keep("intake", "the intake form", {"name": "Grace"})
    clock.advance(days=DRAFT_KEEP_DAYS + 1)
    services.retention.sweep()
    assert services.vault.read("SELECT count(*) FROM drafts")[0][0] == 0


def test_nothing_typed_keeps_nothing(services):
    assert services.drafts.keep("intake", "the intake form", {}) is None
    assert services.drafts.pending() == []
