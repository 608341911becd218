"""Drafts: unsaved work kept when the app locks over it (issue 14), and how long they are kept.

A draft is what was typed into the intake form, a case window or the new-request dialog and not saved when the store
locked (idle, Ctrl+L, the computer's session locking). It is kept inside the encrypted store
(schema 11), offered back to the same agent after the unlock, and deleted when restored or
discarded. Nobody comes back for it: it is removed DRAFT_KEEP_DAYS after it was kept (at the next
unlock or retention sweep), whatever it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

DRAFT_KEEP_DAYS = 7
KINDS = ("intake", "case", "request")  # the intake form, a case window, a new data-subject request
MAX_BODY_CHARS = 1_000_000  # a draft is typed text; anything bigger is not kept


@dataclass(frozen=True)
class Draft:
    id: int
    kind: str  # one of KINDS
    label: str  # what the agent is told: "the intake form", "case 12"
    body: dict
    staff: str
    kept_at: datetime


def draft_expiry_cutoff(now: datetime) -> datetime:
    """Drafts kept before this are removed."""
    return now - timedelta(days=DRAFT_KEEP_DAYS)


def encode_body(body: dict) -> str | None:
    """The draft's values as JSON; None when there is nothing worth keeping or it is too big."""
    if not isinstance(body, dict) or not body:
        return None
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= MAX_BODY_CHARS else None


def decode_body(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
