"""Time arithmetic: a duration is elapsed time; a local time that does not exist is bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coptui.domain.timeutil import (
    SOFIA,
    check_day,
    elapsed_minutes,
    end_after,
    local_checked,
)
from coptui.errors import BadInputError

AUTUMN = date(2027, 10, 31)  # clocks go back at 04:00 EEST to 03:00 EET
SPRING = date(2027, 3, 28)  # clocks go forward at 03:00 EET to 04:00 EEST


def test_a_duration_across_the_autumn_change_is_elapsed_time() -> None:
    start = local_checked(AUTUMN, time(2, 30))
    end = end_after(start, 120)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=120)
    assert f"{end:%H:%M}" == "03:30"  # the clock showed 03:00–04:00 twice
    assert end - start == timedelta(minutes=120)
    assert end > start
    assert elapsed_minutes(start, end) == 120


def test_an_ambiguous_autumn_time_is_the_first_occurrence() -> None:
    start = local_checked(AUTUMN, time(3, 30))
    assert start.utcoffset() == timedelta(hours=3)  # still summer time
    assert start.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    end = end_after(start, 30)  # the second 03:00
    assert f"{end:%H:%M}" == "03:00" and end > start and end - start == timedelta(minutes=30)


def test_a_duration_across_the_spring_change_is_elapsed_time() -> None:
    start = local_checked(SPRING, time(2, 30))
    end = end_after(start, 60)
    assert f"{end:%H:%M}" == "04:30"
    assert elapsed_minutes(start, end) == 60


@pytest.mark.parametrize("at", [time(3, 0), time(3, 30), time(3, 59)])
def test_a_time_in_the_spring_gap_is_bad_input(at: time) -> None:
    with pytest.raises(BadInputError) as caught:
        local_checked(SPRING, at)
    assert "03:00" in caught.value.message and "04:00" in caught.value.message
    assert "28.03.2027" in caught.value.message


def test_the_hours_around_the_gap_exist() -> None:
    assert f"{local_checked(SPRING, time(2, 59)):%H:%M %z}" == "02:59 +0200"
    assert f"{local_checked(SPRING, time(4, 0)):%H:%M %z}" == "04:00 +0300"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), date.max])
def test_days_outside_the_window_are_bad_input(day: date) -> None:
    with pytest.raises(BadInputError):
        check_day(day)
    with pytest.raises(BadInputError):
        local_checked(day, time(10))


@given(
    st.datetimes(  # Hypothesis takes naive bounds and adds the zone itself
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 12, 30),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.integers(min_value=1, max_value=24 * 60),
)
def test_end_after_always_adds_elapsed_minutes(moment: datetime, minutes: int) -> None:
    start = moment.astimezone(SOFIA)
    end = end_after(start, minutes)
    assert end - start == timedelta(minutes=minutes)
    assert end.astimezone(SOFIA).replace(tzinfo=None) == (
        (moment + timedelta(minutes=minutes)).astimezone(SOFIA).replace(tzinfo=None)
    )


def test_an_end_at_local_midnight_reads_24_00() -> None:
    from coptui.domain.timeutil import clock_span, end_clock
    from coptui.services.clashes import Clash

    day = datetime(2026, 12, 2, tzinfo=SOFIA)
    assert clock_span(day, day + timedelta(days=1)) == "00:00–24:00"
    assert clock_span(day.replace(hour=22), day + timedelta(days=1)) == "22:00–24:00"
    assert clock_span(day.replace(hour=9), day.replace(hour=10, minute=30)) == "09:00–10:30"
    assert end_clock(datetime(2026, 12, 2, 22, tzinfo=UTC)) == "24:00"  # 00:00 in Sofia
    clash = Clash("room", "Зала", 1, "Заето", day, day + timedelta(days=1))
    assert "02.12.2026 00:00–24:00" in clash.describe()
