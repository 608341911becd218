"""What every service needs: the open vault and its repositories, the clock, who is working.

The repositories are built once, by the composition root (desktop/app.py), and handed in as a
Repositories bundle typed by the interfaces services use (services/ports.py): a second backend
(a shared team server) is added there, without touching services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from desktop.domain.clock import Clock
from desktop.errors import StoreBusy, StoreFull
from desktop.services.ports import (
    AuditStore,
    CaseStore,
    DraftStore,
    ErasureStore,
    ImportProvenanceStore,
    IntakeWriterPort,
    MailStore,
    RequestStore,
    RetentionStore,
    RightsStore,
    SettingsStore,
    SubjectStore,
    VaultPort,
)


@dataclass(frozen=True)
class Repositories:
    """One of each repository over one open store (built in desktop/app.py)."""

    cases: CaseStore
    subjects: SubjectStore
    audit: AuditStore
    settings: SettingsStore
    requests: RequestStore
    rights: RightsStore
    retention: RetentionStore
    intake_writer: IntakeWriterPort
    erasures: ErasureStore
    imports: ImportProvenanceStore
    mail: MailStore
    drafts: DraftStore


@dataclass(frozen=True)
class CaseHook:
    """A case_changed hook with a bulk form, so a 100k-row import makes one call, not 100k.

    new_case_rules: for a hook that keeps each case's retention timer, the rules it applies. A new
    case's timer then goes into the case's own INSERT (IntakeService), and the hook is not called
    for it: the UPDATE it would make right after the INSERT is saved. Used only when this is the
    first hook, so no earlier hook can change the case before its timer is computed."""

    one: Callable[[int], None]
    many: Callable[[list[int]], None]
    new_case_rules: Callable[[], object] | None = None

    def __call__(self, case_id: int) -> None:
        self.one(case_id)


@dataclass
class Context:
    vault: VaultPort
    clock: Clock
    staff: str
    repos: Repositories
    # Called (inside the write transaction) with a case id after a case is created or changed,
    # so other services (retention timers) can keep derived state current.
    case_changed: list[Callable[[int], None]] = field(default_factory=list)
    # audit entries that could not be written yet because another process was writing (audit_soon)
    pending_audit: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def cases(self) -> CaseStore:
        return self.repos.cases

    @property
    def subjects(self) -> SubjectStore:
        return self.repos.subjects

    @property
    def audit_repo(self) -> AuditStore:
        return self.repos.audit

    @property
    def settings_repo(self) -> SettingsStore:
        return self.repos.settings

    def now(self) -> datetime:
        return self.clock.now()

    def notify_case_changed(self, case_id: int, *, skip: object | None = None) -> None:
        """skip: a hook whose work is already done (a new case's timer written with its INSERT)."""
        for hook in self.case_changed:
            if hook is not skip:
                hook(case_id)

    def notify_cases_changed(self, case_ids: list[int], *, skip: object | None = None) -> None:
        """Many cases at once (imports): a CaseHook gets one bulk call, other hooks one call per case."""
        for hook in self.case_changed:
            if hook is skip:
                continue
            if isinstance(hook, CaseHook):
                hook.many(case_ids)
            else:
                for case_id in case_ids:
                    hook(case_id)

    def audit(self, action: str, target: str = "", detail: str = "") -> None:
        """Append to the audit trail. target: ids like 'case:12' or 'subject:3'; never personal data.
        Inside a write transaction the entry is part of it. Outside one (the audit of a read: a
        view, a list, the unlock) it is written now if the store is free, else queued and written
        before this process's next entry or at close, so a read never waits for another process's
        import; entries queued earlier go first, in the same transaction."""
        if not self.vault.in_transaction:
            self.audit_soon(action, target, detail)
            return
        self._append([*self.pending_audit, (action, target, detail)])

    def _append(self, entries: list[tuple[str, str, str]]) -> None:
        self.audit_repo.append_many(self.now(), self.staff, entries)
        self.pending_audit.clear()

    def audit_soon(self, action: str, target: str = "", detail: str = "") -> None:
        """Append now if the store is free, else queue the entry (written before this process's
        next entry, or by flush_audit at close): a read must not wait for another process's
        import to finish before it can start (the unlock entry)."""
        try:
            with self.vault.transaction(wait=0):
                self._append([*self.pending_audit, (action, target, detail)])
        except (StoreBusy, StoreFull) as exc:
            why = "busy" if isinstance(exc, StoreBusy) else "disk_full"
            self.pending_audit.append((action, target, detail + (";" if detail else "") + f"deferred={why}"))

    def flush_audit(self) -> None:
        """Write queued entries, waiting for the store like any writer (StoreBusy if it gives up)."""
        if self.pending_audit:
            self._append(list(self.pending_audit))
