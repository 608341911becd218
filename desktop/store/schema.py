"""Numbered schema migrations keyed on PRAGMA user_version.

A migration is an SQL script, or a function of the connection for steps SQL alone cannot do.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.store.erasure_repo import migrate_4
from desktop.store.order_keys import key_sql

APP_MARKER = "helpdesk-intake"

# The search index (schema 5): contentless, and deleting securely. An entry is removed with the
# FTS5 'delete' command and the values it was indexed with (desktop/store/search.py unindex), and
# with the secure-delete option (SQLite >= 3.42, kept in the index's own config table) its terms
# leave the index pages at once: an erasure leaves no residue without merging the whole index
# ('optimize') afterwards. Schemas 1-4 used contentless_delete=1, whose rowid-only deletes leave a
# tombstone and the terms in place until a merge.
# Schema 9 adds prefix indexes for prefixes of 1, 2 and 3 characters: search-as-you-type asks
# for "s"*, "sp"*, "spa"* ..., and without them FTS5 merged the doclists of every term starting
# with the prefix before returning the first row (137 ms for "s" at 100,000 cases; 0.3 ms with).
# They cost index size (+101 MiB at 100,000 demo cases, a 165 MiB store) and import time; see
# docs/bench.md ("Search-as-you-type").
FTS_TABLE = """
CREATE VIRTUAL TABLE cases_fts USING fts5(
    name, email, phone, description,
    content='', prefix='1 2 3', tokenize='unicode61 remove_diacritics 2');
"""
FTS_SECURE_DELETE = "INSERT INTO cases_fts(cases_fts, rank) VALUES ('secure-delete', 1)"


def _rekey_search_index(c) -> None:
    """3: store each case's search entry under its list-order key (desktop/store/order_keys.py), so
    a search reads its first page off the index instead of sorting every match. The index is
    contentless, so it is rebuilt from the cases, with the phone tokens the app indexes.
    5: the same rebuild, into the secure-deleting index (FTS_TABLE)."""
    _rebuild_search_index(c)


def _reindex_phone_groups(c) -> None:
    """8: phones are indexed with the tails of their national digits (and 00 + the full number), so
    a number read out in groups ('020 7946 0018', '7946', '0018') finds its case: every entry is
    written again (the index is contentless: rebuilt from the cases)."""
    _rebuild_search_index(c)


def _rebuild_search_index(c) -> None:
    from desktop.store.search import FTS_INSERT, phone_tokens

    c.execute("DROP TABLE cases_fts")
    c.execute(FTS_TABLE.strip())
    c.execute(FTS_SECURE_DELETE)
    cur = c.execute(f"SELECT {key_sql()}, coalesce(name, ''), coalesce(email, ''), phone, coalesce(description, '')"
                    " FROM cases WHERE anonymised_at IS NULL ORDER BY 1")
    while rows := cur.fetchmany(5000):
        c.executemany(FTS_INSERT, [(k, n, e, phone_tokens(p), d) for k, n, e, p, d in rows])


def _prefix_search_and_planning(c) -> None:
    """9: the search index with prefix indexes (FTS_TABLE), rebuilt from the cases; and for planning
    a sweep by index: a partial index of the cases without a stored timer that could still get one
    (RetentionRepo.due_case_facts reads two index ranges instead of every case) and one of the
    people holding marketing consents (RetentionRepo.unused_subject_ids)."""
    _rebuild_search_index(c)
    c.execute("CREATE INDEX IF NOT EXISTS cases_untimed ON cases(id) WHERE next_removal_at IS NULL"
              " AND anonymised_at IS NULL AND legal_hold_reason IS NULL")
    c.execute("CREATE INDEX IF NOT EXISTS consents_marketing ON consents(subject_id) WHERE kind = 'marketing'")


def _phone_unchecked_column(c) -> None:
    """13: cases.phone_unchecked (1: the phone is as a web form's submitter typed it, not checked);
    added only when missing, like the other steps, so a step run again changes nothing."""
    if "phone_unchecked" not in {row[1] for row in c.execute("PRAGMA table_info(cases)")}:
        c.execute("ALTER TABLE cases ADD COLUMN phone_unchecked INTEGER NOT NULL DEFAULT 0")


def _retention_people(c) -> None:
    """14: planning a sweep by index (store/retention_people.py): the people to check for "nothing
    needs them", kept by triggers, and partial indexes of withdrawn consents and closed requests."""
    from desktop.store.retention_people import migrate_14
    from desktop.store.retention_repo import UNUSED_IDS_SQL

    migrate_14(c, UNUSED_IDS_SQL)


def _merge_search_index(c) -> None:
    """15: the search index merged into one segment. An erasure's secure deletes look up every term
    of the erased entries (and of their 1-3 character prefixes) in every segment of the index; the
    segments a demo fill or an import leaves (15 at 100,000 cases) made that ~3x slower than one
    (docs/bench.md, "Erasure's store work"). Sweeps keep it merged (RetentionRepo.search_index_scattered)."""
    c.execute("INSERT INTO cases_fts(cases_fts) VALUES ('optimize')")


def _mail_tables(c) -> None:
    """7: mail intake (a function: the trigger body holds semicolons, which scripts split on)."""
    c.execute("""CREATE TABLE IF NOT EXISTS case_mail(
    case_id INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    message_key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    diagnosis TEXT,
    created_at TEXT NOT NULL,
    confirmed_at TEXT, confirmed_by TEXT)""")
    c.execute("""CREATE TRIGGER IF NOT EXISTS case_mail_anonymised AFTER UPDATE OF anonymised_at ON cases
    WHEN NEW.anonymised_at IS NOT NULL
BEGIN
    DELETE FROM case_mail WHERE case_id = NEW.id;
END""")


def _notice_versions(c) -> None:
    import json

    c.execute("""CREATE TABLE IF NOT EXISTS notice_versions(
    version TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL)""")
    row = c.execute("SELECT value, updated_at, updated_by FROM settings WHERE key = 'organisation'").fetchone()
    org = json.loads(row[0]) if row else None
    if isinstance(org, dict) and org.get("privacy_notice_text") and org.get("privacy_notice_version"):
        c.execute("INSERT OR IGNORE INTO notice_versions VALUES (?,?,?,?,?,?)",
                  (str(org["privacy_notice_version"]), str(org["privacy_notice_text"]),
                   str(org.get("controller_name") or ""), str(org.get("privacy_contact_email") or ""),
                   row[1], row[2]))


MIGRATIONS: dict[int, str | Callable] = {
    1: """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE settings(
    key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);
CREATE TABLE subjects(
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    restricted_at TEXT, restriction_reason TEXT,
    legal_hold_reason TEXT, legal_hold_by TEXT, legal_hold_at TEXT,
    marketing_objected_at TEXT);
CREATE TABLE cases(
    id INTEGER PRIMARY KEY,
    subject_id INTEGER REFERENCES subjects(id) ON DELETE SET NULL,
    name TEXT, email TEXT, phone TEXT,
    category TEXT NOT NULL,
    description TEXT, technical_details TEXT,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    closed_at TEXT,
    notice_version TEXT, notice_acknowledged_at TEXT,
    legal_hold_reason TEXT, legal_hold_by TEXT, legal_hold_at TEXT,
    anonymised_at TEXT,
    child_flagged_at TEXT,
    resolution TEXT,
    next_removal_at TEXT,
    next_removal_policy TEXT);
CREATE INDEX cases_received ON cases(received_at);
CREATE INDEX cases_name ON cases(name COLLATE NOCASE);
CREATE INDEX cases_email ON cases(email);
CREATE INDEX cases_category ON cases(category);
CREATE INDEX cases_status ON cases(status, received_at);
CREATE INDEX cases_subject ON cases(subject_id);
CREATE INDEX cases_next_removal ON cases(next_removal_at);
CREATE TABLE case_notes(
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at TEXT NOT NULL, staff TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX case_notes_case ON case_notes(case_id);
CREATE TABLE case_changes(
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at TEXT NOT NULL, staff TEXT NOT NULL, field TEXT NOT NULL,
    old_value TEXT, new_value TEXT, request_ref TEXT);
CREATE INDEX case_changes_case ON case_changes(case_id);
CREATE TABLE consents(
    id INTEGER PRIMARY KEY,
    subject_id INTEGER REFERENCES subjects(id) ON DELETE CASCADE,
    case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    kind TEXT NOT NULL, version TEXT, given_at TEXT NOT NULL, withdrawn_at TEXT, source TEXT);
CREATE INDEX consents_subject ON consents(subject_id);
CREATE INDEX consents_case ON consents(case_id);
CREATE TABLE requests(
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    subject_id INTEGER REFERENCES subjects(id) ON DELETE SET NULL,
    subject_email TEXT, subject_phone TEXT,
    subject_ref TEXT NOT NULL,
    received_at TEXT NOT NULL, channel TEXT,
    due_at TEXT NOT NULL, extended_due_at TEXT, extension_reason TEXT,
    status TEXT NOT NULL,
    verification_method TEXT, verified_by TEXT, verified_at TEXT,
    outcome TEXT, refusal_reason TEXT, completed_at TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL);
CREATE INDEX requests_subject ON requests(subject_id);
CREATE INDEX requests_due ON requests(status, due_at);
CREATE TABLE request_cases(
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    PRIMARY KEY(request_id, case_id));
CREATE INDEX request_cases_case ON request_cases(case_id);
CREATE TABLE audit(
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL, staff TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE VIRTUAL TABLE cases_fts USING fts5(
    name, email, phone, description,
    content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
""",
    # 2: search results are ordered by received time (or id/status): this narrow index answers that
    # for each FTS match without reading the wide case row, whose pages are mostly not in the cache
    # once a store has hundreds of thousands of cases (cases_repo.ids uses it by name).
    2: """
CREATE INDEX IF NOT EXISTS cases_search_order ON cases(id, received_at, status);
""",
    3: _rekey_search_index,
    # 4: the keyed erasure record (store/erasure_repo.py): a secret made once, HMACs of erased addresses
    4: migrate_4,
    5: _rekey_search_index,  # the secure-deleting search index (FTS_TABLE)
    # 6: where each imported case came from (web-form import, desktop/services/form_import.py): the
    # export's profile and entry id, or a SHA-256 fingerprint of the submitted values when the export
    # has no entry id, so a re-import or an overlapping later export creates no duplicate.
    6: """
CREATE TABLE IF NOT EXISTS import_provenance(
    key TEXT PRIMARY KEY,
    case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    profile TEXT NOT NULL,
    imported_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS import_provenance_case ON import_provenance(case_id);
""",
    # 7: mail intake (issue 16): the delivery diagnosis kept with a case made from an email, a
    # hash of its Message-ID so a second import of the same mail adds nothing, and whether staff
    # have confirmed it (privacy notice, 13+). Anonymising a case drops its mail record.
    7: _mail_tables,
    8: _reindex_phone_groups,  # phone tails: a number read out in groups finds its case
    9: _prefix_search_and_planning,  # prefix indexes for search-as-you-type; planning by index
    # 10: the privacy notice's versions (issue 14): each save of a changed notice text is a new
    # version with its text, the organisation and contact it named, when and by whom. A case keeps
    # the version it acknowledged (cases.notice_version); a store whose profile was saved before
    # this gets that notice as its first version.
    10: _notice_versions,
    # 11: drafts (issue 14): unsaved work (the intake form, a case window) kept when the app locks
    # over it, inside the encrypted store (never a plaintext file), offered back after the unlock,
    # deleted when used or discarded and removed DRAFT_KEEP_DAYS after it was kept (domain/drafts.py).
    11: """
CREATE TABLE IF NOT EXISTS drafts(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    body TEXT NOT NULL,
    staff TEXT NOT NULL,
    kept_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS drafts_kept ON drafts(kept_at);
""",
    # 13: a web-form import keeps an optional phone it cannot read in the region as typed, marked
    # unchecked (desktop/services/form_import.py); a correction by staff checks it and clears the mark.
    13: _phone_unchecked_column,
    # 14: planning with nothing due answers from indexes and a small table of people to check
    14: _retention_people,
    15: _merge_search_index,  # an erasure's store work: the search index in one segment
}

LATEST = max(MIGRATIONS)
