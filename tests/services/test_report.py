"""The monthly report on a fixed month (tests/report_data.py): each figure against a hand count."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from coptui.errors import BadInputError
from coptui.services.report import month_report
from coptui.services.report_rows import (
    AttendanceLine,
    CaseLine,
    HoursLine,
    LimitCase,
    MonthReport,
    OccupancyLine,
    ReasonLine,
    SessionLine,
)
from tests.report_data import TODAY, build_month


@pytest.fixture
def report(session: Session) -> MonthReport:
    ids = build_month(session)
    return month_report(session, centre_id=_centre(session, ids), year=2026, month=11, today=TODAY)


def _centre(session: Session, ids: dict[str, int]) -> int:
    from sqlalchemy import text

    found = session.execute(text("SELECT centre_id FROM case_file WHERE id = :i"), {"i": ids["t3"]})
    return int(found.scalar_one())


def test_the_state_is_taken_on_the_last_day(report: MonthReport) -> None:
    assert report.as_of == date(2026, 11, 30)
    assert (report.centre, report.town) == ("ЦОП „Тест“", "Габрово")


def test_cases_served_by_kind_and_type(report: MonthReport) -> None:
    # Served: Т-001, Т-003 (new 05.11), Т-004 general access; Т-002, Т-005 (closed 20.11)
    # specialised. Not: Т-006 (closed 15.10), Т-007/Т-009 (never started), Т-008 (from 03.12).
    assert report.cases_by_kind == (
        CaseLine("general_access", "", new=1, active=3, closed=0),
        CaseLine("specialised", "", new=0, active=2, closed=1),
    )
    assert report.cases_total == CaseLine("", "", new=1, active=5, closed=1)
    # By type: Т-002 counts under both of its types, Т-004 has none.
    assert report.cases_by_type == (
        CaseLine("general_access", "", new=0, active=1, closed=0),
        CaseLine("general_access", "педагогическа подкрепа", new=1, active=1, closed=0),
        CaseLine("general_access", "психологическо консултиране", new=0, active=1, closed=0),
        CaseLine("specialised", "логопедична терапия", new=0, active=2, closed=1),
        CaseLine("specialised", "психологическо консултиране", new=0, active=1, closed=0),
    )


def test_general_access_over_and_near_the_two_months(report: MonthReport) -> None:
    # Т-001 from 20.09 ended on 20.11 (10 days past on 30.11); Т-004 from 10.10 ends on
    # 10.12 (10 days ahead); Т-003 from 05.11 has 36 days to go and is not listed.
    assert report.near_limit == (
        LimitCase("Т-001", date(2026, 9, 20), date(2026, 11, 20), -10),
        LimitCase("Т-004", date(2026, 10, 10), date(2026, 12, 10), 10),
    )
    assert [c.over for c in report.near_limit] == [True, False]


def test_sessions_by_kind_and_programme(report: MonthReport) -> None:
    # E12 (01.12 00:00) and E13 (31.10 22:00) are outside; E11 (30.11 23:00) is inside.
    assert report.sessions == (
        SessionLine("group", "Еко ваканция", held=1, planned=0, cancelled=0),
        SessionLine("individual", "", held=2, planned=0, cancelled=2),
        SessionLine("meeting", "", held=1, planned=0, cancelled=0),
        SessionLine("mobile_work", "", held=1, planned=0, cancelled=0),
        SessionLine("programme_session", "Арт ателие", held=2, planned=1, cancelled=1),
    )
    assert report.sessions_total == SessionLine("", "", held=7, planned=1, cancelled=3)
    # Individual E1, E2; group E3, E4, E7; other E8, E11.
    assert report.forms == (("individual", 2), ("group", 3), ("other", 2))


def test_cancelled_by_reason_withholds_a_reason_naming_a_child(report: MonthReport) -> None:
    assert report.cancellations == (
        ReasonLine("болен", 1),
        ReasonLine("болест на водещия", 1),
        ReasonLine("", 1, withheld=True),  # "Ели е болна"
    )


def test_attendance_per_programme_and_overall(report: MonthReport) -> None:
    # Held sessions only: E1, E2 (no programme); E3, E4 (art); E7 (eco). E13 is October's.
    assert report.attendance == (
        AttendanceLine("Арт ателие", 8, present=3, late=1, absent=2, excused=1, unmarked=1),
        AttendanceLine("Еко ваканция", 2, present=2, late=0, absent=0, excused=0, unmarked=0),
        AttendanceLine("", 2, present=1, late=0, absent=1, excused=0, unmarked=0),
    )
    total = report.attendance_total
    assert total == AttendanceLine("", 12, present=6, late=1, absent=3, excused=1, unmarked=1)
    assert total.rate == pytest.approx(7 / 12)
    assert report.attendance[0].rate == pytest.approx(4 / 8)


def test_absences_by_reason(report: MonthReport) -> None:
    # E2 "болен" and E4 " болен " are one reason; E3's names Иво and is withheld.
    assert report.absences == (
        ReasonLine("болен", 2, mark="absent"),
        ReasonLine("", 1, mark="absent", withheld=True),
        ReasonLine("на лекар", 1, mark="excused"),
    )
    total = report.attendance_total
    assert sum(a.count for a in report.absences) == total.absent + total.excused


def test_hours_per_specialist_and_volunteer(report: MonthReport) -> None:
    # Анна: E1 60 + E3 120 + E4 120 + E8 60; Борис: E2 90 + E3 120 + E7 180 + E8 60 + E11 45.
    assert report.staff_hours == (
        HoursLine("Анна Тестова", 4, 360),
        HoursLine("Борис Пробов", 5, 495),
    )
    assert report.staff_total == HoursLine("", 9, 855)
    # Вера: E3 (assigned) + E4 (confirmed); Петя: E7 (her E4 place was declined). E6 is planned.
    assert report.volunteer_hours == (
        HoursLine("Вера Опитова", 2, 240),
        HoursLine("Петя Другарова", 1, 180),
    )
    assert report.volunteer_programmes == (
        HoursLine("Арт ателие", 2, 240, people=1),
        HoursLine("Еко ваканция", 1, 180, people=1),
    )
    assert report.volunteer_total == HoursLine("", 3, 420)


def test_programme_occupancy_and_waiting(report: MonthReport) -> None:
    # Art: E3 (4), E4 (4), E6 (2) of 4 seats each; E5 is cancelled. Two wait for E6.
    assert report.occupancy == (
        OccupancyLine("Арт ателие", sessions=3, taken=10, seats=12, waiting=2),
        OccupancyLine("Еко ваканция", sessions=1, taken=2, seats=None, waiting=0),
    )
    assert report.occupancy[0].rate == pytest.approx(10 / 12)
    assert report.occupancy_total == OccupancyLine("", 4, taken=12, seats=12, waiting=2)
    assert report.occupancy_rate == pytest.approx(10 / 12)  # Еко ваканция has no limit
    # Т-007 (registered 10.11) and Т-008 (registered 25.11, started 03.12); not Т-009 (05.12).
    assert report.waiting_cases == 2


def test_a_running_month_is_counted_up_to_today(session: Session) -> None:
    ids = build_month(session)
    centre = _centre(session, ids)
    running = month_report(session, centre_id=centre, year=2026, month=11, today=date(2026, 11, 19))
    assert running.as_of == date(2026, 11, 19)
    # Т-005 closes on 20.11: not closed yet on 19.11.
    assert running.cases_total == CaseLine("", "", new=1, active=5, closed=0)
    with pytest.raises(BadInputError, match=r"01\.12\.2026"):
        month_report(session, centre_id=centre, year=2026, month=12, today=date(2026, 11, 30))


def test_an_empty_month_has_zeros(session: Session) -> None:
    ids = build_month(session)
    empty = month_report(session, centre_id=_centre(session, ids), year=2026, month=3, today=TODAY)
    assert empty.sessions == () and empty.attendance == () and empty.staff_hours == ()
    assert empty.sessions_total == SessionLine("", "", 0, 0, 0)
    assert empty.attendance_total.rate is None
    assert empty.occupancy_total.seats is None


def test_a_reason_naming_a_child_in_another_form_is_withheld(session: Session) -> None:
    from sqlalchemy import text

    ids = build_month(session)
    reasons = {"болен": "Калинка е болна", "болест на водещия": "Stoyan is sick"}
    for was, now in reasons.items():  # a diminutive of Калина; Стоян in Latin letters
        session.execute(
            text("UPDATE event SET cancel_reason = :n WHERE btrim(cancel_reason) = :w"),
            {"n": now, "w": was},
        )
    centre = _centre(session, ids)
    report = month_report(session, centre_id=centre, year=2026, month=11, today=TODAY)
    assert report.cancellations == (ReasonLine("", 3, withheld=True),)
