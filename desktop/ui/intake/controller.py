"""Intake form behaviour without a window: per-field checks, dirty tracking, submit and its outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.domain import validation as v
from desktop.domain.models import Category, Channel
from desktop.errors import RefusedError
from desktop.services.settings import Notice
from desktop.ui.widgets.messages import user_message

TEXT_FIELDS = ("name", "email", "phone", "description", "technical_details")
# Form keys in the order a person fills them; ValidationError keys map onto these.
FORM_KEYS = ("name", "email", "phone", "category", "description", "technical_details", "channel",
             "notice", "marketing", "age")


@dataclass
class SubmitOutcome:
    ok: bool
    case_id: int | None = None
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def empty_values() -> dict[str, object]:
    return {
        "name": "", "email": "", "phone": "", "category": "", "description": "",
        "technical_details": "", "channel": Channel.EMAIL.value,
        "notice_acknowledged": False, "marketing_consent": False, "not_a_child": False,
    }


class IntakeController:
    def __init__(self, services) -> None:
        self.services = services
        self.extra: dict[str, object] = {}  # values without a form field (a mail's received time)

    # ---- what the form shows --------------------------------------------------------------------
    @staticmethod
    def categories() -> list[tuple[str, str]]:
        return [(c.value, c.label) for c in Category]

    @staticmethod
    def channels() -> list[tuple[str, str]]:
        return [(c.value, c.label) for c in Channel]

    @property
    def phone_region(self) -> str:
        return self.services.settings.phone_region

    def notice(self) -> Notice:
        """The organisation's current privacy notice, which the person must be shown."""
        return self.services.settings.notice()

    max_description = v.MAX_DESCRIPTION

    # ---- checks ---------------------------------------------------------------------------------
    def check(self, key: str, value: object) -> str | None:
        """The inline message for one field, None when it is fine."""
        text = "" if value is None else str(value)
        if key == "name":
            return v.check_name(text).error
        if key == "email":
            return v.check_email(text).error
        if key == "phone":
            return v.check_phone(text, self.phone_region).error
        if key == "category":
            return v.check_category(text).error
        if key == "description":
            return v.check_description(text).error
        if key == "technical_details":
            return v.check_technical(text).error
        if key == "channel":
            return v.check_channel(text).error
        return None

    def warning(self, key: str, value: object) -> str | None:
        """A caution for a value that is accepted (a phone number in no known range), else None."""
        if key == "phone":
            return v.check_phone("" if value is None else str(value), self.phone_region).warning
        return None

    @staticmethod
    def is_dirty(values: dict[str, object]) -> bool:
        blank = empty_values()
        for key, value in values.items():
            if key == "channel":
                continue  # a default, not something the person typed
            if isinstance(value, str):
                if value.strip() and value != blank.get(key):
                    return True
            elif value and value != blank.get(key):
                return True
        return False

    # ---- saving ---------------------------------------------------------------------------------
    def submit(self, values: dict[str, object]) -> SubmitOutcome:
        try:
            result = self.services.intake.submit({**values, **self.extra}, source="form")
        except v.ValidationError as exc:
            errors = dict(exc.errors)
            if "age" in errors:
                message = "Not saved: " + errors["age"]
                if len(errors) > 1:
                    message += " Also correct the fields marked in red."
            else:
                message = "Not saved: please correct the fields marked in red."
            return SubmitOutcome(False, errors=errors, message=message)
        except RefusedError as exc:
            return SubmitOutcome(False, message=f"Not saved: {exc}.")
        except Exception as exc:  # store failure: one line, form kept
            return SubmitOutcome(False, message="Not saved: " + user_message(exc))
        message = f"Case {result.case_id} saved"
        if result.repeat_contact:
            message += " (repeat contact: linked to this person's earlier cases)"
        caution = self.warning("phone", values.get("phone"))
        if caution:
            message += ". Phone number kept, but: " + caution[0].lower() + caution[1:].rstrip(".")
        return SubmitOutcome(True, case_id=result.case_id, message=message + ".")
