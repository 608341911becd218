"""Drafts: unsaved work kept inside the store when the app locks over it (domain/drafts.py).

keep() is called by the lock (ui/shell/lock_controller.py) just before the store closes; after the
unlock pending() lists this agent's drafts (removing those older than DRAFT_KEEP_DAYS first) and
take() hands one back and deletes it, discard() deletes it. The audit trail says a draft was kept,
restored, discarded or expired, never what it holds."""

from __future__ import annotations

import logging

from desktop.domain.drafts import KINDS, Draft, draft_expiry_cutoff, encode_body
from desktop.services.context import Context

log = logging.getLogger(__name__)


class DraftService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def repo(self):
        return self.ctx.repos.drafts

    def keep(self, kind: str, label: str, body: dict) -> int | None:
        """Keep one piece of unsaved work; None when there is nothing to keep."""
        if kind not in KINDS:
            raise ValueError(f"unknown draft kind {kind!r}")
        text = encode_body(body)
        if text is None:
            return None
        with self.ctx.vault.transaction():
            draft_id = self.repo.add(kind, label[:200], text, self.ctx.staff, self.ctx.now())
            self.ctx.audit("draft.keep", f"draft:{draft_id}", f"kind={kind}")
        return draft_id

    def pending(self) -> list[Draft]:
        """This agent's drafts, oldest first, after removing those past their time."""
        self.purge_expired()
        return self.repo.of_staff(self.ctx.staff)

    def take(self, draft_id: int) -> Draft | None:
        """The draft, deleted from the store (it is being restored)."""
        found = next((d for d in self.repo.of_staff(self.ctx.staff) if d.id == draft_id), None)
        if found is None:
            return None
        with self.ctx.vault.transaction():
            self.repo.delete(draft_id)
            self.ctx.audit("draft.restore", f"draft:{draft_id}", f"kind={found.kind}")
        return found

    def discard(self, draft_id: int) -> bool:
        with self.ctx.vault.transaction():
            gone = self.repo.delete(draft_id)
            if gone:
                self.ctx.audit("draft.discard", f"draft:{draft_id}")
        return gone

    def purge_expired(self) -> int:
        """Remove drafts kept more than DRAFT_KEEP_DAYS ago (whoever kept them)."""
        cutoff = draft_expiry_cutoff(self.ctx.now())
        with self.ctx.vault.transaction():
            gone = self.repo.delete_kept_before(cutoff)
            if gone:
                self.ctx.audit("draft.expire", "store", f"removed={gone}")
        return gone
