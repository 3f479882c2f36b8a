"""The law's rules for a case, on dates alone: the two months, the warnings, the contract."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coptui.domain.caserules import (
    EXPIRED,
    WARN_EARLY,
    WARN_LATE,
    Referral,
    Terms,
    days_left,
    ends_on,
    general_access_end,
    missing_for_specialised,
    session_refusal,
    warning_level,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2027, 3, 1), date(2027, 5, 1)),
        (date(2027, 1, 15), date(2027, 3, 15)),
        (date(2026, 12, 31), date(2027, 2, 28)),  # 31.12 → the end of February
        (date(2027, 12, 31), date(2028, 2, 29)),  # a leap year
        (date(2027, 12, 29), date(2028, 2, 29)),
        (date(2026, 12, 29), date(2027, 2, 28)),  # no 29.02 in 2027
        (date(2099, 12, 31), date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2027, 12, 30), date(2028, 2, 29)),
        (date(2028, 2, 29), date(2028, 4, 29)),  # from a leap day
        (date(2027, 7, 31), date(2027, 9, 30)),  # September has 30 days
        (date(2027, 11, 30), date(2028, 1, 30)),  # across the year
    ],
)
def test_general_access_end_at_the_edges(start: date, end: date) -> None:
    assert general_access_end(start) == end


@given(days)
def test_general_access_end_is_the_same_day_two_months_on_or_that_months_last(start: date) -> None:
    end = general_access_end(start)
    year, month0 = divmod(start.year * 12 + start.month - 1 + 2, 12)
    assert (end.year, end.month) == (year, month0 + 1)
    last = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(start.day, last)
    assert 59 <= (end - start).days <= 62


@given(days, days)
def test_a_later_start_never_ends_earlier(a: date, b: date) -> None:
    first, second = sorted((a, b))
    assert general_access_end(first) <= general_access_end(second)


@given(days)
def test_the_end_day_is_bookable_and_the_day_after_is_not(start: date) -> None:
    terms = Terms(code="Т", status="active", service_kind="general_access", active_from=start)
    end = general_access_end(start)
    assert session_refusal(terms, end, end) is None
    assert session_refusal(terms, start, start) is None
    after = end + timedelta(days=1)
    refusal = session_refusal(terms, after, after)
    assert refusal is not None
    assert (refusal.reason, refusal.on) == ("general_access_over", end)


def test_days_left_and_the_warnings() -> None:
    end = date(2027, 4, 30)
    assert days_left(end, date(2027, 4, 30)) == 0
    assert days_left(end, date(2027, 4, 23)) == 7
    assert days_left(end, date(2027, 5, 1)) == -1
    assert [warning_level(n) for n in (30, 15, 14, 8, 7, 1, 0, -1, -40)] == [
        None,
        None,
        WARN_EARLY,
        WARN_EARLY,
        WARN_LATE,
        WARN_LATE,
        WARN_LATE,
        EXPIRED,
        EXPIRED,
    ]


@given(st.integers(min_value=-400, max_value=400))
def test_every_day_of_the_last_two_weeks_warns(left: int) -> None:
    level = warning_level(left)
    assert (level is None) == (left > 14)


SPECIALISED = Terms(
    code="С-1",
    status="active",
    service_kind="specialised",
    active_from=date(2027, 3, 1),
    contract_start=date(2027, 3, 10),
    contract_end=date(2027, 9, 30),
)


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2027, 3, 9), "before_contract"),  # the day before the contract starts
        (date(2027, 3, 10), None),  # its first day
        (date(2027, 9, 30), None),  # its last day
        (date(2027, 10, 1), "after_contract"),  # the day after
    ],
)
def test_specialised_sessions_lie_within_the_contract(day: date, reason: str | None) -> None:
    refusal = session_refusal(SPECIALISED, day, day)
    assert (refusal.reason if refusal else None) == reason


def test_a_series_is_checked_at_both_ends() -> None:
    refusal = session_refusal(SPECIALISED, date(2027, 9, 1), date(2027, 10, 6))
    assert refusal is not None and refusal.on == date(2027, 9, 30)


def test_specialised_without_contract_dates_has_no_sessions() -> None:
    terms = Terms(code="С-2", status="waiting", service_kind="specialised")
    refusal = session_refusal(terms, date(2027, 3, 1), date(2027, 3, 1))
    assert refusal is not None and refusal.reason == "no_contract"
    assert ends_on(terms) is None


def test_a_waiting_general_access_case_may_have_an_intake_meeting() -> None:
    terms = Terms(code="О-1", status="waiting", service_kind="general_access")
    assert session_refusal(terms, date(2030, 1, 1), date(2030, 1, 1)) is None


def test_a_closed_case_has_sessions_up_to_its_closing_day() -> None:
    terms = Terms(
        code="О-2",
        status="closed",
        service_kind="general_access",
        active_from=date(2027, 3, 1),
        closed_on=date(2027, 3, 20),
    )
    assert session_refusal(terms, date(2027, 3, 20), date(2027, 3, 20)) is None
    refusal = session_refusal(terms, date(2027, 3, 21), date(2027, 3, 21))
    assert refusal is not None and (refusal.reason, refusal.on) == ("closed", date(2027, 3, 20))


def test_converted_to_specialised_the_contract_decides() -> None:
    converted = Terms(
        code="О-3",
        status="active",
        service_kind="specialised",
        active_from=date(2027, 3, 1),
        contract_start=date(2027, 4, 1),
        contract_end=date(2028, 3, 31),
    )
    assert session_refusal(converted, date(2027, 6, 1), date(2027, 6, 1)) is None
    assert ends_on(converted) == date(2028, 3, 31)


def test_what_a_specialised_case_lacks() -> None:
    empty = Referral(
        referral_source="self",
        referral_number=" ",
        referral_date=None,
        contract_number="",
        contract_start=None,
        contract_end=None,
    )
    assert missing_for_specialised(empty) == (
        "referral_source",
        "referral_number",
        "referral_date",
        "contract_number",
        "contract_start",
        "contract_end",
    )
    full = Referral(
        referral_source="ozd",
        referral_number="ЗД-12",
        referral_date=date(2027, 2, 1),
        contract_number="Д-3",
        contract_start=date(2027, 3, 1),
        contract_end=date(2027, 12, 31),
    )
    assert missing_for_specialised(full) == ()
