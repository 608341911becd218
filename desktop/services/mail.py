"""Mail intake and delivery diagnosis as use cases: read a message or file, diagnose it, pre-fill
an intake form. Nothing here writes to the store (mail_import.py does, for import-mail)."""

from __future__ import annotations

import json
from functools import cache

from desktop.domain.diagnosis import Diagnosis, Rules, diagnose, load_rules
from desktop.domain.diagnosis.privacy import cli_record, diagnosis_record, mask_address
from desktop.domain.mail.forms import FormLayouts
from desktop.domain.mail.prefill import MAX_MESSAGE_BYTES, MailReadError, Prefill, prefill
from desktop.paths import resource

DEFAULT_MAIL_SETTINGS = "mail"


@cache
def rules() -> Rules:
    return load_rules(resource("diagnosis"))


@cache
def form_layouts() -> FormLayouts:
    return FormLayouts(json.loads(resource("mail", "form_notifications.json").read_text(encoding="utf-8")))


@cache
def default_settings() -> dict:
    return json.loads(resource("defaults", "mail.json").read_text(encoding="utf-8"))


def check_size(data: bytes) -> bytes:
    if not data or not data.strip():
        raise MailReadError("the message is empty")
    if len(data) > MAX_MESSAGE_BYTES:
        raise MailReadError(f"the message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB; not read")
    return data


def diagnose_bytes(data: bytes) -> Diagnosis:
    """Diagnose one message, SES notification or header paste (raises MailReadError)."""
    check_size(data)
    try:
        return diagnose(data, rules())
    except MailReadError:
        raise
    except Exception as exc:  # malformed beyond what the stdlib parser takes
        raise MailReadError(f"the message could not be read as email ({type(exc).__name__})") from exc


def as_json(d: Diagnosis, *, mask: bool) -> dict:
    return cli_record(d, mask=mask)


def stored_record(d: Diagnosis, settings: dict) -> dict:
    return diagnosis_record(d, mask=bool(settings.get("mask_third_party_addresses", True)))


def prefill_bytes(data: bytes, settings: dict | None = None) -> Prefill:
    s = {**default_settings(), **(settings or {})}
    mask = mask_address if s.get("mask_third_party_addresses", True) else (lambda a: a)
    return prefill(check_size(data), rules(), form_layouts(), use_reply_to=bool(s.get("name_from_reply_to")), mask=mask)
