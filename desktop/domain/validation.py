"""Validation and normalisation of intake input. No network look-ups."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.domain.models import Category, Channel, IntakeData

MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_TECHNICAL = 50_000
MAX_EMAIL = 254


class ValidationError(ValueError):
    """Raised with a dict of field -> message; str() is one readable line."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class FieldResult:
    value: object
    error: str | None = None
    warning: str | None = None  # accepted, but staff should check it with the person


# Unicode categories Cc (C0, DEL, C1 controls) and Cs (surrogates), as one regex: a per-character
# unicodedata.category() loop was a tenth of the time of a 100k-row import (docs/bench.md).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_NEWLINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")


def _has_forbidden_controls(text: str, allow_newlines: bool) -> bool:
    return (_CONTROLS_BUT_NEWLINES if allow_newlines else _CONTROLS).search(text) is not None


def check_name(raw: str | None) -> FieldResult:
    text = (raw or "").strip()
    if not text:
        return FieldResult(None, "Name is required.")
    if len(text) > MAX_NAME:
        return FieldResult(None, f"Name is too long (at most {MAX_NAME} characters).")
    if _has_forbidden_controls(text, allow_newlines=False):
        return FieldResult(None, "Name contains control characters.")
    return FieldResult(text)


# A plain ASCII address (letters, digits, . _ + - in the local part; letter/digit/hyphen labels and a
# letter-only top-level domain): email-validator accepts every such address, except on the special-use
# names below, and its normalised form is then the address with the domain lower-cased. Checked
# against email-validator for every address it matches (tests/domain/test_plain_email.py). About a
# tenth of email-validator's time, which was a third of an import's; anything else goes through it.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.ASCII)
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")  # email_validator's list
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in _SPECIAL_USE)


def _plain_email(text: str) -> str | None:
    """text lower-cased when it is a plain address email-validator would accept as it is, else None."""
    lowered = text.lower()
    if not _PLAIN_EMAIL.fullmatch(lowered):
        return None
    local, _, domain = lowered.rpartition("@")
    if len(local) > 64 or len(domain) > 253 or "--" in domain:  # "xn--" labels: email-validator decodes them
        return None
    if domain.rpartition(".")[2] in _SPECIAL_USE or domain.endswith(_SPECIAL_USE_SUFFIXES):
        return None
    return lowered


def check_email(raw: str | None) -> FieldResult:
    text = (raw or "").strip()
    if not text:
        return FieldResult(None, "Email address is required.")
    if len(text) > MAX_EMAIL:
        return FieldResult(None, "Email address is too long.")
    plain = _plain_email(text)
    if plain is not None:
        return FieldResult(plain)
    from email_validator import (  # imported when first needed (start time)
        EmailNotValidError,
        validate_email,
    )

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return FieldResult(None, f"Not a valid email address: {exc}")
    # Domain part is already lower-cased/IDNA-normalised; local parts are case-insensitive in practice.
    return FieldResult(result.normalized.lower())


_LETTERS = re.compile(r"[^\W\d_]")
# an extension written after the number ("ext. 12", "x12", "extension 12", "#12"): phonenumbers keeps it apart
_EXTENSION = re.compile(r"(?i)[\s,;]*(?:ext(?:ension)?\.?|x|#)\s*\d+\s*$")


def check_phone(raw: str | None, default_region: str) -> FieldResult:
    text = (raw or "").strip()
    if not text:
        return FieldResult(None)
    if _LETTERS.search(_EXTENSION.sub("", text)):
        # phonenumbers reads letters as a keypad spells them ("(work)" becomes 9675): a note
        # beside a number must never turn into digits of it
        return FieldResult(None, "Letters are not part of a phone number; put notes such as "
                                 "\"work\" or \"evenings\" in the description.")
    import phonenumbers  # imported when first needed (start time)

    try:
        number = phonenumbers.parse(text, (default_region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return FieldResult(None, "Not a phone number; include the country code, e.g. +44 20 7946 0000.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(number):
        return FieldResult(e164)
    if phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE:
        # full national length, but not in a range the metadata knows to be in use (new ranges,
        # drama numbers, ranges phonenumbers has not caught up with): keep it, and say so
        return FieldResult(e164, warning="Check this number with the person: it has the right length, but "
                                         "it is not in a number range known to be in use.")
    return FieldResult(None, "Not a valid phone number for its country (too short, too long or local only); "
                             "include the area code.")


def phone_for_display(e164: str | None, default_region: str) -> str:
    """A stored E.164 number as staff write it: national format for the default region's numbers
    ('020 7946 0018'), international format for others ('+1 202-555-0147'); '' for none; the
    stored text as it is when it is not a number phonenumbers can read."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = (default_region or "").upper()
    same = region and phonenumbers.region_code_for_number(number) == region
    if not same and region:  # e.g. a number of another region sharing the country code (+1, +44)
        same = number.country_code == phonenumbers.country_code_for_region(region) and not \
            phonenumbers.is_valid_number(number)
    kind = phonenumbers.PhoneNumberFormat.NATIONAL if same else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, kind)


def typed_phone_matches(typed: str, e164: str) -> bool:
    """Whether a phone kept as a web form's submitter typed it (unchecked) is this E.164 number:
    the same digits, or the national digits after a trunk or international prefix ("07911 123456"
    and "0044 7911 123456" are +447911123456). At least seven digits, so a fragment never matches."""
    digits = re.sub(r"\D", "", typed.replace("(0)", ""))  # "+44 (0)7911…": the trunk 0 in brackets
    number = re.sub(r"\D", "", e164)
    if not digits or not number:
        return False
    if digits == number:
        return True
    significant = digits.lstrip("0")
    return len(significant) >= 7 and number.endswith(significant)


def _lookup(members, *spellings) -> dict[str, object]:
    return {spelling(m): m for m in members for spelling in spellings}


# what a user may type for each category and channel (lower case) -> the member: built once, not an
# Enum walk per row (a 100k-row import checks both for every row)
_CATEGORIES = _lookup(Category, lambda c: c.value, lambda c: c.label.lower())
_CHANNELS = _lookup(Channel, lambda c: c.value, lambda c: c.label.lower().replace(" ", "_"))


def check_category(raw: str | None) -> FieldResult:
    text = (raw or "").strip()
    if not text:
        return FieldResult(None, "Choose the delivery-issue category.")
    cat = _CATEGORIES.get(text.lower())
    if cat is not None:
        return FieldResult(cat)
    choices = ", ".join(c.value for c in Category)
    return FieldResult(None, f"Unknown category {text[:40]!r}; use one of: {choices}.")


def check_channel(raw: str | None) -> FieldResult:
    text = (raw or "").strip()
    if not text:
        return FieldResult(Channel.EMAIL)
    ch = _CHANNELS.get(text.lower().replace(" ", "_").replace("-", "_"))
    if ch is not None:
        return FieldResult(ch)
    choices = ", ".join(c.value for c in Channel)
    return FieldResult(None, f"Unknown channel {text[:40]!r}; use one of: {choices}.")


def check_description(raw: str | None) -> FieldResult:
    text = (raw or "").strip()
    if not text:
        return FieldResult(None, "Describe the delivery issue.")
    if len(text) > MAX_DESCRIPTION:
        return FieldResult(None, f"Description is too long ({len(text)} of at most {MAX_DESCRIPTION} characters): "
                                 "a log, bounce or headers go in Technical details.")
    if _has_forbidden_controls(text, allow_newlines=True):
        return FieldResult(None, "Description contains control characters.")
    return FieldResult(text)


def check_technical(raw: str | None) -> FieldResult:
    text = (raw or "").strip("\n")
    if not text.strip():
        return FieldResult(None)
    if len(text) > MAX_TECHNICAL:
        return FieldResult(None, f"Technical details are too long (at most {MAX_TECHNICAL} characters).")
    if _NUL_OR_SURROGATE.search(text):
        return FieldResult(None, "Technical details contain NUL or invalid characters.")
    return FieldResult(text)


def _remembered(memo: dict | None, check, *args: str | None) -> FieldResult:
    """check(*args), looked up in memo first (results are immutable and depend on args alone)."""
    if memo is None:
        return check(*args)
    key = (check.__name__, *args)
    got = memo.get(key)
    if got is None:
        got = memo[key] = check(*args)
    return got


def validate_intake(
    raw: dict[str, object],
    *,
    default_region: str,
    now: datetime,
    notice_version: str,
    memo: dict | None = None,
) -> IntakeData:
    """Validate a raw form/CLI/import dict. Raises ValidationError naming every bad field.

    memo: a dict kept across the rows of one import, so an email address or phone number that
    comes again is checked once (email-validator and phonenumbers are most of a row's cost).

    Keys: name, email, phone, category, description, technical_details, channel, received_at
    (datetime or None), notice_acknowledged (bool), marketing_consent (bool),
    not_a_child (bool: the person confirmed they are 13 or older).
    """

    get = raw.get

    def s(key: str) -> str | None:
        value = get(key)
        return value if value is None or type(value) is str else str(value)

    checks = {
        "name": check_name(s("name")),
        "email": _remembered(memo, check_email, s("email")),
        "phone": _remembered(memo, check_phone, s("phone"), default_region),
        "category": _remembered(memo, check_category, s("category")),  # a handful of values an import
        "description": check_description(s("description")),
        "technical_details": check_technical(s("technical_details")),
        "channel": _remembered(memo, check_channel, s("channel")),  # repeats on every row
    }
    errors = {k: r.error for k, r in checks.items() if r.error}
    if not raw.get("notice_acknowledged", False):
        errors["notice"] = "The privacy notice must be shown and acknowledged."
    if not raw.get("not_a_child", False):
        errors["age"] = (
            "Confirm the person is 13 or older. If they are under 13, nothing may be stored: "
            "choose \u201cThe person is under 13\u201d."
        )
    received = raw.get("received_at") or now
    received_error = received_at_error(received, now)
    if received_error:
        errors["received_at"] = received_error
    if errors:
        raise ValidationError(errors)
    return IntakeData(
        name=checks["name"].value,  # type: ignore[arg-type]
        email=checks["email"].value,  # type: ignore[arg-type]
        phone=checks["phone"].value,  # type: ignore[arg-type]
        category=checks["category"].value,  # type: ignore[arg-type]
        description=checks["description"].value,  # type: ignore[arg-type]
        technical_details=checks["technical_details"].value,  # type: ignore[arg-type]
        channel=checks["channel"].value,  # type: ignore[arg-type]
        received_at=received,  # type: ignore[arg-type]
        notice_version=notice_version,
        notice_acknowledged_at=now,
        marketing_consent=bool(raw.get("marketing_consent", False)),
        not_a_child_confirmed=True,
    )


# The dates the app accepts anywhere (received times, --as-of, imports): from the Unix epoch to the
# end of 2199. Earlier dates are no helpdesk's; later ones overflow the search index's keys
# (store/order_keys.py: seconds * 2**30 in 63 bits) and date arithmetic near year 9999.
EARLIEST_DATE = datetime(1970, 1, 1, tzinfo=UTC)
END_DATE = datetime(2200, 1, 1, tzinfo=UTC)
DATE_RANGE = "dates must lie between 1970-01-01 and 2199-12-31 (UTC)"


def received_at_error(received: object, now: datetime) -> str | None:
    """Why a request's or a case's received time is not acceptable, or None: one rule for intake
    and for subject requests."""
    if not isinstance(received, datetime):
        return "Received time must be an ISO 8601 date-time."
    if received.tzinfo is None:
        return "Received time needs a time zone (e.g. 2026-01-05T09:30:00+00:00)."
    if received > now:
        return "Received time is in the future."
    if received < EARLIEST_DATE:
        return f"Received time is out of range: {DATE_RANGE}."
    return None


class DateRangeError(ValueError):
    def __init__(self) -> None:
        super().__init__(DATE_RANGE)


def check_date_range(value: datetime) -> datetime:
    """value (aware or taken as UTC) in UTC, or DateRangeError."""
    from desktop.domain.clock import ensure_utc

    try:
        value = ensure_utc(value)
    except OverflowError as exc:
        raise DateRangeError() from exc
    if not EARLIEST_DATE <= value < END_DATE:
        raise DateRangeError()
    return value


def parse_iso_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a bare date or naive time is taken as UTC. ValueError
    when it is not one; DateRangeError (a ValueError) outside EARLIEST_DATE..END_DATE."""
    return check_date_range(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
