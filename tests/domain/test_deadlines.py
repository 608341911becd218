"""Deadline rules: month ends, weekends, public holidays, CCPA, extensions, countdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop.domain import deadlines as dl
from desktop.domain.deadlines import Calendar, DeadlineRule


def at(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, 0, tzinfo=UTC)


GB = Calendar("GB")
ENG = Calendar("GB", "ENG")
US = Calendar("US")


# ---- the 30-day policy promise ----------------------------------------------------------------
def test_policy30_is_thirty_calendar_days_not_moved_for_weekends():
    # 10 Jan + 30 = Monday 9 Feb 2026; 1 Jan + 30 = Saturday 31 Jan 2026 (not moved)
    assert dl.due_day("policy30", at(2026, 1, 10)) == date(2026, 2, 9)
    assert dl.due_day("policy30", at(2026, 1, 1)) == date(2026, 1, 31)  # a Saturday: stays


def test_default_rule_is_the_policy_promise():
    assert dl.parse_rule(None) is DeadlineRule.POLICY30
    assert dl.parse_rule("GDPR") is DeadlineRule.GDPR
    with pytest.raises(ValueError, match="use one of"):
        dl.parse_rule("fortnight")


def test_due_date_is_end_of_due_day_in_utc():
    due = dl.due_date("policy30", at(2026, 1, 10, 23))
    assert due == datetime(2026, 2, 9, 23, 59, 59, tzinfo=UTC)


def test_receipt_day_is_taken_in_utc():
    # 00:30 on 11 Jan in UTC+02:00 is still 10 Jan in UTC
    from datetime import timedelta, timezone

    received = datetime(2026, 1, 11, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert dl.due_day("policy30", received) == date(2026, 2, 9)


# ---- GDPR: one calendar month, next working day ---------------------------------------------------
def test_gdpr_same_date_next_month_on_a_working_day():
    assert dl.due_day("gdpr", at(2026, 9, 3), GB) == date(2026, 10, 5)  # 3 Oct 2026 is a Saturday
    assert dl.due_day("gdpr", at(2026, 6, 10), GB) == date(2026, 7, 10)  # Friday


def test_gdpr_month_end_clamps_jan_31_to_feb_28():
    # 28 Feb 2026 is a Saturday -> Monday 2 March
    assert dl.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert dl.due_day("gdpr", at(2026, 1, 31), GB) == date(2026, 3, 2)


def test_gdpr_month_end_in_a_leap_year_goes_to_feb_29():
    assert dl.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert dl.due_day("gdpr", at(2028, 1, 31), GB) == date(2028, 2, 29)  # a Tuesday
    # received on 29 Feb 2028 -> 29 March 2028 (Wednesday)
    assert dl.due_day("gdpr", at(2028, 2, 29), GB) == date(2028, 3, 29)


def test_gdpr_december_rolls_into_january_of_next_year():
    assert dl.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert dl.due_day("gdpr", at(2026, 12, 15), GB) == date(2027, 1, 15)  # Friday
    # 1 Jan 2027 is New Year's Day -> next working day Monday 4 Jan (2 and 3 are a weekend)
    assert dl.due_day("gdpr", at(2026, 12, 1), GB) == date(2027, 1, 4)


def test_gdpr_christmas_and_boxing_day_gb():
    # received 25 Nov 2026 -> 25 Dec (Fri, Christmas) -> 26 Sat -> 27 Sun -> 28 Boxing Day observed
    # -> Tuesday 29 Dec 2026
    assert dl.due_day("gdpr", at(2026, 11, 25), GB) == date(2026, 12, 29)
    assert dl.due_day("gdpr", at(2026, 11, 26), GB) == date(2026, 12, 29)


def test_gdpr_easter_monday_only_where_it_is_a_holiday():
    # received 6 March 2026 -> 6 April 2026, Easter Monday: a bank holiday in England, not Scotland
    assert dl.due_day("gdpr", at(2026, 3, 6), ENG) == date(2026, 4, 7)
    assert dl.due_day("gdpr", at(2026, 3, 6), GB) == date(2026, 4, 6)  # UK-wide list lacks it
    # Good Friday 3 April 2026 is UK-wide -> Monday 6 April (England: Tuesday 7)
    assert dl.due_day("gdpr", at(2026, 3, 3), GB) == date(2026, 4, 6)
    assert dl.due_day("gdpr", at(2026, 3, 3), ENG) == date(2026, 4, 7)


def test_gdpr_us_holidays():
    # received 26 Oct 2026 -> 26 Nov 2026, Thanksgiving (US) -> Friday 27 Nov
    assert dl.due_day("gdpr", at(2026, 10, 26), US) == date(2026, 11, 27)
    assert dl.due_day("gdpr", at(2026, 10, 26), GB) == date(2026, 11, 26)


def test_unknown_country_or_subdivision_is_a_clear_error():
    with pytest.raises(ValueError, match="country code"):
        dl.check_calendar("XX")
    with pytest.raises(ValueError, match="subdivision"):
        dl.check_calendar("GB", "ZZZ")
    assert dl.check_calendar("us", "ca") == Calendar("US", "CA")


# ---- CCPA ----------------------------------------------------------------------------------------
def test_ccpa_45_calendar_days_and_receipt_confirmation():
    received = at(2026, 1, 10)  # Saturday
    assert dl.due_day("ccpa", received, US) == date(2026, 2, 24)
    # 10 business days after Sat 10 Jan, skipping MLK Day (19 Jan): 12,13,14,15,16,20,21,22,23,26
    assert dl.receipt_confirmation_date("ccpa", received, US) == datetime(2026, 1, 26, 23, 59, 59, tzinfo=UTC)
    assert dl.receipt_confirmation_date("gdpr", received, US) is None


def test_ccpa_due_day_is_not_moved_for_weekends():
    # 7 Jan 2026 + 45 days = Saturday 21 Feb 2026: calendar days, not moved
    assert dl.due_day("ccpa", at(2026, 1, 7), US) == date(2026, 2, 21)


# ---- extensions ----------------------------------------------------------------------------------
def test_gdpr_extension_is_two_further_months_same_rule():
    # received 31 Jan 2026 -> extended to 30 April 2026 (Thursday)
    assert dl.extended_due_day("gdpr", at(2026, 1, 31), GB) == date(2026, 4, 30)
    # received 25 Sept 2026 -> 25 Dec 2026 (Christmas) -> Tuesday 29 Dec
    assert dl.extended_due_day("gdpr", at(2026, 9, 25), GB) == date(2026, 12, 29)
    # received 30 Nov 2027 -> 30 Feb does not exist -> 29 Feb 2028 (leap year, a Tuesday)
    assert dl.extended_due_day("gdpr", at(2027, 11, 30), GB) == date(2028, 2, 29)


def test_policy30_extension_follows_gdpr():
    assert dl.extended_due_day("policy30", at(2026, 1, 10), GB) == date(2026, 4, 10)  # Fri, not a GB-wide holiday
    assert dl.extended_due_day("policy30", at(2026, 1, 10), ENG) == date(2026, 4, 10)


def test_ccpa_extension_is_another_45_days():
    assert dl.extended_due_day("ccpa", at(2026, 1, 10), US) == date(2026, 4, 10)
    assert dl.extended_due_date("ccpa", at(2026, 1, 10), US) > dl.due_date("ccpa", at(2026, 1, 10), US)


# ---- countdowns --------------------------------------------------------------------------------
def test_days_left_overdue_and_due_soon_with_an_injected_today():
    due = dl.due_date("policy30", at(2026, 1, 10))  # 9 Feb 2026, end of day
    assert dl.days_left(due, at(2026, 1, 10)) == 30
    assert not dl.due_soon(due, at(2026, 1, 10))
    assert dl.days_left(due, at(2026, 2, 2)) == 7
    assert dl.due_soon(due, at(2026, 2, 2))
    assert dl.days_left(due, datetime(2026, 2, 9, 23, 59, tzinfo=UTC)) == 0
    assert not dl.is_overdue(due, datetime(2026, 2, 9, 23, 59, tzinfo=UTC))  # the whole due day counts
    assert dl.due_soon(due, at(2026, 2, 9))
    assert dl.is_overdue(due, datetime(2026, 2, 10, 0, 0, 1, tzinfo=UTC))
    assert dl.days_left(due, at(2026, 2, 12)) == -3
    assert not dl.due_soon(due, at(2026, 2, 12))  # overdue, not "due soon"


def test_a_closed_request_has_no_countdown():
    due = dl.due_date("policy30", at(2026, 1, 10))
    assert dl.days_left(due, at(2026, 3, 1), closed=True) is None
    assert not dl.is_overdue(due, at(2026, 3, 1), closed=True)
    assert not dl.due_soon(due, at(2026, 2, 8), closed=True)
