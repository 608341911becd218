"""Bulk queries and removals for retention sweeps. Call the write methods inside vault.transaction().

Removal is real: rows are deleted or overwritten (secure_delete zeroes the old bytes), the case
leaves the full-text index, and change history holding removed values goes too. The caller runs
vault.scrub() afterwards (FTS optimize, WAL checkpoint TRUNCATE).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime

from desktop.domain.clock import to_iso
from desktop.domain.models import Consent
from desktop.domain.retention import CaseFacts
from desktop.store.order_keys import key_sql
from desktop.store.rows import consent_from_row
from desktop.store.search import FTS_DELETE, FTS_INSERT, INDEXED_SQL, phone_tokens
from desktop.store.vault import Vault

REMOVABLE_FIELDS = ("phone", "technical_details", "diagnosis")
# A search-index segment of at least this many leaf pages (and 1/20 of the index) counts as large.
SCATTERED_PAGES = 256
CONSENT_COLUMNS = "id, subject_id, case_id, kind, version, given_at, withdrawn_at, source"
# What the retention rules read from a case and its person, in the order of domain CaseFacts:
# date() gives the UTC day of a stored time (it applies the offset); octet_length() tells
# whether a field holds data without reading the text itself (which may be long).
_CLOSED = "(c.status = 'closed' AND c.closed_at IS NOT NULL)"
FACTS_SQL = (
    f"SELECT c.id, c.subject_id, CASE WHEN {_CLOSED} THEN date(c.closed_at) END,"
    f" CASE WHEN NOT {_CLOSED} THEN date(c.last_activity_at) END, date(c.child_flagged_at),"
    " c.anonymised_at IS NOT NULL, c.legal_hold_reason IS NOT NULL,"
    " coalesce(s.legal_hold_reason IS NOT NULL, 0), coalesce(s.restricted_at IS NOT NULL, 0),"
    " coalesce(octet_length(c.phone), 0) > 0, coalesce(octet_length(c.technical_details), 0) > 0,"
    " EXISTS(SELECT 1 FROM case_mail m WHERE m.case_id = c.id AND m.diagnosis IS NOT NULL)"
    " FROM cases c LEFT JOIN subjects s ON s.id = c.subject_id"
)


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class RetentionRepo:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # ---- reads -------------------------------------------------------------------------------
    def due_case_facts(self, before: datetime) -> list[tuple[int, int | None, CaseFacts]]:
        """(case id, subject id, facts) of the cases whose stored next removal is before `before`,
        plus those with no stored timer that could still have one (not anonymised, no case hold),
        in rowid order."""
        # Two index ranges, not one OR (which SQLite answered by reading every case): the stored
        # timers due (cases_next_removal) and the cases without one (the partial cases_untimed,
        # schema 9). With nothing due, planning reads two empty ranges.
        by = FACTS_SQL.replace("FROM cases c", "FROM cases c INDEXED BY {}", 1).format
        rows = self.vault.read(by("cases_next_removal") + " WHERE c.next_removal_at < ?", (to_iso(before),))
        rows += self.vault.read(by("cases_untimed") + " WHERE c.next_removal_at IS NULL"
                                " AND c.anonymised_at IS NULL AND c.legal_hold_reason IS NULL")
        rows.sort(key=lambda r: r[0])
        return [(r[0], r[1], CaseFacts._make(r[2:])) for r in rows]

    def case_facts(self, ids: Sequence[int]) -> dict[int, tuple[int | None, CaseFacts]]:
        """case id -> (subject id, facts) for those of `ids` that exist. Inside a write transaction
        this is the re-check a sweep makes before removing anything."""
        out: dict[int, tuple[int | None, CaseFacts]] = {}
        c = self.vault.conn
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in c.execute(FACTS_SQL + f" WHERE c.id IN ({marks})", tuple(chunk)):
                out[r[0]] = (r[1], CaseFacts._make(r[2:]))
        return out

    def case_ids_after(self, after_id: int, limit: int) -> list[int]:
        return [r[0] for r in self.vault.read(
            "SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit))]

    def withdrawn_marketing_consents(self, ids: Sequence[int] | None = None, *,
                                     withdrawn_by: date | None = None) -> list[Consent]:
        """Withdrawn marketing consents, in id order: those of `ids`, or with withdrawn_by those
        withdrawn on that UTC day or earlier (and a few more: the caller applies the exact rules),
        read off the partial index consents_withdrawn (schema 14)."""
        sql = f"SELECT {CONSENT_COLUMNS} FROM consents WHERE kind = 'marketing' AND withdrawn_at IS NOT NULL"
        if ids is None:
            if withdrawn_by is None:
                return [consent_from_row(r) for r in self.vault.read(sql + " ORDER BY id")]
            rows = self.vault.read(sql.replace("FROM consents", "FROM consents INDEXED BY consents_withdrawn")
                                   + " AND withdrawn_at < ?", (_day_bound(withdrawn_by),))
            return sorted((consent_from_row(r) for r in rows), key=lambda c: c.id)
        out: list[Consent] = []
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            out += [consent_from_row(r) for r in self.vault.read(sql + f" AND id IN ({marks})", tuple(chunk))]
        return sorted(out, key=lambda c: c.id)

    def closed_request_ids(self, completed_by: date | None = None) -> list[int]:
        """Completed or refused requests, in id order; with completed_by only those completed on that
        UTC day or earlier (and a few more), off the partial index requests_completed (schema 14)."""
        sql = "SELECT id FROM requests WHERE status IN ('completed', 'refused') AND completed_at IS NOT NULL"
        if completed_by is None:
            return [r[0] for r in self.vault.read(sql + " ORDER BY id")]
        rows = self.vault.read(sql.replace("FROM requests", "FROM requests INDEXED BY requests_completed")
                               + " AND completed_at < ?", (_day_bound(completed_by),))
        return sorted(r[0] for r in rows)

    def unused_subject_ids(self) -> list[int]:
        """Subjects that nothing needs any more (see _UNUSED), in id order: of those in
        retention_people (schema 14), which holds every such person (store/retention_people.py)."""
        return [r[0] for r in self.vault.read(
            f"SELECT s.id FROM retention_people p CROSS JOIN subjects s ON s.id = p.subject_id WHERE {_UNUSED} ORDER BY s.id")]

    def subject_facts(self, subject_ids: Sequence[int]) -> dict[int, tuple[set[int], set[int], bool]]:
        """subject id -> (its case ids, its marketing consent ids, kept for another reason)."""
        out: dict[int, tuple[set[int], set[int], bool]] = {}
        for chunk in _chunks(sorted(set(subject_ids))):
            marks = ",".join("?" * len(chunk))
            for (sid, kept) in self.vault.read(
                f"SELECT s.id, ({_KEPT}) FROM subjects s WHERE s.id IN ({marks})", tuple(chunk)
            ):
                out[sid] = (set(), set(), bool(kept))
            for sid, cid in self.vault.read(
                f"SELECT subject_id, id FROM cases WHERE subject_id IN ({marks})", tuple(chunk)
            ):
                out[sid][0].add(cid)
            for sid, cid in self.vault.read(
                f"SELECT subject_id, id FROM consents WHERE kind = 'marketing' AND subject_id IN ({marks})",
                tuple(chunk),
            ):
                out[sid][1].add(cid)
        return out

    def search_index_scattered(self) -> bool:
        """Whether the search index holds more than one large segment (SCATTERED_PAGES): an
        erasure's secure deletes then look each term up in each of them (docs/bench.md, "Erasure's
        store work"), so a sweep merges it. The many small segments single saves leave cost little
        and are merged by FTS5 itself; large ones come from imports and, slowly, from those merges."""
        sizes = [r[0] for r in self.vault.read("SELECT max(pgno) FROM cases_fts_idx GROUP BY segid")]
        large = max(SCATTERED_PAGES, sum(sizes) // 20)
        return sum(1 for pages in sizes if pages >= large) > 1

    # ---- writes ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def working_cache(self, max_bytes: int) -> Iterator[None]:
        """A page cache as large as the store (at most max_bytes) while the block runs, then the
        connection's own size again (SQLite frees the pages over the limit at once).

        A sweep removing tens of thousands of cases touches most pages of the case table and of
        every case index, in scattered order: with the usual 32 MB cache at 100k cases (a 160 MB
        file) pages were evicted and decrypted again, and dirty pages spilled to the WAL mid-
        transaction, then were written again at commit."""
        read = self.vault.read
        before, pages, page_size = (int(read(f"PRAGMA {p}")[0][0]) for p in ("cache_size", "page_count", "page_size"))
        want_kib = min(max_bytes, pages * page_size) // 1024
        current_kib = -before if before < 0 else before * page_size // 1024
        if want_kib <= current_kib:
            yield
            return
        read(f"PRAGMA cache_size = {-want_kib}")
        try:
            yield
        finally:
            read(f"PRAGMA cache_size = {before}")

    @contextlib.contextmanager
    def savepoint(self, name: str = "retention_case") -> Iterator[None]:
        """A nested transaction inside vault.transaction(): rolled back alone when the block raises."""
        c = self.vault.conn
        c.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            c.execute(f"ROLLBACK TO {name}")
            c.execute(f"RELEASE {name}")
            raise
        c.execute(f"RELEASE {name}")

    def set_next_removal_many(self, rows: Sequence[tuple[str | None, str | None, int]]) -> None:
        """rows of (next_removal_at ISO, policy id, case id)."""
        self.vault.conn.executemany(
            "UPDATE cases SET next_removal_at = ?, next_removal_policy = ? WHERE id = ?", rows)

    def purge(self, *, delete: Sequence[int] = (), anonymise: Sequence[int] = (),
              fields: Mapping[str, Sequence[int]] | None = None,
              timers: Mapping[int, tuple[str | None, str | None]] | None = None,
              at: datetime | None = None) -> None:
        """Carry out a batch of case removals with set-based statements. Call inside one
        transaction, which then holds every removal of these cases or none of them.

        - delete: the case with its notes, history, request links, notice consents and search entry.
          A marketing consent recorded with the case stays with the person (kept until withdrawn).
        - anonymise: remove identifiers, free text, notes, history and every link to the person;
          keep category, channel, status and dates (anonymised_at = at). No stand-in is kept.
        - fields: {"phone" | "technical_details": case ids}: clear the field and the change history
          that recorded its values (a removed phone also leaves the search index).
        - timers: {case id: (next_removal_at ISO, policy id)} for cases that stay; written in the
          same UPDATE as their removals (a case row, often with overflow pages, is rewritten once).

        Children are deleted explicitly before their case. The search index is changed last, in
        one run: FTS5 flushes its pending changes whenever another table is written in between,
        and a flush per statement (as when FTS and case statements alternate) made the deletes
        several times slower.
        """
        c = self.vault.conn
        fields = {k: set(v) for k, v in (fields or {}).items() if v}
        for name in fields:
            if name not in REMOVABLE_FIELDS:
                raise ValueError(f"not a removable field: {name}")
        timers = dict(timers or {})
        deleted, anonymised = set(delete), set(anonymise)
        if anonymised and at is None:
            raise ValueError("anonymising needs the time it happens")
        whole = sorted(deleted | anonymised)
        # search entries as indexed, read before the rows go or change (removed with their values
        # at the end: FTS5 secure-delete, see desktop/store/search.py FTS_DELETE)
        phone_gone = sorted(set(fields.get("phone", set())) - deleted - anonymised)
        indexed: list[tuple] = []
        for chunk in _chunks(sorted(set(whole) | set(phone_gone))):
            indexed += c.execute(INDEXED_SQL.format(key=key_sql(), marks=",".join("?" * len(chunk))), chunk).fetchall()
        for chunk in _chunks(whole):
            marks = ",".join("?" * len(chunk))
            c.execute(f"DELETE FROM consents WHERE case_id IN ({marks}) AND kind <> 'marketing'", chunk)
            c.execute(f"UPDATE consents SET case_id = NULL WHERE case_id IN ({marks})", chunk)
            c.execute(f"DELETE FROM case_notes WHERE case_id IN ({marks})", chunk)
            c.execute(f"DELETE FROM case_changes WHERE case_id IN ({marks})", chunk)
            c.execute(f"DELETE FROM request_cases WHERE case_id IN ({marks})", chunk)
        for chunk in _chunks(sorted(deleted)):
            c.execute(f"DELETE FROM cases WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        at_s = to_iso(at)
        if anonymised:
            c.executemany(
                "UPDATE cases SET name = NULL, email = NULL, phone = NULL, description = NULL,"
                " technical_details = NULL, resolution = NULL, subject_id = NULL, child_flagged_at = NULL,"
                " anonymised_at = ?, next_removal_at = ?, next_removal_policy = ? WHERE id = ?",
                [(at_s, *timers.pop(cid, (None, None)), cid) for cid in sorted(anonymised)])
        cleared: dict[int, tuple[str, ...]] = {}
        for name in REMOVABLE_FIELDS:
            for cid in sorted(fields.get(name, set()) - deleted - anonymised):
                cleared[cid] = (*cleared.get(cid, ()), name)
        for names in sorted(set(cleared.values())):
            ids = [cid for cid, got in cleared.items() if got == names]
            columns = tuple(n for n in names if n != "diagnosis")   # the diagnosis lives in case_mail
            sets = "".join(f"{name} = NULL, " for name in columns)
            c.executemany(f"UPDATE cases SET {sets}next_removal_at = ?, next_removal_policy = ? WHERE id = ?",
                          [(*timers.pop(cid, (None, None)), cid) for cid in ids])
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                if "diagnosis" in names:
                    c.execute(f"UPDATE case_mail SET diagnosis = NULL WHERE case_id IN ({marks})", chunk)
                if columns:
                    c.execute(f"DELETE FROM case_changes WHERE case_id IN ({marks})"
                              f" AND field IN ({','.join('?' * len(columns))})", (*chunk, *columns))
        if timers:
            c.executemany("UPDATE cases SET next_removal_at = ?, next_removal_policy = ? WHERE id = ?",
                          [(*timers[cid], cid) for cid in sorted(timers) if cid not in deleted])
        reindex: list[tuple] = []
        for chunk in _chunks(sorted(cid for cid, names in cleared.items() if "phone" in names)):
            reindex += c.execute(
                f"SELECT {key_sql()}, coalesce(name, ''), coalesce(email, ''), ?, coalesce(description, '') FROM cases"
                f" WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id", (phone_tokens(None), *chunk)).fetchall()
        if not indexed and not reindex:
            return
        with _no_fts_merges(c):
            c.executemany(FTS_DELETE, [(k, n, e, phone_tokens(p), d) for k, n, e, p, d in sorted(indexed)])
            if reindex:
                reindex.sort()  # ascending keys: FTS5 flushes its pending index when a key goes down
                c.executemany(FTS_INSERT, reindex)

    def delete_consents(self, consent_ids: Sequence[int]) -> set[int]:
        """Delete those of these withdrawn marketing consents that still are; returns the ids deleted."""
        out: set[int] = set()
        for chunk in _chunks(sorted(set(consent_ids))):
            out.update(r[0] for r in self.vault.conn.execute(
                f"DELETE FROM consents WHERE id IN ({','.join('?' * len(chunk))})"
                " AND kind = 'marketing' AND withdrawn_at IS NOT NULL RETURNING id", chunk).fetchall())
        return out

    def delete_request(self, request_id: int) -> bool:
        cur = self.vault.conn.execute(
            "DELETE FROM requests WHERE id = ? AND status IN ('completed', 'refused')", (request_id,))
        return cur.rowcount > 0

    def forget_needed_people(self) -> int:
        """Drop from retention_people everyone something still needs (or who is gone): they are
        noted again by the next change that could free them. Call inside a write transaction, so
        no change slips in between the check and the delete. Returns how many are left to check."""
        c = self.vault.conn
        c.execute("DELETE FROM retention_people WHERE subject_id NOT IN"
                  f" (SELECT s.id FROM retention_people p CROSS JOIN subjects s ON s.id = p.subject_id WHERE {_UNUSED})")
        return int(c.execute("SELECT count(*) FROM retention_people").fetchone()[0])

    def people_to_check(self) -> int:
        return int(self.vault.read("SELECT count(*) FROM retention_people")[0][0])

    def delete_unused_subjects(self, subject_ids: Sequence[int]) -> set[int]:
        """Delete those of these people that nothing needs any more (see _UNUSED); returns their ids."""
        out: set[int] = set()
        for chunk in _chunks(sorted(set(subject_ids))):
            out.update(r[0] for r in self.vault.conn.execute(
                "DELETE FROM subjects WHERE id IN (SELECT s.id FROM subjects s"
                f" WHERE s.id IN ({','.join('?' * len(chunk))}) AND {_UNUSED}) RETURNING id", chunk).fetchall())
        return out


def _day_bound(day: date) -> str:
    """An ISO bound above every stored time whose UTC day is `day` or earlier: times are stored in
    UTC (clock.to_iso); two days' margin also covers a time stored with a local offset."""
    return date.fromordinal(day.toordinal() + 2).isoformat()


# FTS5's own defaults for the two merge settings (used while cases_fts_config holds no value).
_FTS_MERGE_DEFAULTS = {"automerge": 4, "deletemerge": 10, "secure-delete": 0}


@contextlib.contextmanager
def _no_fts_merges(c) -> Iterator[None]:
    """No automatic FTS5 merges and no secure deletes for the search-index changes made in the block;
    call inside the write transaction. The settings are put back before the block ends, in the same
    transaction, so no commit ever holds them off (a crash leaves the index's settings as they were).

    Why: at a flush FTS5 merges segments (automerge) and rewrites segments with many deleted rows
    (deletemerge). A sweep deletes thousands of index rows per batch, so every batch's commit
    rewrote large segments, ~1.5 s in all at 100k cases. A secure delete (schema 5) rewrites the
    leaf page of every term of the entry at once: right for one person's few cases, but for a
    sweep's tens of thousands of entries it took many minutes at 100k. So a sweep records its
    deletions and merges the whole index once at the end (vault.scrub(merge_index=True)), which
    drops the removed terms. Putting a setting back is itself a statement on the index, which
    makes FTS5 flush the pending changes first, while merging is still off."""
    saved = dict(_FTS_MERGE_DEFAULTS)
    saved.update(c.execute("SELECT k, v FROM cases_fts_config WHERE k IN ('automerge', 'deletemerge', 'secure-delete')"
                           ).fetchall())

    def put(values: Mapping[str, int]) -> None:
        for name, value in values.items():
            c.execute("INSERT INTO cases_fts(cases_fts, rank) VALUES (?, ?)", (name, int(value)))

    put(dict.fromkeys(saved, 0))
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):  # the rollback that follows restores them in any case
            put(saved)
        raise
    put(saved)


# A subject is kept while it has a legal hold, a recorded marketing objection (a suppression
# record), a restriction, or a request still being answered.
_KEPT = (
    "s.legal_hold_reason IS NOT NULL OR s.marketing_objected_at IS NOT NULL OR s.restricted_at IS NOT NULL"
    " OR EXISTS (SELECT 1 FROM requests r WHERE r.subject_id = s.id AND r.status NOT IN ('completed', 'refused'))"
)
# ... and removed when nothing needs it: no case, no marketing consent (standing or withdrawn
# proof still in its retention period), and nothing from _KEPT.
_UNUSED = (
    "NOT EXISTS (SELECT 1 FROM cases c WHERE c.subject_id = s.id)"
    " AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.subject_id = s.id AND k.kind = 'marketing')"
    f" AND NOT ({_KEPT})"
)
# The people nothing needs any more, found by reading every person (the migration's seed of
# retention_people, store/retention_people.py); planning reads only that table.
UNUSED_IDS_SQL = (
    "SELECT s.id FROM subjects s WHERE s.id IN (SELECT id FROM subjects EXCEPT SELECT subject_id FROM cases"
    f" EXCEPT SELECT subject_id FROM consents WHERE kind = 'marketing') AND NOT ({_KEPT})")
