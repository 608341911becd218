"""Case detail behaviour without a window: load, rectify, status workflow, notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop.domain import validation as v
from desktop.domain.models import EDITABLE_FIELDS, TRANSITIONS, Case, Consent, Status
from desktop.errors import RefusedError
from desktop.services.cases import CaseDetail
from desktop.ui.widgets.messages import user_message


def when(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value[:16].replace("T", " ") + " UTC"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def transition_label(current: Status, target: Status) -> str:
    if target == Status.WAITING:
        return "Waiting on customer"
    if target == Status.RESOLVED:
        return "Resolve"
    if target == Status.CLOSED:
        return "Close case"
    return "Back to open" if current == Status.WAITING else "Reopen"


@dataclass
class ActionOutcome:
    ok: bool
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def case_values(case: Case, phone_region: str | None = None) -> dict[str, str]:
    """The editable fields as the form shows them; with a region, the phone in the agent's format
    (national for that region's numbers, '020 7946 0018'; international otherwise). Saving reads
    it back in the same region, so an untouched phone is no change."""
    out = {}
    for name in EDITABLE_FIELDS:
        value = getattr(case, name)
        out[name] = "" if value is None else str(getattr(value, "value", value))
    if phone_region and out["phone"] and not case.phone_unchecked:  # an unchecked phone: as typed
        out["phone"] = v.phone_for_display(out["phone"], phone_region)
    return out


class CaseDetailController:
    ORDER = (Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED)

    def __init__(self, services, case_id: int) -> None:
        self.services = services
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self.consents: list[Consent] = []

    def load(self) -> CaseDetail:
        """Read the case (audited as a view by the service) with its notes, history and consents."""
        self.detail = self.services.cases.detail(self.case_id)
        self._load_consents()
        return self.detail

    def refresh(self) -> CaseDetail:
        """Re-read after our own change (already audited as that change, so not audited as a view)."""
        self.detail = self.services.cases.reread(self.case_id)
        self._load_consents()
        return self.detail

    def _load_consents(self) -> None:
        subject = self.detail.subject if self.detail else None
        self.consents = self.services.cases.consents(subject.id) if subject else []

    @property
    def case(self) -> Case:
        assert self.detail is not None
        return self.detail.case

    def read_only_reason(self) -> str | None:
        d = self.detail
        assert d is not None
        if d.case.anonymised:
            return "This case has been anonymised; it can no longer be changed."
        if d.subject is not None and d.subject.restricted:
            return "Processing of this person's data is restricted; the case is read-only."
        return None

    def hold_reason(self) -> str | None:
        d = self.detail
        assert d is not None
        if d.case.legal_hold_reason:
            return d.case.legal_hold_reason
        if d.subject is not None and d.subject.on_hold:
            return d.subject.legal_hold_reason
        return None

    def shown_values(self) -> dict[str, str]:
        """The case's editable fields as the form shows them (phone in the default region's format)."""
        return case_values(self.case, self.services.settings.phone_region)

    def transitions(self) -> list[Status]:
        allowed = TRANSITIONS[self.case.status]
        return [s for s in self.ORDER if s in allowed]

    # ---- actions --------------------------------------------------------------------------------
    def save(self, values: dict[str, str]) -> ActionOutcome:
        current = self.shown_values()
        changes = {k: val for k, val in values.items() if k in current and val != current[k]}
        if not changes:
            return ActionOutcome(True, "Nothing to save: no field was changed.")
        try:
            changed = self.services.cases.rectify(self.case_id, changes)
        except v.ValidationError as exc:
            return ActionOutcome(False, "Not saved: please correct the fields marked in red.", dict(exc.errors))
        except RefusedError as exc:
            return ActionOutcome(False, f"Not saved: {exc}.")
        except Exception as exc:
            return ActionOutcome(False, "Not saved: " + user_message(exc))
        self.refresh()
        if not changed:
            return ActionOutcome(True, "Nothing changed after normalising the values.")
        return ActionOutcome(True, "Saved: " + ", ".join(f.replace("_", " ") for f in changed) + "."
                             + self.phone_caution(changes))

    def phone_caution(self, changes: dict[str, str]) -> str:
        """' Phone number kept, but: check …' when a corrected phone is in no known range."""
        if "phone" not in changes:
            return ""
        caution = v.check_phone(changes["phone"], self.services.settings.phone_region).warning
        return f" Phone number kept, but: {caution[0].lower()}{caution[1:]}" if caution else ""

    def set_status(self, status: Status, resolution: str | None = None) -> ActionOutcome:
        try:
            self.services.cases.set_status(self.case_id, status, resolution=resolution)
        except (RefusedError, v.ValidationError) as exc:
            return ActionOutcome(False, f"Not changed: {exc}.")
        except Exception as exc:
            return ActionOutcome(False, "Not changed: " + user_message(exc))
        self.refresh()
        return ActionOutcome(True, f"Status is now {status.label}.")

    def add_note(self, body: str) -> ActionOutcome:
        try:
            self.services.cases.add_note(self.case_id, body)
        except v.ValidationError as exc:
            return ActionOutcome(False, "; ".join(exc.errors.values()), dict(exc.errors))
        except RefusedError as exc:
            return ActionOutcome(False, f"Not added: {exc}.")
        except Exception as exc:
            return ActionOutcome(False, "Not added: " + user_message(exc))
        self.refresh()
        return ActionOutcome(True, "Note added.")
