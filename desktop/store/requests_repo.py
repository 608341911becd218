"""The data-subject request register."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.clock import from_iso, to_iso
from desktop.domain.models import RequestStatus, RequestType, SubjectRequest
from desktop.errors import NotFound
from desktop.store.vault import Vault

COLUMNS = (
    "id, ref, type, subject_id, subject_email, subject_phone, subject_ref, received_at, channel, due_at,"
    " status, created_by, extended_due_at, extension_reason, verification_method, verified_by,"
    " verified_at, outcome, refusal_reason, completed_at, details"
)
UPDATABLE = {
    "subject_id", "subject_email", "subject_phone", "due_at", "status", "extended_due_at",
    "extension_reason", "verification_method", "verified_by", "verified_at", "outcome",
    "refusal_reason", "completed_at", "details", "channel",
}


def _row(r: tuple) -> SubjectRequest:
    return SubjectRequest(
        id=r[0], ref=r[1], type=RequestType(r[2]), subject_id=r[3], subject_email=r[4],
        subject_phone=r[5], subject_ref=r[6], received_at=from_iso(r[7]), channel=r[8],  # type: ignore[arg-type]
        due_at=from_iso(r[9]), status=RequestStatus(r[10]), created_by=r[11],  # type: ignore[arg-type]
        extended_due_at=from_iso(r[12]), extension_reason=r[13], verification_method=r[14],
        verified_by=r[15], verified_at=from_iso(r[16]), outcome=r[17], refusal_reason=r[18],
        completed_at=from_iso(r[19]), details=json.loads(r[20] or "{}"),
    )


def _value(v: object) -> object:
    if isinstance(v, datetime):
        return to_iso(v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if hasattr(v, "value") and not isinstance(v, str | int | float):
        return v.value
    return v


class RequestRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def insert(self, *, ref: str, type: RequestType, subject_id: int | None, subject_email: str | None,
               subject_phone: str | None, subject_ref: str, received_at: datetime, channel: str | None,
               due_at: datetime, created_by: str, details: dict | None = None) -> int:
        cur = self.vault.conn.execute(
            "INSERT INTO requests(ref, type, subject_id, subject_email, subject_phone, subject_ref,"
            " received_at, channel, due_at, status, created_by, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (ref, type.value, subject_id, subject_email, subject_phone, subject_ref, to_iso(received_at),
             channel, to_iso(due_at), RequestStatus.RECEIVED.value, created_by,
             json.dumps(details or {}, ensure_ascii=False, sort_keys=True)),
        )
        return int(cur.lastrowid)

    def update(self, request_id: int, **fields: object) -> None:
        bad = set(fields) - UPDATABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        cols = ", ".join(f"{k} = ?" for k in fields)
        cur = self.vault.conn.execute(
            f"UPDATE requests SET {cols} WHERE id = ?", [_value(v) for v in fields.values()] + [request_id])
        if cur.rowcount == 0:
            raise NotFound(f"request {request_id} not found")

    def get(self, request_id: int) -> SubjectRequest:
        rows = self.vault.read(f"SELECT {COLUMNS} FROM requests WHERE id = ?", (request_id,))
        if not rows:
            raise NotFound(f"request {request_id} not found")
        return _row(rows[0])

    def by_ref(self, ref: str) -> SubjectRequest:
        rows = self.vault.read(f"SELECT {COLUMNS} FROM requests WHERE ref = ?", (ref,))
        if not rows:
            raise NotFound(f"request {ref} not found")
        return _row(rows[0])

    def list(self, *, open_only: bool = False, subject_id: int | None = None) -> list[SubjectRequest]:
        where, params = [], []
        if open_only:
            where.append("status NOT IN ('completed', 'refused')")
        if subject_id is not None:
            where.append("subject_id = ?")
            params.append(subject_id)
        sql = f"SELECT {COLUMNS} FROM requests"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY coalesce(extended_due_at, due_at), id"
        return [_row(r) for r in self.vault.read(sql, tuple(params))]

    def for_email(self, email: str) -> list[SubjectRequest]:
        return [_row(r) for r in self.vault.read(
            f"SELECT {COLUMNS} FROM requests WHERE subject_email = ? ORDER BY received_at, id", (email,))]

    def link_cases(self, request_id: int, case_ids: list[int]) -> None:
        self.vault.conn.executemany(
            "INSERT OR IGNORE INTO request_cases(request_id, case_id) VALUES (?, ?)",
            [(request_id, cid) for cid in case_ids])

    def linked_cases(self, request_id: int) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT case_id FROM request_cases WHERE request_id = ? ORDER BY case_id", (request_id,))]

    def delete_completed_before(self, cutoff: datetime) -> list[int]:
        """Requests completed or refused before cutoff (for the 24-month register retention)."""
        rows = self.vault.conn.execute(
            "SELECT id FROM requests WHERE status IN ('completed', 'refused') AND completed_at < ?",
            (to_iso(cutoff),)).fetchall()
        ids = [r[0] for r in rows]
        self.vault.conn.executemany("DELETE FROM requests WHERE id = ?", [(i,) for i in ids])
        return ids

    def count_next_ref(self, prefix: str) -> int:
        """Kept for callers of the first version; prefer next_sequence (never reuses a number)."""
        rows = self.vault.read("SELECT count(*) FROM requests WHERE ref LIKE ?", (prefix + "%",))
        return int(rows[0][0]) + 1

    def next_sequence(self, prefix: str) -> int:
        """The next number for refs starting with prefix (e.g. 'DSR-2026-'). Call inside a transaction.

        A counter in `meta` survives the deletion of old register entries (24-month retention), so
        a reference is never handed out twice.
        """
        c = self.vault.conn
        key = "request_seq:" + prefix
        row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        counter = int(row[0]) if row else 0
        top = 0
        for (ref,) in c.execute("SELECT ref FROM requests WHERE ref LIKE ?", (prefix + "%",)):
            tail = ref[len(prefix):]
            if tail.isdigit():
                top = max(top, int(tail))
        number = max(counter, top) + 1
        c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  (key, str(number)))
        return number

    def subject_ref_for(self, subject_id: int | None, email: str | None) -> str | None:
        """The non-identifying reference already used for this person in the register, if any."""
        if subject_id is not None:
            rows = self.vault.read(
                "SELECT subject_ref FROM requests WHERE subject_id = ? ORDER BY id LIMIT 1", (subject_id,))
            if rows:
                return rows[0][0]
        if email:
            rows = self.vault.read(
                "SELECT subject_ref FROM requests WHERE subject_email = ? ORDER BY id LIMIT 1", (email,))
            if rows:
                return rows[0][0]
        return None

    def case_ids_by_phone(self, phone: str) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT id FROM cases WHERE phone = ? ORDER BY received_at, id", (phone,))]

    def unchecked_phones(self) -> list[tuple[int, str]]:
        """(case id, phone as typed) of the cases whose phone a web form's submitter typed and
        nobody could read in the region (issue 15): found by their digits, not by E.164."""
        return [(r[0], r[1]) for r in self.vault.read(
            "SELECT id, phone FROM cases WHERE phone_unchecked = 1 AND phone IS NOT NULL"
            " ORDER BY received_at, id")]

    def case_ids_by_email(self, email: str) -> list[int]:
        """Cases whose email field is this address (whatever subject they are filed under)."""
        return [r[0] for r in self.vault.read(
            "SELECT id FROM cases WHERE email = ? ORDER BY received_at, id", (email,))]

    def unlink_cases(self, request_id: int) -> None:
        self.vault.conn.execute("DELETE FROM request_cases WHERE request_id = ?", (request_id,))

    def for_subject(self, subject_id: int | None, email: str | None) -> list[SubjectRequest]:
        """Every register entry of one person, matched by subject id or email."""
        rows = self.vault.read(
            f"SELECT {COLUMNS} FROM requests WHERE (subject_id IS NOT NULL AND subject_id = ?)"
            " OR (subject_email IS NOT NULL AND subject_email = ?) ORDER BY received_at, id",
            (subject_id, email))
        return [_row(r) for r in rows]
