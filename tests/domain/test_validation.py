from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain import validation as v
from desktop.domain.models import Category, Channel
from tests.helpers.factories import form

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def validate(**overrides):
    return v.validate_intake(form(**overrides), default_region="GB", now=NOW, notice_version="n1")


def test_valid_form_is_normalised():
    data = validate(email="  Ada@EXAMPLE.org ", phone="020 7946 0001", category="Bounce / NDR",
                    channel="Web form", marketing_consent=True)
    assert data.email == "ada@example.org"
    assert data.phone == "+442079460001"
    assert data.category is Category.BOUNCE and data.channel is Channel.WEB_FORM
    assert data.marketing_consent is True and data.notice_version == "n1"
    assert data.notice_acknowledged_at == NOW


def test_phone_is_optional_and_region_applies():
    assert validate(phone="").phone is None
    us = v.validate_intake(form(phone="(201) 555-0123"), default_region="US", now=NOW, notice_version="n")
    assert us.phone == "+12015550123"


@pytest.mark.parametrize("field,value,message", [
    ("name", "   ", "Name is required"),
    ("email", "no-at-sign", "email"),
    ("email", "a@b", "email"),
    ("phone", "12", "phone"),
    ("category", "printer on fire", "Unknown category"),
    ("description", "", "Describe"),
    ("description", "x" * (v.MAX_DESCRIPTION + 1), "too long"),
    ("name", "Bad\x00Name", "control"),
])
def test_bad_fields_are_named(field, value, message):
    with pytest.raises(v.ValidationError) as info:
        validate(**{field: value})
    assert field in info.value.errors
    assert message.lower() in info.value.errors[field].lower()


def test_child_is_refused_with_reason():
    with pytest.raises(v.ValidationError) as info:
        validate(not_a_child=False)
    assert "13" in info.value.errors["age"]


def test_notice_must_be_acknowledged():
    with pytest.raises(v.ValidationError) as info:
        validate(notice_acknowledged=False)
    assert "notice" in info.value.errors


def test_marketing_consent_is_never_assumed():
    assert validate().marketing_consent is False
    raw = form()
    del raw["marketing_consent"]
    assert v.validate_intake(raw, default_region="GB", now=NOW, notice_version="n").marketing_consent is False


def test_received_at_rules():
    past = NOW - timedelta(days=400)
    assert validate(received_at=past).received_at == past
    with pytest.raises(v.ValidationError):
        validate(received_at=NOW + timedelta(days=1))
    with pytest.raises(v.ValidationError):
        validate(received_at=datetime(2025, 1, 1))  # naive


def test_parse_iso_datetime_accepts_z_and_dates():
    assert v.parse_iso_datetime("2025-03-01T10:00:00Z") == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert v.parse_iso_datetime("2025-03-01") == datetime(2025, 3, 1, tzinfo=UTC)


def test_a_note_beside_a_phone_never_becomes_digits_of_it():
    """phonenumbers spells letters on a keypad ("(work)" -> 9675): "0791 112 (work)" was stored as
    +447911129675. Letters are refused with a hint; an extension marker is still read."""
    for typed in ("0791 112 (work)", "07911 123456 (mobile)", "1-800-FLOWERS"):
        result = v.check_phone(typed, "GB")
        assert result.value is None and "Letters are not part of a phone number" in result.error
    for typed in ("07911 123456 ext 2", "07911 123456 x12", "020 7946 0018 #3"):
        assert v.check_phone(typed, "GB").value in ("+447911123456", "+442079460018")
