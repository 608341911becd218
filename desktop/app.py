"""The composition root: builds the repositories of one open store once, then the typed services,
and the store session (services/session.py) with the factories it needs.

Nothing below it imports it: services get what they need handed in. The GUI (ui/shell/launch.py)
and the CLI (commands/common.py) start here.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.clock import Clock, SystemClock
from desktop.errors import WrongKeyError
from desktop.services.audit import AuditService
from desktop.services.cases import CaseService
from desktop.services.container import Services
from desktop.services.context import CaseHook, Context, Repositories
from desktop.services.erasure_record import ErasureRecordService
from desktop.services.intake import IntakeService
from desktop.services.requests import RequestService
from desktop.services.retention import RetentionService
from desktop.services.settings import SettingsService
from desktop.store.audit_repo import AuditRepo
from desktop.store.bulk import IntakeWriter
from desktop.store.cases_repo import CaseRepo
from desktop.store.drafts_repo import DraftRepo
from desktop.store.erasure_repo import ErasureRepo
from desktop.store.import_repo import ImportRepo
from desktop.store.keys import Key
from desktop.store.mail_repo import MailRepo
from desktop.store.requests_repo import RequestRepo
from desktop.store.retention_repo import RetentionRepo
from desktop.store.rights_repo import RightsRepo
from desktop.store.settings_repo import SettingsRepo
from desktop.store.store_lock import StoreLock
from desktop.store.subjects_repo import SubjectRepo
from desktop.store.vault import Vault

if TYPE_CHECKING:
    from desktop.services.session import StoreSession

ENV_STAFF = "HELPDESK_INTAKE_STAFF"

__all__ = ["Services", "build_services", "create_services", "default_staff", "open_services", "session"]


def default_staff() -> str:
    name = os.environ.get(ENV_STAFF)
    if name and name.strip():
        return name.strip()[:80]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def build_repositories(vault: Vault) -> Repositories:
    """The SQLCipher backend's repositories (store/), one of each. A second backend goes here."""
    return Repositories(cases=CaseRepo(vault), subjects=SubjectRepo(vault), audit=AuditRepo(vault),
                        settings=SettingsRepo(vault), requests=RequestRepo(vault), rights=RightsRepo(vault),
                        retention=RetentionRepo(vault), intake_writer=IntakeWriter(vault),
                        erasures=ErasureRepo(vault), imports=ImportRepo(vault), mail=MailRepo(vault),
                        drafts=DraftRepo(vault))


def build_context(vault: Vault, *, clock: Clock | None = None, staff: str | None = None) -> Context:
    return Context(vault=vault, clock=clock or SystemClock(), staff=staff or default_staff(),
                   repos=build_repositories(vault))


def build_services(vault: Vault, *, clock: Clock | None = None, staff: str | None = None) -> Services:
    ctx = build_context(vault, clock=clock, staff=staff)
    settings = SettingsService(ctx)
    retention = RetentionService(ctx, settings)
    # every create/edit/status change keeps its timer current; a new case gets its timer in its
    # INSERT (intake is handed this hook, the first one, and skips it for the cases it inserts)
    timers = CaseHook(retention.refresh, retention.refresh_many, new_case_rules=retention.rules)
    ctx.case_changed.append(timers)
    return Services(ctx=ctx, settings=settings, intake=IntakeService(ctx, settings, timers=timers),
                    cases=CaseService(ctx, settings), requests=RequestService(ctx, settings),
                    retention=retention, audit=AuditService(ctx), erasures=ErasureRecordService(ctx),
                    lazy=LAZY_SERVICES)


# The services a session may never use, built on first use (Services.lazy): a window that makes no
# report or backup never loads their modules (the window's peak memory, docs/bench.md).
def _rights(s: Services):
    from desktop.services.rights import RightsService

    ctx = s.ctx
    return RightsService(ctx, s.settings, s.requests, s.cases, s.erasures,
                         copy_context=lambda copy: build_context(copy, clock=ctx.clock, staff=ctx.staff))


def _dossier(s: Services):
    from desktop.services.dossier import DossierService

    return DossierService(s.ctx, s.settings)


def _reports(s: Services):
    from desktop.services.reporting import ReportService

    return ReportService(s.ctx, s.settings, s.dossier)


def _importer(s: Services):
    from desktop.services.importer import ImportService

    return ImportService(s.intake)


def _keys(s: Services):
    from desktop.services.keys_service import KeyService

    return KeyService(s.ctx)


def _backup(s: Services):
    from desktop.services.backup_service import BackupService

    return BackupService(s.ctx)


def _demo(s: Services):
    from desktop.services.demo import DemoService

    return DemoService(s.ctx, s.intake, s.requests)


def _drafts(s: Services):
    from desktop.services.drafts import DraftService

    return DraftService(s.ctx)


LAZY_SERVICES = {"rights": _rights, "dossier": _dossier, "reports": _reports, "importer": _importer,
                 "keys": _keys, "backup": _backup, "demo": _demo, "drafts": _drafts}


def open_services(path: Path, key: Key, *, clock: Clock | None = None, staff: str | None = None,
                  failed_unlocks: int = 0, verify_pages: bool = True, in_use: StoreLock | None = None,
                  vault: Vault | None = None) -> Services:
    """failed_unlocks: wrong keys tried by this process since its last unlock (written to the trail).

    Pages are verified on open (StoreDamaged names the latest backup) unless verify_pages is False:
    the GUI passes False and checks them in the background once its window shows (Vault.
    page_problems_detached, ui/shell/lock_controller.py), so a big store does not hold up the unlock.
    A key left pending by an interrupted key rotation is tried when the given key fails
    (store/key_rotation.py). in_use: the store's in-use lock when the caller holds it already (a
    restore, exclusive: store/store_lock.py); else the vault takes it shared. vault: the store already
    opened with this key (services/session.py open_early, in the CLI's early open), used as it is."""
    if vault is None:
        try:
            vault = Vault.open(path, key, verify_pages=verify_pages, in_use=in_use)
        except WrongKeyError as exc:
            from desktop.store.key_rotation import open_with_pending_key

            vault, key = open_with_pending_key(path, exc, verify_pages=verify_pages, in_use=in_use)
    try:
        services = build_services(vault, clock=clock, staff=staff)
        if failed_unlocks > 0:
            services.ctx.audit("store.unlock_failed", "store", f"count={int(failed_unlocks)}")
        services.ctx.audit("store.unlock", "store", f"key={key.kind}")  # queued while another process writes
        return services
    except BaseException:
        vault.close()
        raise


def create_services(path: Path, key: Key, *, clock: Clock | None = None, staff: str | None = None) -> Services:
    vault = Vault.create(path, key)
    services = build_services(vault, clock=clock, staff=staff)
    services.ctx.audit("store.create", "store", f"key={key.kind}")
    return services


def sweep_child_main(argv: list[str]) -> int:
    """The window's retention sweep in a child process (store/sweep_process.py): the key, the as-of
    time, the parent's time and the staff name on stdin, the store path as the argument. Opens the
    store without an unlock entry (the window's session already wrote one), sweeps as `sweep` does
    (its own audit entries), prints the counts as JSON (or {"error": message}) and exits."""
    import json
    import sys

    from desktop import disable_core_dumps, run_in_background
    from desktop.domain.clock import ShiftedClock
    from desktop.errors import StoreError
    from desktop.store.sweep_process import read_request

    disable_core_dumps()
    run_in_background()
    try:
        key, as_of, now, staff = read_request(sys.stdin.readline())
        path = Path(argv[0])
    except (ValueError, IndexError):
        print("usage: the request as JSON on stdin, the store path as the argument", file=sys.stderr)
        return 2
    try:
        services = build_services(Vault.open(path, key, verify_pages=False),
                                  clock=ShiftedClock.matching(SystemClock(), now), staff=staff)
        with services:
            answer = services.retention.sweep(as_of).outcome().to_json()
    except StoreError as exc:
        answer = {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one line for the window's status bar, no traceback
        answer = {"error": f"the sweep failed ({type(exc).__name__})"}
    print(json.dumps(answer), flush=True)
    return 0


def session(*, clock: Clock | None = None) -> StoreSession:
    """The door to create, unlock, open, rekey and restore stores, over this root's factories."""
    from desktop.services.session import StoreSession

    return StoreSession(open_services=open_services, create_services=create_services,
                        clock=clock or SystemClock(), default_staff=default_staff)
