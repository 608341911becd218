"""Services: every use case over one open store, built once by the composition root (desktop/app.py).

The one object ui/ and commands/ hold. A context manager: `with open_services(...) as s:` closes
the store on the way out. What callers above services need of the open store (its path, the
clock's now, who is working, page checks, locking) is asked here, never through a repository or
the vault."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from desktop.domain.clock import Clock
from desktop.domain.retention import SweepOutcome
from desktop.errors import StoreError, StoreFull
from desktop.services.audit import AuditService
from desktop.services.backup_service import BackupService
from desktop.services.cases import CaseService
from desktop.services.context import Context
from desktop.services.demo import DemoService
from desktop.services.dossier import DossierService
from desktop.services.drafts import DraftService
from desktop.services.erasure_record import ErasureRecordService
from desktop.services.importer import ImportService
from desktop.services.intake import IntakeService
from desktop.services.keys_service import KeyService
from desktop.services.reporting import ReportService
from desktop.services.requests import RequestService
from desktop.services.retention import RetentionService
from desktop.services.rights import RightsService
from desktop.services.settings import SettingsService

log = logging.getLogger(__name__)


@dataclass
class Services:
    ctx: Context
    settings: SettingsService
    intake: IntakeService
    cases: CaseService
    importer: ImportService
    requests: RequestService
    rights: RightsService
    dossier: DossierService
    reports: ReportService
    retention: RetentionService
    audit: AuditService
    keys: KeyService
    backup: BackupService
    demo: DemoService
    erasures: ErasureRecordService
    drafts: DraftService
    # one finish at a time: the window closes a locked store on a worker thread while the app may quit
    _finishing: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def form_import(self):  # -> FormImportService (web-form exports; built on demand)
        from desktop.services.form_import import FormImportService

        # rows of people erased on request are held: the keyed erasure record (issue 13)
        return FormImportService(self.intake, self.settings, self.erasures)

    # ---- the open store, for the layers above services ------------------------------------------
    @property
    def vault(self):  # -> VaultPort; for services' tests and the composition root only
        return self.ctx.vault

    @property
    def path(self) -> Path:
        return Path(self.ctx.vault.path)

    @property
    def is_open(self) -> bool:
        return bool(getattr(self.ctx.vault, "is_open", True))

    @property
    def key_kind(self) -> str:
        """"raw" (a key kept in the OS keyring) or "passphrase"."""
        return self.ctx.vault.key_kind

    @property
    def staff(self) -> str:
        return self.ctx.staff

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    def now(self) -> datetime:
        return self.ctx.now()

    def integrity_problems(self) -> list[str]:
        """SQLCipher's page check and SQLite's integrity check of the open store (slow: off the GUI thread)."""
        return self.ctx.vault.integrity_problems()

    def data_version(self) -> int:
        """A number that changes when another process commits to the store (PRAGMA data_version)."""
        return self.ctx.vault.data_version()

    def limit_page_cache(self, kib: int) -> None:
        """A smaller page cache for this session's connection (the window's: its peak memory)."""
        self.ctx.vault.pragma("cache_size", -max(int(kib), 64))  # negative: KiB, not pages

    def page_problems_in_child(self) -> list[str]:
        """Every page's HMAC checked in a child process (store/page_check.py)."""
        return self.ctx.vault.page_problems_in_child()

    def sweep_in_child(self, as_of: datetime | None = None) -> SweepOutcome:
        """The retention sweep as of `as_of` (default: now) in a child process (store/sweep_process.py),
        so this process's connection never waits for it and its memory never holds the sweep's
        cache; in this process when no child can run. Raises StoreError as a sweep does."""
        from desktop.store.sweep_process import SweepChildUnavailable, sweep_in_child

        as_of = as_of or self.now()
        opened = self.ctx.vault.for_child()
        if opened is None:
            raise StoreError("the store is locked")
        try:
            answer = sweep_in_child(*opened, as_of=as_of, now=self.now(), staff=self.staff)
        except SweepChildUnavailable as exc:
            log.warning("%s; sweeping in this process", exc)
            return self.retention.sweep(as_of).outcome()
        return SweepOutcome.from_json(answer)

    def lock(self, reason: str) -> None:
        """Write "store.lock" to the trail and close the store (closed even when the entry fails)."""
        try:
            self.ctx.audit("store.lock", "store", f"reason={reason}")
        except Exception as exc:  # noqa: BLE001 - lock anyway
            log.warning("lock could not be audited: %s", type(exc).__name__)
        self.close()

    # Set by the CLI: called with finish() instead of finishing at close() when audit entries
    # of reads are still queued (another process is writing), so the command's output comes first
    # and the wait for the write lock after it (commands/common.finish_deferred).
    after_output: Callable[[Callable[[], None]], None] | None = None

    def close(self) -> None:
        if self.is_open and self.ctx.pending_audit and self.after_output is not None:
            self.after_output(self.finish)
            return
        self.finish()

    def finish(self) -> None:
        """Write the queued audit entries (waiting for the store; StoreBusy if it gives up), close.
        A second caller (another thread) waits for the first and finds the store closed."""
        with self._finishing:
            try:
                if self.is_open:
                    self.ctx.flush_audit()
            except StoreFull:  # what was read or backed up stands; say what the trail lacks
                logging.getLogger("desktop.store").warning(
                    "the disk holding the store is full: %d audit entr(ies) of this command could not be written",
                    len(self.ctx.pending_audit))
            finally:
                self.ctx.vault.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
