"""The fast path for plain addresses gives exactly what email-validator gives, or steps aside."""

from __future__ import annotations

import email_validator
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.validation import _SPECIAL_USE, _plain_email, check_email


def validator(text: str) -> str | None:
    try:
        return email_validator.validate_email(text, check_deliverability=False).normalized.lower()
    except email_validator.EmailNotValidError:
        return None


def test_the_special_use_names_are_email_validators():
    assert set(_SPECIAL_USE) == set(email_validator.SPECIAL_USE_DOMAIN_NAMES)


ADDRESSES = st.one_of(
    st.from_regex(r"[A-Za-z0-9_+.-]{1,14}@[A-Za-z0-9.-]{1,24}\.[A-Za-z]{1,7}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,5})?@([a-z0-9-]{1,8}\.){1,3}(test|local|onion|arpa|invalid|localhost|com|xn--p1ai)",
                  fullmatch=True),
    st.text(alphabet="aZ9._+-@'!ü ", max_size=30),
)


@settings(max_examples=3000, deadline=None)
@given(ADDRESSES)
def test_a_plain_address_is_accepted_only_as_email_validator_accepts_it(text):
    fast = _plain_email(text)
    if fast is not None:
        assert validator(text) == fast
    expected = validator(text.strip()) if text.strip() and len(text.strip()) <= 254 else None
    assert check_email(text).value == expected


def test_real_looking_addresses_match_email_validator():
    from datetime import UTC, datetime

    from desktop.services.demo import DemoGenerator

    cases = list(DemoGenerator(7, datetime(2026, 1, 10, tzinfo=UTC)).cases(3000))
    taken = 0
    for case in cases:
        raw = case.data.email
        for text in (raw, raw.upper(), f" {raw} "):
            assert check_email(text).value == validator(text.strip())
        taken += _plain_email(raw) is not None
    assert taken > 2500  # the fast path is what most addresses take
    for odd in ("a..b@example.org", ".a@example.org", "a@-x.example.org", "a@x-.example.org", "a@example.123",
                "a@b.test", "a@xn--bcher-kva.example", "ü@example.org", "a@example", "a@@example.org",
                "a" * 65 + "@example.org", "a@" + "b" * 64 + ".org"):
        assert check_email(odd).value == validator(odd), odd
