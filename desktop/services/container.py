"""Services: every use case over one open store, built once by the composition root (desktop/app.py).

The one object ui/ and commands/ hold. A context manager: `with open_services(...) as s:` closes
the store on the way out. What callers above services need of the open store (its path, the
clock's now, who is working, page checks, locking) is asked here, never through a repository or
the vault."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.clock import Clock
from desktop.domain.retention import SweepOutcome
from desktop.errors import StoreError, StoreFull
from desktop.services.audit import AuditService
from desktop.services.cases import CaseService
from desktop.services.context import Context
from desktop.services.erasure_record import ErasureRecordService
from desktop.services.intake import IntakeService
from desktop.services.requests import RequestService
from desktop.services.retention import RetentionService
from desktop.services.settings import SettingsService

if TYPE_CHECKING:  # built on first use (Services.lazy): their modules load then
    from desktop.services.backup_service import BackupService
    from desktop.services.demo import DemoService
    from desktop.services.dossier import DossierService
    from desktop.services.drafts import DraftService
    from desktop.services.importer import ImportService
    from desktop.services.keys_service import KeyService
    from desktop.services.reporting import ReportService
    from desktop.services.rights import RightsService

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The services every session uses are built with it; the others (rights, reports, import,
    backup, keys, demo, drafts) are built by their factory in `lazy` on first use, so a window that
    never makes a report never loads the report code (issue 17: the window's peak memory)."""

    ctx: Context
    settings: SettingsService
    intake: IntakeService
    cases: CaseService
    requests: RequestService
    retention: RetentionService
    audit: AuditService
    erasures: ErasureRecordService
    # name -> factory(services), from the composition root (desktop/app.py LAZY_SERVICES)
    lazy: Mapping[str, Callable[[Services], object]] = field(default_factory=dict, repr=False, compare=False)
    _built: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    _building: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    # one finish at a time: the window closes a locked store on a worker thread while the app may quit
    _finishing: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def _service(self, name: str):
        """The service `name`, built once (by any thread: one builds, the others wait for it)."""
        built = self._built.get(name)
        if built is None:
            with self._building:
                built = self._built.get(name)
                if built is None:
                    built = self._built[name] = self.lazy[name](self)
        return built

    @property
    def importer(self) -> ImportService:
        return self._service("importer")

    @property
    def rights(self) -> RightsService:
        return self._service("rights")

    @property
    def dossier(self) -> DossierService:
        return self._service("dossier")

    @property
    def reports(self) -> ReportService:
        return self._service("reports")

    @property
    def keys(self) -> KeyService:
        return self._service("keys")

    @property
    def backup(self) -> BackupService:
        return self._service("backup")

    @property
    def demo(self) -> DemoService:
        return self._service("demo")

    @property
    def drafts(self) -> DraftService:
        return self._service("drafts")

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
