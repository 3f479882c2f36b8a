"""The attendance register on a real server: marks, the held status, stale rows, warnings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.errors import BadInputError, RefusedError, StaleEditError
from coptui.models import Programme, ProgrammeKind
from coptui.services.attendance import (
    Mark,
    absence_warnings,
    open_register,
    read_register,
    save_attendance,
)
from tests.factories import SOFIA, World, add_event, make_world, span

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=SOFIA)


@pytest.fixture
def world(session: Session) -> World:
    world = make_world(session)
    session.execute(
        text(
            "UPDATE case_file SET status = 'active', active_from = '2026-11-01', key_worker_id = :s"
        ),
        {"s": world.staff},
    )
    return world


def programme(session: Session, world: World, title: str = "Арт ателие") -> int:
    found = Programme(centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title=title)
    session.add(found)
    session.flush()
    assert found.id is not None
    return found.id


def session_on(session: Session, world: World, day: date, programme_id: int | None = None) -> int:
    event = add_event(
        session,
        world,
        span("15:00", "16:30", day),
        staff=(world.staff,),
        cases=(world.case, world.other_case),
    )
    if programme_id is not None:
        session.execute(
            text("UPDATE event SET programme_id = :p WHERE id = :e"),
            {"p": programme_id, "e": event.id},
        )
    assert event.id is not None
    return event.id


def marks(session: Session, event_id: int) -> dict[int, tuple[str, str | None]]:
    return {
        r.case_id: (r.attendance, r.attendance_note)
        for r in session.execute(
            text(
                "SELECT case_id, attendance::text, attendance_note FROM event_case"
                " WHERE event_id = :e"
            ),
            {"e": event_id},
        )
    }


def test_saving_marks_every_child_and_the_session_held(session: Session, world: World) -> None:
    event = session_on(session, world, date(2026, 12, 2))
    register = open_register(session, event_id=event, now=NOW)
    assert [r.code for r in register.rows] == ["Т-001", "Т-002"]
    assert [r.name for r in register.rows] == ["Ели", "Иво"]
    saved = save_attendance(
        session,
        event_id=event,
        marks=[
            Mark(case_id=world.case, attendance="present", version=register.rows[0].version),
            Mark(case_id=world.other_case, attendance="absent", note="болен"),
        ],
        now=NOW,
    )
    assert saved.held_now and saved.changed == 2
    assert saved.counts == {"present": 1, "absent": 1}
    assert marks(session, event) == {
        world.case: ("present", None),
        world.other_case: ("absent", "болен"),
    }
    status = session.execute(text("SELECT status FROM event WHERE id = :e"), {"e": event})
    assert status.scalar_one() == "held"
    # The same marks again write nothing; a presence clears the reason.
    again = save_attendance(
        session,
        event_id=event,
        marks=[Mark(case_id=world.other_case, attendance="present", note="болен")],
        now=NOW,
    )
    assert not again.held_now and again.changed == 1
    assert marks(session, event)[world.other_case] == ("present", None)


def test_a_row_someone_else_changed_is_stale_and_nothing_is_written(
    session: Session, world: World
) -> None:
    event = session_on(session, world, date(2026, 12, 2))
    register = read_register(session, event_id=event)
    save_attendance(
        session, event_id=event, marks=[Mark(case_id=world.case, attendance="late")], now=NOW
    )
    savepoint = session.begin_nested()
    with pytest.raises(StaleEditError):
        save_attendance(
            session,
            event_id=event,
            marks=[
                Mark(case_id=world.other_case, attendance="present", version=1),
                Mark(case_id=world.case, attendance="absent", version=register.rows[0].version),
            ],
            now=NOW,
        )
    savepoint.rollback()
    assert marks(session, event) == {
        world.case: ("late", None),
        world.other_case: ("expected", None),
    }


def test_future_cancelled_and_strangers_are_refused(session: Session, world: World) -> None:
    event = session_on(session, world, date(2026, 12, 2))
    with pytest.raises(RefusedError, match="15:00"):
        open_register(session, event_id=event, now=NOW.replace(hour=14, minute=59))
    # From its start on, it is open (a session under way).
    assert open_register(session, event_id=event, now=NOW.replace(hour=15)).rows
    with pytest.raises(BadInputError):
        save_attendance(
            session, event_id=event, marks=[Mark(case_id=world.case, attendance="maybe")], now=NOW
        )
    with pytest.raises(BadInputError):
        save_attendance(
            session, event_id=event, marks=[Mark(case_id=999999, attendance="present")], now=NOW
        )
    session.execute(
        text("UPDATE event SET status = 'cancelled', cancel_reason = 'буря' WHERE id = :e"),
        {"e": event},
    )
    with pytest.raises(RefusedError):
        save_attendance(
            session, event_id=event, marks=[Mark(case_id=world.case, attendance="present")], now=NOW
        )


def _mark(session: Session, event: int, case: int, mark: str) -> None:
    save_attendance(session, event_id=event, marks=[Mark(case_id=case, attendance=mark)], now=NOW)


def test_three_absences_in_a_row_warn_the_key_worker_two_do_not(
    session: Session, world: World
) -> None:
    art = programme(session, world)
    other = programme(session, world, "Младежка инициатива")
    days = [date(2026, 11, 4) + timedelta(weeks=n) for n in range(4)]
    events = [session_on(session, world, day, art) for day in days]
    # A session of another programme in between does not break the run in this one.
    _mark(session, session_on(session, world, date(2026, 11, 20), other), world.case, "present")

    def warned(staff: int | None = world.staff) -> list[str]:
        return absence_warnings(session, centre_id=world.centre, staff_id=staff, today=NOW.date())

    _mark(session, events[0], world.case, "present")
    _mark(session, events[1], world.case, "absent")
    _mark(session, events[2], world.case, "absent")
    assert warned() == []  # two: no warning
    _mark(session, events[3], world.case, "absent")
    assert warned() == ["Случай Т-001: 3 отсъствия подред в „Арт ателие“ (последно на 25.11.2026)"]
    assert warned(world.other_staff) == []  # only the key worker is warned
    assert len(warned(None)) == 1
    # A presence in between resets the run.
    _mark(session, events[2], world.case, "present")
    assert warned() == []
    # An excused absence neither counts nor resets.
    _mark(session, events[2], world.case, "excused")
    _mark(session, events[0], world.case, "absent")
    assert len(warned()) == 1
