"""The audit trail's hash chain: pure functions, no storage."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


def entry_hash(prev_hash: str, at: str, staff: str, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at, staff, action, target, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    position: int
    reason: str


def verify_chain(rows: list[tuple[int, str, str, str, str, str, str, str]]) -> ChainBreak | None:
    """rows: (id, at, staff, action, target, detail, prev_hash, hash) in id order.

    Detects edited (hash mismatch), deleted or reordered (prev_hash mismatch or id gap) and
    inserted entries. Returns the first broken link, or None when the chain is intact.
    """
    prev = GENESIS
    expected_id = None
    for pos, (eid, at, staff, action, target, detail, prev_hash, h) in enumerate(rows, start=1):
        if expected_id is not None and eid != expected_id:
            return ChainBreak(eid, pos, f"entry ids jump from {expected_id - 1} to {eid} (an entry was deleted or inserted)")
        if prev_hash != prev:
            return ChainBreak(eid, pos, "does not link to the entry before it (deleted, inserted or reordered)")
        if entry_hash(prev_hash, at, staff, action, target, detail) != h:
            return ChainBreak(eid, pos, "its content does not match its hash (edited)")
        prev = h
        expected_id = eid + 1
    return None
