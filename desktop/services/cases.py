"""Working on cases: view, rectify with change history, status workflow, notes."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.domain import validation as v
from desktop.domain.models import (
    EDITABLE_FIELDS,
    TRANSITIONS,
    Case,
    CaseQuery,
    Change,
    Consent,
    Note,
    Status,
    Subject,
)
from desktop.errors import RefusedError
from desktop.services.context import Context
from desktop.services.settings import SettingsService

MAX_NOTE = 10_000
SEARCH_SESSION_GAP = timedelta(minutes=2)  # searches closer together than this are one search session


@dataclass
class CaseDetail:
    case: Case
    subject: Subject | None
    notes: list[Note]
    changes: list[Change]
    next_removal_at: str | None
    next_removal_policy: str | None


@dataclass
class CaseListing:
    ids: array  # the first ids, in list order
    total: int | None  # how many cases the list holds (None: not counted yet, see finish_listing)
    more: object | None  # token for CaseService.more_ids, None when `ids` is the whole list
    audit: str | None = None  # the listing's audit detail, until finish_listing writes it


class CaseService:
    def __init__(self, ctx: Context, settings: SettingsService) -> None:
        self.ctx = ctx
        self.settings = settings
        self._last_search_at: datetime | None = None  # the last listing of the open search session

    # ---- reading ------------------------------------------------------------------------------
    def ids(self, query: CaseQuery) -> array:
        return self.ctx.cases.ids(query)

    def list_page(self, query: CaseQuery, limit: int, *, later: bool = False) -> CaseListing:
        """The first ids of a case list and how many it holds (the window's list, each time it is
        filled). Lists in received order (the default) are read a page at a time; see more_ids().
        The listing is audited like the CLI's `cases`: by count and whether a search or filter
        applied, never the search text. Search-as-you-type lists once per pause in typing: one entry
        per search session (the first listing of searches less than SEARCH_SESSION_GAP apart, until
        the search box is cleared), so the trail stays readable.

        later=True (the window, on each keystroke): neither the count of a list longer than its
        first page (O(matches) for a short prefix) nor the audit entry (a durable commit) is done
        here: total is None when unknown, and finish_listing() does both, off the GUI thread."""
        repo = self.ctx.cases
        if repo.pageable(query):
            ids, more = repo.page(query, None, limit)
            total = len(ids) if more is None else (None if later else repo.count_matching(query))
        else:
            ids, more = repo.ids(query), None
            total = len(ids)
        status = query.status.value if query.status is not None else "any"
        searched = bool(query.search.strip())
        audit = None
        if self._new_listing(searched):
            audit = f"search={'yes' if searched else 'no'};status={status}"
        listing = CaseListing(ids, total, more, audit)
        if not later:
            self.finish_listing(query, listing)
        return listing

    def finish_listing(self, query: CaseQuery, listing: CaseListing) -> int:
        """The exact count of a listing made with later=True, and its audit entry (once); returns
        the count. Safe on a worker thread (the store serialises its connection)."""
        if listing.total is None:
            listing.total = self.ctx.cases.count_matching(query)
        if listing.audit is not None:
            detail, listing.audit = listing.audit, None
            self.ctx.audit("cases.list", "cases", f"count={listing.total};{detail}")
        return listing.total

    def _new_listing(self, searching: bool) -> bool:
        """False for a search listing that continues the open search session (not audited again)."""
        now = self.ctx.now()
        last, self._last_search_at = self._last_search_at, (now if searching else None)
        return not (searching and last is not None and timedelta(0) <= now - last < SEARCH_SESSION_GAP)

    def more_ids(self, query: CaseQuery, after: object, limit: int) -> tuple[array, object | None]:
        """The next ids of a list that list_page() began (same listing: not audited again)."""
        return self.ctx.cases.page(query, after, limit)

    def rows(self, ids: list[int]) -> dict[int, Case]:
        return self.ctx.cases.get_many(ids)

    def get(self, case_id: int) -> Case:
        return self.ctx.cases.get(case_id)

    def detail(self, case_id: int) -> CaseDetail:
        """Everything shown when staff open a case; the access is audited."""
        case, subject = self.with_subject(case_id)
        removal = self.ctx.cases.next_removal([case_id]).get(case_id, (None, None))
        self.ctx.audit("case.view", f"case:{case_id}")
        return CaseDetail(case, subject, self.ctx.cases.notes(case_id), self.ctx.cases.changes(case_id),
                          removal[0], removal[1])

    def reread(self, case_id: int) -> CaseDetail:
        """detail() again after the caller's own change (audited as that change, not as a view)."""
        case, subject = self.with_subject(case_id)
        at, policy = self.ctx.cases.next_removal([case_id]).get(case_id, (None, None))
        return CaseDetail(case, subject, self.ctx.cases.notes(case_id), self.ctx.cases.changes(case_id),
                          at, policy)

    def with_subject(self, case_id: int) -> tuple[Case, Subject | None]:
        """The case and the person it belongs to (None when anonymised away)."""
        case = self.ctx.cases.get(case_id)
        return case, self.ctx.subjects.get(case.subject_id) if case.subject_id is not None else None

    def subjects_for(self, ids: list[int]) -> dict[int, Subject]:
        return self.ctx.subjects.get_many(ids)

    def count(self) -> int:
        return self.ctx.cases.count()

    def next_removals(self, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
        """Each case's next retention removal: (due ISO date-time, policy id), as stored."""
        return self.ctx.cases.next_removal(ids)

    def consents(self, subject_id: int) -> list[Consent]:
        return list(self.ctx.subjects.consents(subject_id))

    def audit_listing(self, count: int, searched: bool) -> None:
        """A listing of cases outside the window (CLI): who listed how many, never what."""
        self.ctx.audit("cases.list", "cases", f"count={count};search={'yes' if searched else 'no'}")

    # ---- guards ---------------------------------------------------------------------------------
    def _writable(self, case: Case) -> None:
        if case.anonymised:
            raise RefusedError(f"case {case.id} has been anonymised; it can no longer be changed")
        if case.subject_id is not None:
            subject = self.ctx.subjects.get(case.subject_id)
            if subject.restricted:
                raise RefusedError(
                    f"case {case.id} is read-only: processing of this person's data is restricted")

    # ---- rectification (Art. 16) ----------------------------------------------------------------
    def rectify(self, case_id: int, changes: dict[str, object], *, request_ref: str | None = None) -> list[str]:
        """Apply field corrections; returns the names of fields that actually changed.

        Raises ValidationError (nothing written) for a bad value, RefusedError for a read-only case.
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise v.ValidationError({k: "This field cannot be edited." for k in sorted(unknown)})
        case = self.ctx.cases.get(case_id)
        self._writable(case)
        checkers = {
            "name": v.check_name,
            "email": v.check_email,
            "phone": lambda raw: v.check_phone(raw, self.settings.phone_region),
            "category": v.check_category,
            "description": v.check_description,
            "technical_details": v.check_technical,
            "channel": v.check_channel,
        }
        new_values: dict[str, object] = {}
        errors: dict[str, str] = {}
        for field_name, raw in changes.items():
            result = checkers[field_name](None if raw is None else str(raw))
            if result.error:
                errors[field_name] = result.error
            else:
                new_values[field_name] = result.value
        if errors:
            raise v.ValidationError(errors)

        def text(value: object) -> str | None:
            if value is None:
                return None
            return getattr(value, "value", value) if not isinstance(value, str) else value

        changed = [f for f, val in new_values.items() if text(getattr(case, f)) != text(val)]
        if not changed:
            return []
        now = self.ctx.now()
        with self.ctx.vault.transaction():
            updates: dict[str, object] = {f: new_values[f] for f in changed}
            updates["last_activity_at"] = now
            if "phone" in changed:  # a corrected phone has been checked (also after retention cleared one)
                updates["phone_unchecked"] = False
            if "email" in changed:
                updates["subject_id"] = self.ctx.subjects.find_or_create(str(new_values["email"]), now)
            self.ctx.cases.update(case_id, **updates)
            for f in changed:
                self.ctx.cases.add_change(case_id, now, self.ctx.staff, f, text(getattr(case, f)),
                                          text(new_values[f]), request_ref)
            if "email" in changed and case.subject_id is not None:
                self.ctx.subjects.delete_if_orphan(case.subject_id)
            self.ctx.notify_case_changed(case_id)
            detail = "fields=" + ",".join(changed) + (f";request={request_ref}" if request_ref else "")
            self.ctx.audit("case.rectify", f"case:{case_id}", detail)
        return changed

    # ---- workflow -------------------------------------------------------------------------------
    def set_status(self, case_id: int, status: Status, *, resolution: str | None = None) -> None:
        case = self.ctx.cases.get(case_id)
        self._writable(case)
        status = Status(status)
        if status == case.status:
            return
        if status not in TRANSITIONS[case.status]:
            raise RefusedError(f"a case cannot go from {case.status.label} to {status.label}")
        now = self.ctx.now()
        updates: dict[str, object] = {"status": status, "last_activity_at": now}
        if status == Status.CLOSED:
            updates["closed_at"] = now
        elif case.status == Status.CLOSED:
            updates["closed_at"] = None
        if resolution is not None:
            updates["resolution"] = resolution.strip()[:2000] or None
        with self.ctx.vault.transaction():
            self.ctx.cases.update(case_id, **updates)
            # in the change history like a correction: who, when, old -> new
            self.ctx.cases.add_change(case_id, now, self.ctx.staff, "status", case.status.value, status.value)
            self.ctx.notify_case_changed(case_id)
            self.ctx.audit("case.status", f"case:{case_id}", f"{case.status.value}->{status.value}")

    def add_note(self, case_id: int, body: str) -> int:
        text = (body or "").strip()
        if not text:
            raise v.ValidationError({"note": "A note cannot be empty."})
        if len(text) > MAX_NOTE:
            raise v.ValidationError({"note": f"A note can be at most {MAX_NOTE} characters."})
        if "\x00" in text:
            raise v.ValidationError({"note": "A note cannot contain NUL characters."})
        case = self.ctx.cases.get(case_id)
        self._writable(case)
        now = self.ctx.now()
        with self.ctx.vault.transaction():
            note_id = self.ctx.cases.add_note(case_id, now, self.ctx.staff, text)
            self.ctx.cases.update(case_id, last_activity_at=now)
            self.ctx.notify_case_changed(case_id)
            self.ctx.audit("case.note", f"case:{case_id}", f"note={note_id}")
        return note_id
