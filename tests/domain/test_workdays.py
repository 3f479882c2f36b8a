"""Bulgarian working days with local overrides."""

from __future__ import annotations

from datetime import date

from coptui.domain.workdays import CLOSURE, WORKING_DAY, WorkCalendar


def test_public_holidays_and_moved_days_are_not_working_days() -> None:
    calendar = WorkCalendar()
    assert not calendar.is_working_day(date(2026, 5, 25))  # 24 May fell on a Sunday
    assert not calendar.is_working_day(date(2026, 12, 28))  # Christmas moved to Monday
    assert not calendar.is_working_day(date(2026, 3, 3))
    assert calendar.holiday_name(date(2026, 3, 3))
    assert calendar.is_working_day(date(2026, 12, 2))
    assert not calendar.is_working_day(date(2026, 12, 5))  # a Saturday


def test_overrides_win() -> None:
    calendar = WorkCalendar(
        overrides={
            date(2026, 12, 2): (CLOSURE, "Обучение на екипа"),
            date(2026, 12, 28): (WORKING_DAY, ""),
        }
    )
    assert not calendar.is_working_day(date(2026, 12, 2))
    assert calendar.holiday_name(date(2026, 12, 2)) == "Обучение на екипа"
    assert calendar.is_working_day(date(2026, 12, 28))
    assert calendar.holiday_name(date(2026, 12, 28)) is None
