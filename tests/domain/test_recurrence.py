"""The --repeat syntax and the expansion of a series: dates in range, messages in Bulgarian."""

from __future__ import annotations

from datetime import date, time

import pytest

from coptui.domain.recurrence import RecurrenceError, expand, parse_repeat
from coptui.domain.timeutil import SOFIA, local_checked


@pytest.mark.parametrize(
    "text",
    [
        "weekly until 31.12.9999",
        "weekly until 01.01.1999",
        "every 999999 weeks count 3",
        "weekly count 0",
        "weekly count 99999999999999999999",
        "sometimes",
        "weekly on xyz count 3",
        "weekly until 31.02.2027",
    ],
)
def test_bad_repetitions_are_refused_in_bulgarian(text: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        parse_repeat(text)
    message = str(caught.value)
    assert any("а" <= ch <= "я" for ch in message.lower()), message
    assert "\n" not in message


def test_the_bulgarian_examples_in_the_message_are_accepted() -> None:
    with pytest.raises(RecurrenceError) as caught:
        parse_repeat("понякога")
    examples = str(caught.value).split("примери:", 1)[1]
    for example in examples.strip(" .").split("', '"):
        parse_repeat(example.strip("'"))


def test_a_series_that_runs_past_2100_is_refused() -> None:
    first = local_checked(date(2099, 1, 5), time(10))
    rule = parse_repeat("monthly count 400")
    with pytest.raises(RecurrenceError) as caught:
        expand(rule.rrule(first), first, SOFIA)
    assert "2101" in str(caught.value)


def test_a_series_meeting_the_spring_gap_is_refused() -> None:
    first = local_checked(date(2027, 3, 14), time(3, 30))  # a Sunday
    rule = parse_repeat("weekly count 3")
    with pytest.raises(RecurrenceError) as caught:
        expand(rule.rrule(first), first, SOFIA)
    assert "28.03.2027" in str(caught.value)


def test_occurrences_keep_the_wall_clock_and_add_elapsed_time() -> None:
    first = local_checked(date(2027, 10, 24), time(10))
    occurrences = expand(parse_repeat("weekly count 2").rrule(first), first, SOFIA)
    assert [f"{o:%d.%m %H:%M %z}" for o in occurrences] == [
        "24.10 10:00 +0300",
        "31.10 10:00 +0200",
    ]
