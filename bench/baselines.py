"""Like-for-like raw baselines (bench v2): bare sqlcipher3 doing the same writes as the app path.

Each baseline writes the same rows, columns and index entries that the app leaves, in one
transaction, with the store's own pragmas (bench/stores.py RAW_PRAGMAS: secure_delete, foreign
keys, WAL, synchronous=FULL). What it leaves out is the app's own logic: parsing, validation,
refusal checks, retention rules, the audit chain's hashing of each entry. Values that logic would
compute (retention timers, phone tokens, order keys) are computed untimed before the clock starts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

ID_BITS = 30  # desktop/store/order_keys.py: key = -((received seconds << 30) + id)

SUBJECT_INSERT = "INSERT INTO subjects(id, email, created_at) VALUES (?, ?, ?)"
CASE_INSERT_ALL = (
    "INSERT INTO cases(id, subject_id, name, email, phone, category, description, technical_details, channel,"
    " status, received_at, created_at, created_by, last_activity_at, notice_version, notice_acknowledged_at,"
    " next_removal_at, next_removal_policy) VALUES (" + ",".join("?" * 18) + ")")
CONSENT_INSERT = "INSERT INTO consents(subject_id, case_id, kind, version, given_at, source) VALUES (?,?,?,?,?,?)"
FTS_INSERT = "INSERT INTO cases_fts(rowid, name, email, phone, description) VALUES (?,?,?,?,?)"
CASE_INSERT_NEW = CASE_INSERT_ALL.replace("(id, ", "(", 1).replace(",".join("?" * 18), ",".join("?" * 17))
AUDIT_INSERT = "INSERT INTO audit(at, staff, action, target, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)"


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


def order_key(case_id: int, received: datetime) -> int:
    return -((int(received.timestamp()) << ID_BITS) + case_id)


@dataclass(frozen=True)
class Prepared:
    """Intake rows with everything the app's logic would compute, ready for executemany."""

    rows: list[tuple]  # (email, name, phone, category, description, technical, channel, received_iso,
    #                     notice_version, notice_at_iso, marketing, received datetime, phone tokens)
    timer: tuple[str, str]


def prepare(data: list, *, phone_tokens) -> Prepared:
    """Untimed: the submissions as column values (data: desktop IntakeData objects)."""
    rows = [(d.email, d.name, d.phone, d.category.value, d.description, d.technical_details, d.channel.value,
             iso(d.received_at), d.notice_version, iso(d.notice_acknowledged_at or d.received_at),
             bool(d.marketing_consent), d.received_at, phone_tokens(d.phone)) for d in data]
    return Prepared(rows, ("2099-01-01T00:00:00+00:00", "open-case"))


def full_import(conn, prepared: Prepared, *, now: datetime, staff: str = "bench", source: str = "import") -> None:
    """What an import leaves, set-based in one transaction: one subject per new address, every case
    column (subject, timer), a privacy-notice consent per case (+ marketing when given), the
    search-index entries in ascending key order, one audit entry."""
    created = iso(now)
    conn.execute("BEGIN IMMEDIATE")
    first_subject = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM subjects").fetchone()[0]
    known = dict(conn.execute("SELECT email, id FROM subjects").fetchall())
    new = [e for e in dict.fromkeys(r[0] for r in prepared.rows) if e not in known]
    ids_of = {**known, **{e: first_subject + i for i, e in enumerate(new)}}
    conn.executemany(SUBJECT_INSERT, [(ids_of[e], e, created) for e in new])
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
    at, policy = prepared.timer
    conn.executemany(CASE_INSERT_ALL, [
        (first + i, ids_of[r[0]], r[1], r[0], r[2], r[3], r[4], r[5], r[6], "open", r[7], created, staff, r[7],
         r[8], r[9], at, policy) for i, r in enumerate(prepared.rows)])
    consents = []
    for i, r in enumerate(prepared.rows):
        consents.append((ids_of[r[0]], first + i, "privacy_notice", r[8], r[9], source))
        if r[10]:
            consents.append((ids_of[r[0]], first + i, "marketing", r[8], created, source))
    conn.executemany(CONSENT_INSERT, consents)
    index = sorted((order_key(first + i, r[11]), r[1] or "", r[0] or "", r[12], r[4] or "")
                   for i, r in enumerate(prepared.rows))
    conn.executemany(FTS_INSERT, index)
    audit(conn, now, staff, "case.import", f"case:{first}-{first + len(prepared.rows) - 1}",
          f"count={len(prepared.rows)};source={source}")
    conn.execute("COMMIT")


def audit(conn, now: datetime, staff: str, action: str, target: str, detail: str) -> None:
    prev = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = prev[0] if prev else ""
    h = hashlib.sha256("|".join((prev_hash, iso(now), staff, action, target, detail)).encode()).hexdigest()
    conn.execute(AUDIT_INSERT, (iso(now), staff, action, target, detail, prev_hash, h))


def save_one(conn, row: tuple, email: str, *, now: datetime, staff: str = "bench") -> None:
    """One intake as the app leaves it: its person (new address), the case with every column, its
    consent, its search entry, one audit entry; one durable commit."""
    conn.execute("BEGIN IMMEDIATE")
    created = iso(now)
    sid = conn.execute("INSERT INTO subjects(email, created_at) VALUES (?, ?)", (email, created)).lastrowid
    at, policy = "2099-01-01T00:00:00+00:00", "open-case"
    cid = conn.execute(CASE_INSERT_NEW, (sid, row[1], email, row[2], row[3], row[4], row[5], row[6], "open", row[7], created, staff,
                      row[7], row[8], row[9], at, policy)).lastrowid
    conn.execute(CONSENT_INSERT, (sid, cid, "privacy_notice", row[8], row[9], "form"))
    conn.execute(FTS_INSERT, (order_key(cid, row[11]), row[1] or "", email, row[12], row[4] or ""))
    audit(conn, now, staff, "case.create", f"case:{cid}", "source=form")
    conn.execute("COMMIT")
