"""Cases, their notes, change history and full-text index."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from datetime import datetime

from desktop.domain.clock import to_iso
from desktop.domain.models import Case, CaseQuery, Change, IntakeData, Note, Status
from desktop.errors import NotFound, StoreError
from desktop.store.order_keys import MAX_CASE_ID, case_id_of, id_sql, key_sql, order_key
from desktop.store.rows import CASE_COLUMNS, case_from_row, change_from_row, note_from_row
from desktop.store.search import FTS_INSERT, fts_query, phone_tokens, unindex
from desktop.store.vault import Vault

SORTABLE = {
    "id": "c.id",
    "received_at": "c.received_at",
    "name": "c.name COLLATE NOCASE",
    "email": "c.email",
    "category": "c.category",
    "status": "c.status",
    "next_removal": "c.next_removal_at",
}

COVERED_ORDER = frozenset({"id", "received_at", "status"})  # columns of the cases_search_order index

CASE_UPDATABLE = {
    "name", "email", "phone", "category", "description", "technical_details", "channel", "status",
    "last_activity_at", "closed_at", "legal_hold_reason", "legal_hold_by", "legal_hold_at",
    "anonymised_at", "child_flagged_at", "resolution", "subject_id", "phone_unchecked",
}


def _sql_value(value: object) -> object:
    if isinstance(value, datetime):
        return to_iso(value)
    if hasattr(value, "value") and not isinstance(value, str | int | float):
        return value.value  # enums
    return value


class CaseRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # ---- writes (call inside vault.transaction()) -------------------------------------------
    def insert(self, data: IntakeData, *, subject_id: int, created_at: datetime, staff: str) -> int:
        """One case and its search entry (new intakes go in through store/bulk.py)."""
        c = self.vault.conn
        cur = c.execute(
            "INSERT INTO cases(subject_id, name, email, phone, category, description, technical_details,"
            " channel, status, received_at, created_at, created_by, last_activity_at, notice_version,"
            " notice_acknowledged_at, phone_unchecked) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                subject_id, data.name, data.email, data.phone, data.category.value, data.description,
                data.technical_details, data.channel.value, Status.OPEN.value, to_iso(data.received_at),
                to_iso(created_at), staff, to_iso(data.received_at),  # last activity: the contact itself
                data.notice_version, to_iso(data.notice_acknowledged_at), int(data.phone_unchecked),
            ),
        )
        case_id = int(cur.lastrowid)
        if case_id > MAX_CASE_ID:
            raise StoreError("this store is full: case numbers have reached their limit")
        self._index(order_key(case_id, data.received_at), data.name, data.email, data.phone, data.description)
        return case_id

    def update(self, case_id: int, **fields: object) -> None:
        bad = set(fields) - CASE_UPDATABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        if not fields:
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        params = [_sql_value(v) for v in fields.values()] + [case_id]
        indexed = bool({"name", "email", "phone", "description"} & set(fields))
        if indexed:
            unindex(self.vault.conn, [case_id], key_sql())  # with the old values, before they change
        cur = self.vault.conn.execute(f"UPDATE cases SET {cols} WHERE id = ?", params)
        if cur.rowcount == 0:
            raise NotFound(f"case {case_id} not found")
        if indexed:
            case = self.get(case_id)
            if case.anonymised_at is None:
                self._index(order_key(case_id, case.received_at), case.name, case.email, case.phone,
                            case.description)

    def set_next_removal(self, case_id: int, at: datetime | None, policy: str | None) -> None:
        self.vault.conn.execute(
            "UPDATE cases SET next_removal_at = ?, next_removal_policy = ? WHERE id = ?",
            (to_iso(at), policy, case_id),
        )

    def delete(self, case_id: int) -> None:
        c = self.vault.conn
        self._unindex(case_id)
        c.execute("DELETE FROM cases WHERE id = ?", (case_id,))

    def _index(self, key: int, name, email, phone, description) -> None:
        """The case's search entry, under its list-order key (desktop/store/order_keys.py)."""
        self.vault.conn.execute(FTS_INSERT, (key, name or "", email or "", phone_tokens(phone), description or ""))

    def _unindex(self, case_id: int) -> None:
        unindex(self.vault.conn, [case_id], key_sql())

    def add_note(self, case_id: int, at: datetime, staff: str, body: str) -> int:
        cur = self.vault.conn.execute(
            "INSERT INTO case_notes(case_id, at, staff, body) VALUES (?,?,?,?)",
            (case_id, to_iso(at), staff, body),
        )
        return int(cur.lastrowid)

    def add_change(self, case_id: int, at: datetime, staff: str, field: str,
                   old: str | None, new: str | None, request_ref: str | None = None) -> None:
        self.vault.conn.execute(
            "INSERT INTO case_changes(case_id, at, staff, field, old_value, new_value, request_ref)"
            " VALUES (?,?,?,?,?,?,?)",
            (case_id, to_iso(at), staff, field, old, new, request_ref),
        )

    def delete_notes(self, case_id: int) -> None:
        self.vault.conn.execute("DELETE FROM case_notes WHERE case_id = ?", (case_id,))

    def delete_changes(self, case_id: int) -> None:
        self.vault.conn.execute("DELETE FROM case_changes WHERE case_id = ?", (case_id,))

    # ---- reads ---------------------------------------------------------------------------------
    def get(self, case_id: int) -> Case:
        rows = self.vault.read(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        if not rows:
            raise NotFound(f"case {case_id} not found")
        return case_from_row(rows[0])

    def exists(self, case_id: int) -> bool:
        return bool(self.vault.read("SELECT 1 FROM cases WHERE id = ?", (case_id,)))

    def get_many(self, ids: Iterable[int]) -> dict[int, Case]:
        rows = self.vault.read_in(f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({{marks}})", list(ids))
        return {r[0]: case_from_row(r) for r in rows}

    def next_removal(self, ids: Iterable[int]) -> dict[int, tuple[str | None, str | None]]:
        rows = self.vault.read_in(
            "SELECT id, next_removal_at, next_removal_policy FROM cases WHERE id IN ({marks})", list(ids))
        return {r[0]: (r[1], r[2]) for r in rows}

    def ids(self, query: CaseQuery) -> array:
        """Ids of matching cases in display order, as a compact array (cheap even for 1M cases)."""
        where, params = [], []
        sql = "SELECT c.id FROM cases c"
        if query.search.strip():
            match = fts_query(query.search)
            if match is None:
                return array("q")
            if query.sort in COVERED_ORDER and query.subject_id is None:
                # every match's order key from the narrow cases_search_order index (schema 2), not
                # from its wide row: time follows the matches, not the size of the cases table
                sql = ("SELECT c.id FROM cases_fts f JOIN cases c INDEXED BY cases_search_order"
                       f" ON c.id = {id_sql('f.rowid')}")
                where.append("cases_fts MATCH ?")
            else:
                where.append(f"c.id IN (SELECT {id_sql('rowid')} FROM cases_fts WHERE cases_fts MATCH ?)")
            params.append(match)
        if query.status is not None:
            where.append("c.status = ?")
            params.append(query.status.value)
        if query.subject_id is not None:
            where.append("c.subject_id = ?")
            params.append(query.subject_id)
        order = SORTABLE.get(query.sort, "c.received_at")
        direction = "DESC" if query.descending else "ASC"
        nulls = " NULLS LAST" if query.sort == "next_removal" else ""
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order} {direction}{nulls}, c.id {direction}"
        with self.vault._lock:
            cur = self.vault.conn.execute(sql, params)
            out = array("q")
            while True:
                chunk = cur.fetchmany(5000)
                if not chunk:
                    break
                out.extend(r[0] for r in chunk)
        return out

    # ---- paged listing (the window's case list) --------------------------------------------------
    @staticmethod
    def pageable(query: CaseQuery) -> bool:
        """Whether page() can read this list in order a page at a time: by received time (the
        default), newest first when searching (the search index's key order), either way otherwise.
        Other orders are read whole with ids()."""
        return (query.sort == "received_at" and query.subject_id is None
                and (query.descending or not query.search.strip()))

    def page(self, query: CaseQuery, after: object | None, limit: int) -> tuple[array, object | None]:
        """The next `limit` ids of a pageable list after `after` (None: from the top), and the token
        for the page after (None at the end). Each page is read off an index in list order, so its
        time does not grow with the size of the store (a prefix search still merges the doclists of
        its terms, which grow with their matches)."""
        if not self.pageable(query):
            raise ValueError("this list order is not pageable")
        out = array("q")
        limit = max(1, int(limit))
        params: list[object] = []
        if query.search.strip():
            match = fts_query(query.search)
            if match is None:
                return out, None
            sql = "SELECT f.rowid FROM cases_fts f"
            where = ["cases_fts MATCH ?"]
            params.append(match)
            if query.status is not None:
                sql += f" JOIN cases c ON c.id = {id_sql('f.rowid')}"
                where.append("c.status = ?")
                params.append(query.status.value)
            if after is not None:
                where.append("f.rowid > ?")
                params.append(int(after))  # type: ignore[call-overload]
            sql += " WHERE " + " AND ".join(where) + " ORDER BY f.rowid LIMIT ?"
            params.append(limit)
            last = self._stream(sql, params, out, case_id_of)
            return out, (last[0] if len(out) == limit and last else None)
        direction, cmp = ("DESC", "<") if query.descending else ("ASC", ">")
        where = []
        if query.status is not None:
            where.append("status = ?")
            params.append(query.status.value)
        if after is not None:
            where.append(f"(received_at, id) {cmp} (?, ?)")
            params.extend(after)  # type: ignore[arg-type]
        sql = "SELECT id, received_at FROM cases"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY received_at {direction}, id {direction} LIMIT ?"
        params.append(limit)
        last = self._stream(sql, params, out)
        return out, ((last[1], last[0]) if len(out) == limit and last else None)

    def _stream(self, sql: str, params: list[object], out: array, convert=None) -> tuple | None:
        """Append the first column of every row to `out` (converted), a chunk at a time, so a long
        page (a scroll bar dragged to the end) never holds all its rows as Python tuples; returns
        the last row."""
        last = None
        with self.vault._lock:
            cur = self.vault.conn.execute(sql, params)
            while chunk := cur.fetchmany(5000):
                ids = (r[0] for r in chunk)
                out.extend(map(convert, ids) if convert else ids)
                last = chunk[-1]
        return last

    def count_matching(self, query: CaseQuery) -> int:
        """How many cases a list holds (its search, status and person filters)."""
        params: list[object] = []
        if query.search.strip():
            match = fts_query(query.search)
            if match is None:
                return 0
            if query.status is None and query.subject_id is None:
                return int(self.vault.read("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?", (match,))[0][0])
            sql = (f"SELECT count(*) FROM cases_fts f JOIN cases c ON c.id = {id_sql('f.rowid')}"
                   " WHERE cases_fts MATCH ?")
            params.append(match)
        else:
            sql = "SELECT count(*) FROM cases c WHERE 1"
        if query.status is not None:
            sql += " AND c.status = ?"
            params.append(query.status.value)
        if query.subject_id is not None:
            sql += " AND c.subject_id = ?"
            params.append(query.subject_id)
        return int(self.vault.read(sql, tuple(params))[0][0])

    def count(self) -> int:
        return int(self.vault.read("SELECT count(*) FROM cases")[0][0])

    def ids_for_subject(self, subject_id: int) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT id FROM cases WHERE subject_id = ? ORDER BY received_at", (subject_id,))]

    def all_ids(self) -> list[int]:
        return [r[0] for r in self.vault.read("SELECT id FROM cases ORDER BY id")]

    def notes(self, case_id: int) -> list[Note]:
        return [note_from_row(r) for r in self.vault.read(
            "SELECT id, case_id, at, staff, body FROM case_notes WHERE case_id = ? ORDER BY at, id", (case_id,))]

    def changes(self, case_id: int) -> list[Change]:
        return [change_from_row(r) for r in self.vault.read(
            "SELECT id, case_id, at, staff, field, old_value, new_value, request_ref FROM case_changes"
            " WHERE case_id = ? ORDER BY at, id", (case_id,))]
