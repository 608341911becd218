"""phone_tokens: what the search index holds for a phone number (name, email, phone and
description are searchable; a phone by its full digits, its national digits with and
without the leading 0, and their tails)."""

from __future__ import annotations

import phonenumbers
import pytest

from desktop.domain.models import CaseQuery
from desktop.services.demo import DemoGenerator
from desktop.store.search import phone_tokens
from tests.conftest import T0
from tests.helpers.factories import add_case


def parsed_tokens(e164: str | None) -> str:
    """phone_tokens with every number parsed again by phonenumbers."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    try:
        national = str(phonenumbers.parse(e164, None).national_number)
    except Exception:
        return digits
    tails = [national[i:] for i in range(1, len(national) - 2)]
    return " ".join([digits, "00" + digits, national, "0" + national, *tails])


def example_numbers() -> list[str]:
    out = set()
    types = [getattr(phonenumbers.PhoneNumberType, t) for t in dir(phonenumbers.PhoneNumberType) if t.isupper()]
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in types:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                out.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            out.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return sorted(out)


def test_tokens_are_those_a_full_parse_gives_for_every_regions_example_numbers():
    numbers = example_numbers()
    assert len(numbers) > 1000
    assert [phone_tokens(n) for n in numbers] == [parsed_tokens(n) for n in numbers]


def test_tokens_are_those_a_full_parse_gives_for_demo_phones():
    phones = [c.data.phone for c in DemoGenerator(5, T0).cases(500) if c.data.phone]
    assert len(phones) > 200
    assert [phone_tokens(p) for p in phones] == [parsed_tokens(p) for p in phones]


@pytest.mark.parametrize("value", [
    None, "", "+", "+1", "+44", "+4420", "+0123456789", "+999123456789", "+390612345678", "+393123456789",
    "+78001234567", "+88123456789", "+80012345678", "+442079460001", "+12025550147", "+1" + "2" * 19,
    "+44" + "1" * 18, "+353 1 234 5678", "442079460001", "+44-20-7946-0001", "+٤٤٢٠٧٩٤٦٠٠٠١",
])
def test_odd_values_give_what_a_full_parse_gives(value):
    assert phone_tokens(value) == parsed_tokens(value)


def test_a_phone_is_found_by_its_national_digits(services):
    case = add_case(services, phone="+44 20 7946 0001")
    for text in ("442079460001", "2079460001", "02079460001"):
        assert list(services.cases.ids(CaseQuery(search=text))) == [case]
