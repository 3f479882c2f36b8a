"""Dates and times as people type them."""

from __future__ import annotations

from datetime import date, time

import pytest

from coptui.domain.parse import parse_day, parse_minutes, parse_moment, parse_time
from coptui.errors import BadInputError

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("03.12.2026", date(2026, 12, 3)),
        ("3.12", date(2026, 12, 3)),
        ("3.12.27", date(2027, 12, 3)),
        ("днес", TODAY),
        ("Утре", date(2026, 11, 26)),
        ("понеделник", date(2026, 11, 30)),
        ("сряда", TODAY),
        ("петък", date(2026, 11, 27)),
        ("+2", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 26)),
    ],
)
def test_days(typed: str, expected: date) -> None:
    assert parse_day(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["", "31.02.2026", "вчера нещо", "12/03", "+"])
def test_bad_days_say_how_to_write_them(typed: str) -> None:
    with pytest.raises(BadInputError, match=r"03\.12\.2026"):
        parse_day(typed, TODAY)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9", time(9)), ("930", time(9, 30)), ("9:30", time(9, 30)), ("14", time(14)),
     ("1415", time(14, 15)), ("09.05", time(9, 5))],
)  # fmt: skip
def test_times(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25", "9:75", "девет", "", "12345"])
def test_bad_times(typed: str) -> None:
    with pytest.raises(BadInputError):
        parse_time(typed)


def test_durations() -> None:
    assert [parse_minutes(t) for t in ("45", "1:30", "2ч", "90 мин")] == [45, 90, 120, 90]
    with pytest.raises(BadInputError):
        parse_minutes("0")


@pytest.mark.parametrize("typed", ["31.12.9999", "01.01.0001", "31.12.1999", "01.01.2101"])
def test_days_outside_2000_to_2100_are_refused(typed: str) -> None:
    with pytest.raises(BadInputError):
        parse_day(typed, TODAY)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14.12.2026 9", "14.12.2026 09:00 +0200"),
        ("14.12.2026 9:30", "14.12.2026 09:30 +0200"),
        ("14.12 930", "14.12.2026 09:30 +0200"),
        ("утре 14", "26.11.2026 14:00 +0200"),
        ("31.10.2027 03:30", "31.10.2027 03:30 +0300"),  # the first of the two 03:30s
    ],
)
def test_moments(typed: str, expected: str) -> None:
    assert f"{parse_moment(typed, TODAY):%d.%m.%Y %H:%M %z}" == expected


@pytest.mark.parametrize("typed", ["14.12.2026", "28.03.2027 03:30", "31.12.9999 23:50", "x y"])
def test_bad_moments(typed: str) -> None:
    with pytest.raises(BadInputError):
        parse_moment(typed, TODAY)
