"""Schema 14: what lets a sweep's planning answer from indexes when nothing is due.

Planning asks three questions that used to read every row of their table:
- which people nothing needs any more (no case, no marketing consent, no hold, restriction,
  objection or open request): every person's id, O(people);
- which withdrawn marketing consents' proofs are due: every consent;
- which closed requests' records are due: every closed request, each read whole.

Now:
- `retention_people` holds the ids of the people that may have become unused since the last sweep,
  kept by triggers on every write that can make a person unused: a new person, their case deleted
  or moved to someone else (anonymising clears a case's person), a marketing consent deleted or
  moved, a hold, restriction or objection lifted, a request closed, deleted or moved. Planning
  checks only those people (RetentionRepo.unused_subject_ids); each sweep then forgets, in one
  write transaction, those it found still needed (RetentionRepo.forget_needed_people), so the
  table holds what changed since, not everyone. Invariant: every unused person is in the table (the
  migration seeds it with the people unused at the upgrade; a person leaves it only when deleted,
  or when a sweep finds them needed, and any later change that could free them puts them back).
- partial indexes of withdrawn marketing consents by withdrawal time and of closed requests by
  completion time: planning reads only those old enough to be due under some policy
  (domain retention.last_start_due_by), then applies the exact rules to them.
"""

from __future__ import annotations

# Not INSERT OR IGNORE: inside a trigger the outer statement's conflict handling wins (and a
# foreign key's ON DELETE SET NULL, which fires these triggers when a person is deleted, aborts).
_NOTE = ("INSERT INTO retention_people(subject_id) SELECT s.id FROM subjects s WHERE s.id = {who}"
         " AND NOT EXISTS (SELECT 1 FROM retention_people p WHERE p.subject_id = s.id)")

TRIGGERS = {
    # a new person has nothing yet (a case or request usually follows in the same transaction)
    "retention_people_new": ("AFTER INSERT ON subjects", None, "NEW.id"),
    "retention_people_gone": ("AFTER DELETE ON subjects", None, None),
    "retention_people_unheld": (
        "AFTER UPDATE OF legal_hold_reason, restricted_at, marketing_objected_at ON subjects",
        "NEW.legal_hold_reason IS NULL AND NEW.restricted_at IS NULL AND NEW.marketing_objected_at IS NULL",
        "NEW.id"),
    "retention_people_case_deleted": ("AFTER DELETE ON cases", "OLD.subject_id IS NOT NULL", "OLD.subject_id"),
    "retention_people_case_moved": (
        "AFTER UPDATE OF subject_id ON cases",
        "OLD.subject_id IS NOT NULL AND NEW.subject_id IS NOT OLD.subject_id", "OLD.subject_id"),
    "retention_people_consent_deleted": (
        "AFTER DELETE ON consents", "OLD.subject_id IS NOT NULL AND OLD.kind = 'marketing'", "OLD.subject_id"),
    "retention_people_consent_moved": (
        "AFTER UPDATE OF subject_id, kind ON consents",
        "OLD.subject_id IS NOT NULL AND OLD.kind = 'marketing'"
        " AND (NEW.subject_id IS NOT OLD.subject_id OR NEW.kind IS NOT 'marketing')", "OLD.subject_id"),
    "retention_people_request_closed": (
        "AFTER UPDATE OF status, subject_id ON requests", "OLD.subject_id IS NOT NULL", "OLD.subject_id"),
    "retention_people_request_deleted": ("AFTER DELETE ON requests", "OLD.subject_id IS NOT NULL", "OLD.subject_id"),
}


def _trigger_sql(name: str, event: str, when: str | None, who: str | None) -> str:
    body = _NOTE.format(who=who) if who else "DELETE FROM retention_people WHERE subject_id = OLD.id"
    return f"CREATE TRIGGER IF NOT EXISTS {name} {event}{f' WHEN {when}' if when else ''}\nBEGIN\n    {body};\nEND"


def migrate_14(c, unused_sql: str) -> None:
    """14: the table of people to check (seeded with those unused now, found with `unused_sql`, a
    query of subject ids), its triggers, and the two partial indexes."""
    c.execute("CREATE TABLE IF NOT EXISTS retention_people(subject_id INTEGER PRIMARY KEY) WITHOUT ROWID")
    for name, (event, when, who) in TRIGGERS.items():
        c.execute(_trigger_sql(name, event, when, who))
    c.execute(f"INSERT OR IGNORE INTO retention_people(subject_id) {unused_sql}")
    c.execute("CREATE INDEX IF NOT EXISTS consents_withdrawn ON consents(withdrawn_at)"
              " WHERE kind = 'marketing' AND withdrawn_at IS NOT NULL")
    c.execute("CREATE INDEX IF NOT EXISTS requests_completed ON requests(completed_at)"
              " WHERE status IN ('completed', 'refused') AND completed_at IS NOT NULL")
