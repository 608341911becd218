"""Retention: policies, per-case timers, legal holds, child flags, dry-run plans and sweeps.

A sweep does exactly what plan() lists for the same as-of time, in batches of cases: one
transaction per batch that re-checks every case and removes it wholly or not at all (see
sweep()), an audit entry per removal naming the case (or consent, request, subject) id and the
policy id, never the removed data; then the FTS index is optimised, the WAL truncated and the
file compacted when a quarter of it is free. GUI: call plan()/sweep() off the GUI thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from time import monotonic

from desktop.domain import retention as r
from desktop.domain.drafts import draft_expiry_cutoff
from desktop.domain.models import Case, Subject
from desktop.domain.retention import PlannedAction, SweepReport
from desktop.errors import NotFound, StoreDamaged
from desktop.services.context import Context
from desktop.services.holds import MAX_REASON, HoldsMixin  # noqa: F401 - MAX_REASON for the hold dialog
from desktop.services.settings import SettingsService

log = logging.getLogger(__name__)

SETTINGS_KEY = "retention"
UNUSED_SUBJECT = ("unused-subject", "Person with no data left",
                  "The person's record (their email) only links cases and consents; with none left it is deleted.")
Progress = Callable[[int, int], None]
# A sweep's transactions: the first holds SWEEP_BATCH cases; each next one is sized from how long
# the last took, aiming at SWEEP_BATCH_SECONDS, between SWEEP_BATCH_MIN and SWEEP_BATCH_MAX cases.
# Fewer, larger transactions write each shared index page fewer times (at 100k cases a commit
# rewrites ~10k scattered index pages whatever the batch size); shorter ones let the GUI and other
# processes (5 s busy timeout) in between. The batching never changes what is removed.
SWEEP_BATCH = 2000
SWEEP_BATCH_MIN = 200
SWEEP_BATCH_MAX = 50_000
SWEEP_BATCH_SECONDS = 2.0
# While a sweep removes, the store's page cache may grow to the file's size, up to this much (then
# back to the usual 32 MB): see RetentionRepo.working_cache.
SWEEP_CACHE_MAX = 256 * 1024 * 1024
# After a sweep the file is compacted (VACUUM) when at least this fraction of it is free pages.
SWEEP_COMPACT_AT = 0.25


def _day_after(as_of: datetime) -> datetime:
    return datetime.combine(as_of.astimezone(UTC).date() + timedelta(days=1), time(0, 0), tzinfo=UTC)


class RetentionService(HoldsMixin):
    def __init__(self, ctx: Context, settings: SettingsService, *, timer: Callable[[], float] = monotonic) -> None:
        """timer: a duration clock that only paces sweep batches (what is due comes from ctx.clock)."""
        self.ctx = ctx
        self.settings = settings
        self.timer = timer
        self.repo = ctx.repos.retention
        self.requests = ctx.repos.requests
        self._cache: tuple[str | None, list[r.Policy]] | None = None
        self._rules: r.Rules | None = None

    # ---- policies -----------------------------------------------------------------------------
    def policies(self) -> list[r.Policy]:
        """The policies in force: stored (validated) or the shipped defaults. Raises PolicyError."""
        raw = self.settings.raw(SETTINGS_KEY)
        if self._cache is None or self._cache[0] != raw:
            value = json.loads(raw) if raw is not None else self.settings.get(SETTINGS_KEY)
            self._cache = (raw, r.parse_policies(value))
        return list(self._cache[1])

    def rules(self, policies: list[r.Policy] | None = None) -> r.Rules:
        """The case rules for these policies (default: those in force), shared between calls so
        that a sweep's re-checks reuse what its plan already evaluated for the same facts."""
        policies = self.policies() if policies is None else policies
        if self._rules is None or self._rules.policies != tuple(policies):
            self._rules = r.Rules(policies)
        return self._rules

    def policy(self, policy_id: str) -> r.Policy | None:
        return next((p for p in self.policies() if p.id == policy_id), None)

    def set_policies(self, value: list[r.Policy] | list[dict] | dict, progress: Progress | None = None) -> list[r.Policy]:
        """Validate, store (audited) and recompute every case's timer. Raises PolicyError."""
        if isinstance(value, list) and value and all(isinstance(p, r.Policy) for p in value):
            value = [p.to_dict() for p in value]  # type: ignore[union-attr]
        policies = r.parse_policies(value)
        before = {p.id: p for p in self.policies()}
        after = {p.id: p for p in policies}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        with self.ctx.vault.transaction():
            self.settings.set(SETTINGS_KEY, r.policies_to_json(policies))
            self.ctx.audit("retention.policies", f"settings:{SETTINGS_KEY}", "changed=" + ",".join(changed))
        self.refresh_all(progress)
        return policies

    # ---- timers -------------------------------------------------------------------------------
    def _subject(self, case: Case) -> Subject | None:
        return self.ctx.subjects.get(case.subject_id) if case.subject_id is not None else None

    def _has_diagnosis(self, case_id: int) -> bool:
        got = self.repo.case_facts([case_id]).get(case_id)
        return bool(got and got[1].diagnosis)

    def schedule(self, case_id: int) -> list[r.PlannedRemoval]:
        case = self.ctx.cases.get(case_id)
        return r.schedule(case, self._subject(case), self.policies(), diagnosis=self._has_diagnosis(case_id))

    def describe_next_removal(self, case_id: int) -> str:
        """e.g. 'phone removed on 2027-01-05, policy: Phone number after closing'."""
        case = self.ctx.cases.get(case_id)
        return r.describe(case, self._subject(case), self.policies(), diagnosis=self._has_diagnosis(case_id))

    def refresh(self, case_id: int) -> None:
        """Recompute a case's stored next removal (the case_changed hook; joins the caller's transaction)."""
        try:
            case = self.ctx.cases.get(case_id)
        except NotFound:
            return
        try:
            item = r.next_removal(case, self._subject(case), self.policies(), diagnosis=self._has_diagnosis(case_id))
        except r.PolicyError:
            log.warning("stored retention policies are invalid; timers not updated")
            return
        with self.ctx.vault.transaction():
            self.ctx.cases.set_next_removal(case_id, item.due_at if item else None, item.policy_id if item else None)

    def refresh_many(self, case_ids: list[int]) -> None:
        """refresh() for many cases at once (the bulk case_changed hook: imports, demo data)."""
        try:
            policies = self.policies()
        except r.PolicyError:
            log.warning("stored retention policies are invalid; timers not updated")
            return
        for start in range(0, len(case_ids), 2000):
            self._refresh_chunk(list(case_ids[start:start + 2000]), policies)

    def _refresh_chunk(self, ids: list[int], policies: list[r.Policy]) -> None:
        rules = self.rules(policies)
        with self.ctx.vault.transaction():
            rows = []
            for cid, (_, facts) in self.repo.case_facts(ids).items():
                item = rules.next_removal(facts)
                rows.append((item.due_at.isoformat(timespec="seconds") if item else None,
                             item.policy_id if item else None, cid))
            self.repo.set_next_removal_many(rows)

    def refresh_all(self, progress: Progress | None = None, chunk: int = 2000) -> int:
        """Recompute every case's stored next removal (after a policy change); returns the count."""
        policies = self.policies()
        total, done, last = self.ctx.cases.count(), 0, 0
        while True:
            ids = self.repo.case_ids_after(last, chunk)
            if not ids:
                break
            self._refresh_chunk(ids, policies)
            done += len(ids)
            last = ids[-1]
            if progress:
                progress(done, total)
        return done

    # ---- plan and sweep -----------------------------------------------------------------------
    def plan(self, as_of: datetime | None = None) -> list[PlannedAction]:
        """Dry run: every removal a sweep at as_of would make, in the order it makes them. Changes nothing."""
        as_of = as_of or self.ctx.now()
        policies = self.policies()
        rules = self.rules(policies)
        actions: list[PlannedAction] = []
        touched: set[int] = set()
        whole: set[int] = set()
        for cid, sid, facts in self.repo.due_case_facts(_day_after(as_of)):
            for item in rules.due(facts, as_of):
                actions.append(PlannedAction.from_removal("case", cid, item))
                if item.what == "case":
                    whole.add(cid)
                    if sid is not None:
                        touched.add(sid)
        # only records old enough to be due under some policy (schema 14); the rules below decide
        day = as_of.astimezone(UTC).date()
        withdrawn_by = r.last_start_due_by(policies, "consent_withdrawn", day)
        consents = [] if withdrawn_by is None else self.repo.withdrawn_marketing_consents(withdrawn_by=withdrawn_by)
        holders = self.ctx.subjects.get_many(sorted({c.subject_id for c in consents if c.subject_id}))
        purged: set[int] = set()
        for consent in consents:
            item = r.consent_removal(consent, holders.get(consent.subject_id), policies)  # type: ignore[arg-type]
            if item and item.is_due(as_of):
                actions.append(PlannedAction.from_removal("consent", consent.id, item))
                purged.add(consent.id)
                if consent.subject_id is not None:
                    touched.add(consent.subject_id)
        completed_by = r.last_start_due_by(policies, "request_completed", day)
        for rid in [] if completed_by is None else self.repo.closed_request_ids(completed_by):
            item = self._request_item(rid, policies)
            if item and item.is_due(as_of):
                actions.append(PlannedAction.from_removal("request", rid, item))
        facts = self.repo.subject_facts(sorted(touched | set(self.repo.unused_subject_ids())))
        for sid, (case_ids, consent_ids, kept) in sorted(facts.items()):
            if not kept and case_ids <= whole and consent_ids <= purged:
                actions.append(PlannedAction("subject", sid, "data_subject", "delete", *UNUSED_SUBJECT[:2],
                                             as_of.astimezone(UTC).date(), UNUSED_SUBJECT[2]))
        return actions

    def _request_item(self, request_id: int, policies: list[r.Policy]) -> r.PlannedRemoval | None:
        try:
            req = self.requests.get(request_id)
        except NotFound:
            return None
        subject = None
        if req.subject_id is not None:
            try:
                subject = self.ctx.subjects.get(req.subject_id)
            except NotFound:
                subject = None
        return r.request_removal(req, subject, policies)

    def sweep(self, as_of: datetime | None = None, progress: Progress | None = None) -> SweepReport:
        """Carry out plan(as_of). Each item is re-checked in the transaction that removes it:
        anything no longer due (a hold set meanwhile, a case reopened) is skipped and reported,
        never removed.

        Cases go in batches (see SWEEP_BATCH), one transaction each: the batch's cases are re-read
        and re-checked inside it, removed with set-based statements, their timers recomputed and
        one audit entry per removal appended; the commit makes every removal of the batch durable
        at once, so each case is wholly purged or wholly untouched. If anything in a batch fails,
        the batch rolls back whole and is redone case by case (a savepoint per case), so one bad
        case is reported in `failed` and never stops the others. A crash loses at most the
        uncommitted batch, which the next sweep redoes (timers are recomputed from data)."""
        as_of = as_of or self.ctx.now()
        rules = self.rules()
        planned = self.plan(as_of)
        report = SweepReport(as_of=as_of)
        by_case: dict[int, list[PlannedAction]] = {}
        for a in planned:
            if a.kind == "case":
                by_case.setdefault(a.target_id, []).append(a)
        with self.repo.working_cache(SWEEP_CACHE_MAX):
            self._sweep_all(by_case, planned, rules, as_of, report, progress)
        with self.ctx.vault.transaction():  # drafts kept over a lock have a short life of their own
            expired = self.ctx.repos.drafts.delete_kept_before(draft_expiry_cutoff(as_of))
            if expired:
                self.ctx.audit("draft.expire", "store", f"removed={expired}")
        return report

    def _sweep_all(self, by_case: dict[int, list[PlannedAction]], planned: list[PlannedAction], rules: r.Rules,
                   as_of: datetime, report: SweepReport, progress: Progress | None) -> None:
        total, step = len(by_case) + 3, 0
        pending = list(by_case.items())
        start, size = 0, SWEEP_BATCH
        while start < len(pending):
            batch = pending[start:start + size]
            start += len(batch)
            began = self.timer()  # paces the batches only; what is due comes from as_of
            try:
                with self.ctx.vault.transaction():
                    done, skipped = self._sweep_cases(batch, rules, as_of)
            except StoreDamaged:
                raise
            except Exception as exc:  # the batch rolled back whole: redo it one case at a time
                log.warning("retention sweep: a batch of %d cases rolled back (%s); retrying case by case",
                            len(batch), type(exc).__name__)
                done, skipped = self._sweep_cases_one_by_one(batch, rules, as_of, report)
            report.done += done
            report.skipped += skipped
            took = max(self.timer() - began, 0.001)
            size = max(SWEEP_BATCH_MIN, min(SWEEP_BATCH_MAX, int(len(batch) * SWEEP_BATCH_SECONDS / took)))
            for _ in batch:
                step += 1
                if progress:
                    progress(step, total)
        self._sweep_others(planned, rules.policies, as_of, report)
        if report.done:
            self.ctx.audit("retention.sweep", "store", f"as_of={as_of.date().isoformat()}"
                           f";removed={len(report.done)};skipped={len(report.skipped)}")
        if self.repo.people_to_check():  # see store/retention_people.py: the table keeps only changes
            with self.ctx.vault.transaction():
                self.repo.forget_needed_people()
        if progress:
            progress(total - 1, total)
        # the merge drops removed terms and leaves one segment (cheap secure deletes for erasures)
        if report.done or self.repo.search_index_scattered():
            report.compacted = self.ctx.vault.scrub(compact_at=SWEEP_COMPACT_AT, merge_index=True)
        if progress:
            progress(total, total)

    def _sweep_cases(self, batch: list[tuple[int, list[PlannedAction]]], rules: r.Rules,
                     as_of: datetime) -> tuple[list[PlannedAction], list[PlannedAction]]:
        """Re-check and carry out these cases' planned removals; call inside one transaction.
        Returns (done, skipped), in plan order."""
        facts = self.repo.case_facts([cid for cid, _ in batch])  # the re-check reads inside the transaction
        done: list[PlannedAction] = []
        skipped: list[PlannedAction] = []
        delete: list[int] = []
        anonymise: list[int] = []
        fields: dict[str, list[int]] = {f: [] for f in r.FIELDS}
        timers: dict[int, tuple[str | None, str | None]] = {}
        for cid, items in batch:
            got = facts.get(cid)
            if got is None:  # gone since planning
                skipped += items
                continue
            state = got[1]
            due = {("case", cid, i.what, i.action, i.policy_id) for i in rules.due(state, as_of)}
            deleted = False
            for a in items:
                if a.key not in due:
                    skipped.append(a)
                    continue
                if a.what == "case" and a.action == "delete":
                    delete.append(cid)
                    deleted = True
                else:
                    (anonymise if a.what == "case" else fields[a.what]).append(cid)
                    state = state.after(a.what, a.action)
                done.append(a)
            if not deleted:
                item = rules.next_removal(state)
                timers[cid] = (item.due_at.isoformat(timespec="seconds") if item else None,
                               item.policy_id if item else None)
        at = self.ctx.now()
        # Audit first: the same transaction commits both or neither, and the append is cheaper
        # before the deletes (measured ~25% with cipher_memory_security on).
        self.ctx.audit_repo.append_many(at, self.ctx.staff, [_audit_entry(a) for a in done])
        self.repo.purge(delete=delete, anonymise=anonymise, fields=fields, timers=timers, at=at)
        return done, skipped

    def _sweep_cases_one_by_one(self, batch: list[tuple[int, list[PlannedAction]]], rules: r.Rules,
                                as_of: datetime, report: SweepReport) -> tuple[list[PlannedAction], list[PlannedAction]]:
        """_sweep_cases with a savepoint per case: a case that fails is rolled back alone and
        listed in report.failed (its items as skipped); the others are committed together."""
        done: list[PlannedAction] = []
        skipped: list[PlannedAction] = []
        with self.ctx.vault.transaction():
            for item in batch:
                try:
                    with self.repo.savepoint():
                        one_done, one_skipped = self._sweep_cases([item], rules, as_of)
                except StoreDamaged:
                    raise
                except Exception as exc:
                    log.warning("retention sweep: case %s rolled back (%s)", item[0], type(exc).__name__)
                    report.failed.append(item[0])
                    skipped += item[1]
                else:
                    done += one_done
                    skipped += one_skipped
        return done, skipped

    def _sweep_others(self, planned: list[PlannedAction], policies: tuple[r.Policy, ...] | list[r.Policy],
                      as_of: datetime, report: SweepReport) -> None:
        """Consent proofs, request records, then people with nothing left: re-checked and removed
        in plan order, one audit entry each, in the transaction that removes them (consents and
        requests in one, people in batches of SWEEP_BATCH_MAX / 5)."""
        with self.ctx.vault.transaction():
            self._sweep_consents_and_requests(planned, policies, as_of, report)
        people = [a for a in planned if a.kind == "subject"]
        step = max(1, SWEEP_BATCH_MAX // 5)
        for start in range(0, len(people), step):
            chunk = people[start:start + step]
            with self.ctx.vault.transaction():
                gone = self.repo.delete_unused_subjects([a.target_id for a in chunk])
                done = [a for a in chunk if a.target_id in gone]
                self.ctx.audit_repo.append_many(self.ctx.now(), self.ctx.staff, [_audit_entry(a) for a in done])
            report.done += done
            report.skipped += [a for a in chunk if a.target_id not in gone]

    def _sweep_consents_and_requests(self, planned: list[PlannedAction], policies: tuple[r.Policy, ...] | list[r.Policy],
                                     as_of: datetime, report: SweepReport) -> None:
        consents = [a for a in planned if a.kind == "consent"]
        still = {c.id: c for c in self.repo.withdrawn_marketing_consents([a.target_id for a in consents])}
        holders = self.ctx.subjects.get_many(sorted({c.subject_id for c in still.values() if c.subject_id}))
        due_consents = []
        for a in consents:
            consent = still.get(a.target_id)
            item = r.consent_removal(consent, holders.get(consent.subject_id), policies) if consent else None  # type: ignore[arg-type]
            if item and item.is_due(as_of):
                due_consents.append(a.target_id)
        deleted = self.repo.delete_consents(due_consents)
        done = [a for a in consents if a.target_id in deleted]
        report.skipped += [a for a in consents if a.target_id not in deleted]
        for a in (a for a in planned if a.kind == "request"):
            item = self._request_item(a.target_id, policies)  # type: ignore[arg-type]
            if item and item.is_due(as_of) and self.repo.delete_request(a.target_id):
                done.append(a)
            else:
                report.skipped.append(a)
        self.ctx.audit_repo.append_many(self.ctx.now(), self.ctx.staff, [_audit_entry(a) for a in done])
        report.done += done


def _audit_entry(a: PlannedAction) -> tuple[str, str, str]:
    """(action, target, detail) of one removal's audit entry: ids and the policy, no personal data."""
    detail = f"policy={a.policy_id}" + (f";field={a.what}" if a.action == "remove_field" else "")
    return f"retention.{a.action}", a.target, detail
