"""What a sweep does: the planned actions and the report of one run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from desktop.domain.retention.policies import WHAT_TEXT
from desktop.domain.retention.schedule import PlannedRemoval


@dataclass(frozen=True)
class PlannedAction:
    """One removal a sweep makes. kind: case | consent | request | subject."""

    kind: str
    target_id: int
    what: str  # case, phone, technical_details, consent_proof, request_record, data_subject
    action: str  # delete | anonymise | remove_field
    policy_id: str
    policy_label: str
    due: date
    reason: str

    @property
    def target(self) -> str:
        return f"{self.kind}:{self.target_id}"

    @property
    def key(self) -> tuple:
        return (self.kind, self.target_id, self.what, self.action, self.policy_id)

    @property
    def text(self) -> str:
        phrase = WHAT_TEXT.get((self.what, self.action), f"{self.what} {self.action}")
        return f"{self.target}: {phrase} (due {self.due.isoformat()}, policy: {self.policy_label})"

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.target_id, "what": self.what, "action": self.action,
                "policy": self.policy_id, "policy_label": self.policy_label, "due": self.due.isoformat(),
                "reason": self.reason}

    @classmethod
    def from_removal(cls, kind: str, target_id: int, item: PlannedRemoval) -> PlannedAction:
        return cls(kind, target_id, item.what, item.action, item.policy_id, item.policy_label, item.due,
                   item.reason)


@dataclass
class SweepReport:
    as_of: datetime
    done: list[PlannedAction] = field(default_factory=list)
    skipped: list[PlannedAction] = field(default_factory=list)  # changed since planning (e.g. a new hold)
    failed: list[int] = field(default_factory=list)  # case ids whose removal failed and was rolled back
    compacted: bool = False

    @property
    def removed(self) -> int:
        return len(self.done)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    def outcome(self) -> SweepOutcome:
        """What the window needs of this sweep (counts only: a child process hands this back)."""
        return SweepOutcome(self.as_of, self.removed, self.skipped_count, len(self.failed), self.compacted)

    def count(self, kind: str, what: str | None = None) -> int:
        return sum(1 for a in self.done if a.kind == kind and (what is None or a.what == what))

    @property
    def summary(self) -> str:
        cases = self.count("case", "case")
        fields = self.count("case") - cases
        return (f"{cases} case(s) deleted or anonymised, {fields} field(s) removed, "
                f"{self.count('consent')} consent proof(s), {self.count('request')} request record(s) and "
                f"{self.count('subject')} person record(s) deleted")


@dataclass(frozen=True)
class SweepOutcome:
    """The counts of a sweep run in a child process (the window's sweeps at unlock and every 15
    minutes): which actions were taken is in the audit trail, not handed back."""

    as_of: datetime
    removed: int
    skipped_count: int
    failed: int = 0
    compacted: bool = False

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "removed": self.removed, "skipped": self.skipped_count,
                "failed": self.failed, "compacted": self.compacted}

    @classmethod
    def from_json(cls, data: dict) -> SweepOutcome:
        return cls(datetime.fromisoformat(str(data["as_of"])), int(data["removed"]), int(data["skipped"]),
                   int(data.get("failed", 0)), bool(data.get("compacted", False)))
