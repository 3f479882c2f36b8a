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


def test_bulgaria_alone_gives_what_the_holidays_package_gives() -> None:
    # Bulgaria's module is loaded from its file (not with every country); the days and their
    # names in both languages must be the package's own, moved days and weekend work too.
    import holidays

    from coptui.domain.workdays import _national_holidays

    for year in (2024, 2025, 2026, 2027, 2030):
        for lang, code in (("bg", "bg"), ("en", "en_US")):
            ours = _national_holidays(year, lang)
            theirs = holidays.country_holidays("BG", years=year, language=code)
            assert dict(ours) == dict(theirs)
            assert getattr(ours, "weekend_workdays", set()) == getattr(
                theirs, "weekend_workdays", set()
            )
