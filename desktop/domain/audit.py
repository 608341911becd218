"""The audit trail's hash chain: pure functions, no storage.

Each entry stores the hash of the entry before it (SHA-256 over its own fields and that link),
so editing, deleting, inserting or reordering entries breaks the chain. Deleting entries from
the END leaves a shorter chain that is still internally consistent, so the store also keeps a
*head* (entry count, last id, last hash) that is updated in the same transaction as every
append; a trail that does not end where its head says was truncated or extended behind the
app's back.

What this cannot do: someone who holds the store's key can rewrite the whole chain and the
head consistently. The chain proves that no one edited the trail WITHOUT recomputing it; an
external anchor (the head hash that `audit verify` prints, written down or kept with a
backup) covers the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop import digests

GENESIS = "0" * 64


def entry_hash(prev_hash: str, at: str, staff: str, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at, staff, action, target, detail], ensure_ascii=False, separators=(",", ":"))
    return digests.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    position: int
    reason: str


@dataclass(frozen=True)
class Head:
    """Where the trail ends, as recorded with every append: count, last entry id, last hash."""

    count: int
    last_id: int
    hash: str

    def encode(self) -> str:
        return json.dumps({"count": self.count, "last_id": self.last_id, "hash": self.hash},
                          separators=(",", ":"))

    @staticmethod
    def decode(text: str | None) -> Head | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            return Head(int(data["count"]), int(data["last_id"]), str(data["hash"]))
        except (ValueError, KeyError, TypeError):
            return None


def next_head(head: Head | None, entry_id: int, entry_hash_: str) -> Head:
    return Head((head.count if head else 0) + 1, entry_id, entry_hash_)


def verify_chain(rows: list[tuple[int, str, str, str, str, str, str, str]]) -> ChainBreak | None:
    """rows: (id, at, staff, action, target, detail, prev_hash, hash) in id order.

    Detects edited (hash mismatch), deleted or reordered (prev_hash mismatch or id gap) and
    inserted entries. Returns the first broken link, or None when the chain is intact.
    For a deleted entry the break is reported at the entry after the gap.
    """
    prev = GENESIS
    expected_id = None
    for pos, (eid, at, staff, action, target, detail, prev_hash, h) in enumerate(rows, start=1):
        if expected_id is not None and eid != expected_id:
            if eid > expected_id:
                missing = (f"entry {expected_id}" if eid == expected_id + 1
                           else f"entries {expected_id}-{eid - 1}")
                return ChainBreak(eid, pos, f"{missing} before it is missing (deleted)")
            return ChainBreak(eid, pos, "its id is out of order (inserted or reordered)")
        if prev_hash != prev:
            return ChainBreak(eid, pos, "does not link to the entry before it (deleted, inserted or reordered)")
        if entry_hash(prev_hash, at, staff, action, target, detail) != h:
            return ChainBreak(eid, pos, "its content does not match its hash (edited)")
        prev = h
        expected_id = eid + 1
    return None


def verify_trail(rows: list[tuple[int, str, str, str, str, str, str, str]],
                 head: Head | None) -> ChainBreak | None:
    """verify_chain, then check the chain ends where the recorded head says it does."""
    broken = verify_chain(rows)
    if broken is not None:
        return broken
    if not rows:
        if head is None or head.count == 0:
            return None
        return ChainBreak(1, 1, f"all {head.count} entries are missing (the trail was emptied)")
    last_id, last_hash = rows[-1][0], rows[-1][7]
    if head is None:
        return ChainBreak(last_id, len(rows), "the trail's head record is missing (removed or tampered)")
    if last_id < head.last_id:
        first_missing = last_id + 1
        span = (f"entry {first_missing} is" if first_missing == head.last_id
                else f"entries {first_missing}-{head.last_id} are")
        return ChainBreak(first_missing, len(rows) + 1,
                          f"{span} missing from the end (the trail was truncated)")
    if last_id > head.last_id:
        pos = next(i for i, r in enumerate(rows, start=1) if r[0] > head.last_id)
        return ChainBreak(head.last_id + 1, pos,
                          "was added after the recorded end of the trail (inserted outside the app)")
    if last_hash != head.hash or len(rows) != head.count:
        return ChainBreak(last_id, len(rows), "does not match the trail's recorded head (rewritten)")
    return None
