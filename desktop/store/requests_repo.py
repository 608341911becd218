"""The data-subject request register."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.clock import from_iso, to_iso
from desktop.domain.models import RequestStatus, RequestType, SubjectRequest
from desktop.store.errors import NotFound
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
        rows = self.vault.read("SELECT count(*) FROM requests WHERE ref LIKE ?", (prefix + "%",))
        return int(rows[0][0]) + 1
