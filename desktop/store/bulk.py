"""Set-based writes of new cases (an import, a demo batch, one intake). Call inside vault.transaction().

The rows are exactly those that CaseRepo.insert + SubjectRepo.add_consent + a retention timer
update leave, written with one statement per table instead of several per case:

- ids are assigned inside the transaction (max(id) + 1, + 2, ...: what SQLite itself assigns to
  an INTEGER PRIMARY KEY without AUTOINCREMENT when rows are inserted one by one, in order);
- each case's retention timer goes into its INSERT (computed by the caller from the same facts
  the retention service reads), so no wide case row is rewritten by a second UPDATE;
- the search index is written last, in one run: FTS5 flushes its pending changes whenever
  another table is written in between, and a flush per case (as when case and FTS statements
  alternate) cost more than the case rows themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.clock import to_iso
from desktop.domain.models import IntakeData, Status
from desktop.store.order_keys import order_key
from desktop.store.search import FTS_INSERT, phone_tokens
from desktop.store.vault import Vault

_CASE_COLUMNS = (
    "subject_id, name, email, phone, category, description, technical_details, channel, status, received_at,"
    " created_at, created_by, last_activity_at, notice_version, notice_acknowledged_at, next_removal_at,"
    " next_removal_policy, phone_unchecked")
CASE_INSERT = f"INSERT INTO cases({_CASE_COLUMNS}) VALUES ({','.join('?' * 18)})"
CASE_INSERT_WITH_ID = f"INSERT INTO cases(id, {_CASE_COLUMNS}) VALUES ({','.join('?' * 19)})"
CONSENT_INSERT = "INSERT INTO consents(subject_id, case_id, kind, version, given_at, source) VALUES (?,?,?,?,?,?)"


@dataclass(frozen=True)
class NewCase:
    """A validated submission, the person it belongs to and its first retention timer."""

    data: IntakeData
    subject_id: int
    next_removal_at: str | None = None  # ISO text, as stored
    next_removal_policy: str | None = None


class IntakeWriter:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def insert(self, rows: Sequence[NewCase], *, created_at: datetime, staff: str, source: str) -> list[int]:
        """Insert the cases (status open), their consents (privacy notice; marketing when given,
        at created_at) and their search entries; returns the new case ids in row order."""
        if not rows:
            return []
        c = self.vault.conn
        created = to_iso(created_at)
        open_ = Status.OPEN.value
        values = []
        acknowledged: dict[datetime | None, str | None] = {}  # an import acknowledges all at one time
        for row in rows:
            d = row.data
            received = to_iso(d.received_at)
            ack = d.notice_acknowledged_at
            ack_text = acknowledged.get(ack)
            if ack_text is None:
                ack_text = acknowledged[ack] = to_iso(ack)
            values.append((row.subject_id, d.name, d.email, d.phone, d.category.value, d.description,
                           d.technical_details, d.channel.value, open_, received, created, staff,
                           received,  # last activity: the contact itself
                           d.notice_version, ack_text, row.next_removal_at,
                           row.next_removal_policy, int(d.phone_unchecked)))
        if len(values) == 1:
            ids = [int(c.execute(CASE_INSERT, values[0]).lastrowid)]
        else:
            first = int(c.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0])
            ids = list(range(first, first + len(values)))
            c.executemany(CASE_INSERT_WITH_ID, [(cid, *v) for cid, v in zip(ids, values, strict=True)])
        consents = []
        for cid, row in zip(ids, rows, strict=True):
            d = row.data
            consents.append((row.subject_id, cid, "privacy_notice", d.notice_version,
                             to_iso(d.notice_acknowledged_at), source))
            if d.marketing_consent:
                consents.append((row.subject_id, cid, "marketing", d.notice_version, created, source))
        if len(consents) == 1:
            c.execute(CONSENT_INSERT, consents[0])
        else:
            c.executemany(CONSENT_INSERT, consents)
        # search entries live under their list-order key (desktop/store/order_keys.py, schema 3)
        tokens: dict[str | None, str] = {}  # a repeat contact's number is tokenised once
        index = []
        for cid, row in zip(ids, rows, strict=True):
            d = row.data
            phone = tokens.get(d.phone)
            if phone is None:
                phone = tokens[d.phone] = phone_tokens(d.phone)
            index.append((order_key(cid, d.received_at), d.name or "", d.email or "", phone, d.description or ""))
        index.sort(key=lambda entry: entry[0])  # ascending keys: FTS5 flushes when a key goes down
        if len(index) == 1:
            c.execute(FTS_INSERT, index[0])
        else:
            c.executemany(FTS_INSERT, index)
        return ids
