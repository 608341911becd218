"""The composition root for everything below the UI: open the store, build the services.

The GUI (desktop/ui/shell/launch.py) and the CLI both call this; nothing else constructs services.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.clock import Clock, SystemClock
from desktop.errors import WrongKeyError
from desktop.services.cases import CaseService
from desktop.services.context import CaseHook, Context
from desktop.services.dossier import DossierService
from desktop.services.erasure_record import ErasureRecordService
from desktop.services.importer import ImportService
from desktop.services.intake import IntakeService
from desktop.services.reporting import ReportService
from desktop.services.requests import RequestService
from desktop.services.retention import RetentionService
from desktop.services.rights import RightsService
from desktop.services.settings import SettingsService
from desktop.store.keys import Key
from desktop.store.vault import Vault

ENV_STAFF = "HELPDESK_INTAKE_STAFF"


def default_staff() -> str:
    name = os.environ.get(ENV_STAFF)
    if name and name.strip():
        return name.strip()[:80]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


@dataclass
class Services:
    ctx: Context
    settings: SettingsService
    intake: IntakeService
    cases: CaseService
    importer: ImportService
    requests: RequestService = None  # type: ignore[assignment]  # set by build_services
    rights: RightsService = None  # type: ignore[assignment]
    dossier: DossierService = None  # type: ignore[assignment]
    reports: ReportService = None  # type: ignore[assignment]
    retention: RetentionService = None  # type: ignore[assignment]
    erasures: ErasureRecordService = None  # type: ignore[assignment]

    @property
    def vault(self) -> Vault:
        return self.ctx.vault

    @property
    def audit(self):  # -> AuditService (stateless; built on demand)
        from desktop.services.audit import AuditService

        return AuditService(self.ctx)

    def close(self) -> None:
        self.ctx.vault.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def build_services(vault: Vault, *, clock: Clock | None = None, staff: str | None = None) -> Services:
    ctx = Context(vault=vault, clock=clock or SystemClock(), staff=staff or default_staff())
    settings = SettingsService(ctx)
    intake = IntakeService(ctx, settings)
    cases = CaseService(ctx, settings)
    importer = ImportService(intake)
    requests = RequestService(ctx, settings)
    erasures = ErasureRecordService(ctx)
    rights = RightsService(ctx, settings, requests, cases, erasures)
    dossier = DossierService(ctx, settings)
    reports = ReportService(ctx, settings, dossier)
    retention = RetentionService(ctx, settings)
    # every create/edit/status change keeps its timer current; a new case gets its timer in its INSERT
    ctx.case_changed.append(CaseHook(retention.refresh, retention.refresh_many, new_case_rules=retention.rules))
    return Services(ctx=ctx, settings=settings, intake=intake, cases=cases, importer=importer,
                    requests=requests, rights=rights, dossier=dossier, reports=reports, retention=retention,
                    erasures=erasures)


def open_services(path: Path, key: Key, *, clock: Clock | None = None, staff: str | None = None,
                  failed_unlocks: int = 0, verify_pages: bool = True) -> Services:
    """failed_unlocks: wrong keys tried by this process since its last unlock (written to the trail).

    Pages are verified on open (StoreDamaged names the latest backup) unless verify_pages is False:
    the GUI passes False and checks them in the background once its window shows (Vault.
    page_problems_detached, ui/shell/lock_controller.py), so a big store does not hold up the unlock.
    A key left pending by an interrupted key rotation is tried when the given key fails
    (store/key_rotation.py)."""
    try:
        vault = Vault.open(path, key, verify_pages=verify_pages)
    except WrongKeyError as exc:
        from desktop.store.key_rotation import open_with_pending_key

        vault, key = open_with_pending_key(path, exc, verify_pages=verify_pages)
    try:
        services = build_services(vault, clock=clock, staff=staff)
        if failed_unlocks > 0:
            services.ctx.audit("store.unlock_failed", "store", f"count={int(failed_unlocks)}")
        services.ctx.audit("store.unlock", "store", f"key={key.kind}")
        return services
    except BaseException:
        vault.close()
        raise


def create_services(path: Path, key: Key, *, clock: Clock | None = None, staff: str | None = None) -> Services:
    vault = Vault.create(path, key)
    services = build_services(vault, clock=clock, staff=staff)
    services.ctx.audit("store.create", "store", f"key={key.kind}")
    return services
