"""The audit trail as staff and admins see it: verify the chain, filter entries, export to CSV.

Entries hold ids, action names and policy names only, never personal data, so listing and
exporting them needs no redaction. Failed unlock attempts cannot be written while the store is
locked (writing needs the key); UnlockAttempts counts them in memory and the count is written at
the next successful unlock of the same process (see docs/security.md).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from desktop.domain.audit import ChainBreak, verify_trail
from desktop.domain.clock import to_iso
from desktop.domain.models import AuditEntry
from desktop.services.context import Context

CSV_COLUMNS = ("id", "at", "staff", "action", "target", "detail", "prev_hash", "hash")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CASE_RANGE = re.compile(r"^case:(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class VerifyResult:
    count: int
    head: str  # hash of the last entry ("" for an empty trail)
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def message(self) -> str:
        if self.broken is None:
            return f"audit trail intact: {self.count} entries (head {self.head[:16] or '-'})"
        return f"audit trail broken at entry {self.broken.entry_id}: {self.broken.reason}"


@dataclass
class UnlockAttempts:
    """Failed unlocks since the last successful one, kept in memory by the unlocking process
    (GUI unlock dialog, CLI prompt). Pass `pending()` to app.open_services, then `clear()`."""

    failures: list[datetime] = field(default_factory=list)

    def failed(self, at: datetime) -> None:
        self.failures.append(at)

    def pending(self) -> int:
        return len(self.failures)

    def clear(self) -> None:
        self.failures.clear()


def target_mentions_case(target: str, case_id: int) -> bool:
    """True when an entry's target names the case: 'case:12', 'case:12,subject:3', 'case:10-14'."""
    for part in target.split(","):
        m = _CASE_RANGE.match(part.strip())
        if m:
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            if lo <= case_id <= hi:
                return True
    return False


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class AuditService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def verify(self) -> VerifyResult:
        rows, head = self.ctx.audit_repo.snapshot()
        broken = verify_trail(rows, head)
        return VerifyResult(len(rows), rows[-1][7] if rows else "", broken)

    def actions(self) -> list[str]:
        return self.ctx.audit_repo.actions()

    def entries(self, *, action: str | None = None, case_id: int | None = None, target: str | None = None,
                since: datetime | None = None, until: datetime | None = None,
                limit: int = 10_000) -> list[AuditEntry]:
        """Newest first. since is inclusive, until exclusive; case_id also matches import ranges."""
        fetch = limit if case_id is None else 1_000_000
        rows = self.ctx.audit_repo.entries(action=action or None, target=target or None,
                                           since=to_iso(since), until=to_iso(until), limit=fetch)
        if case_id is not None:
            rows = [e for e in rows if target_mentions_case(e.target, case_id)]
        return rows[:limit]

    def export(self, path: Path, **filters: object) -> int:
        """Write the (filtered) entries to CSV, oldest first; returns the number written.

        The file holds ids, actions and staff names only. Refuses to overwrite an existing file.
        """
        entries = list(reversed(self.entries(**filters)))  # type: ignore[arg-type]
        path = Path(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for e in entries:
                writer.writerow([csv_cell(v) for v in (e.id, to_iso(e.at), e.staff, e.action, e.target,
                                                       e.detail, e.prev_hash, e.hash)])
        self.ctx.audit("audit.export", "audit", f"count={len(entries)}")
        return len(entries)
