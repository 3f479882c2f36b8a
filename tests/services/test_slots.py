"""The free-slot finder."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.services.booking import book_event
from coptui.services.slots import WorkingHours, free_slots
from tests.factories import World, at, make_world
from tests.services.test_booking import req


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_earliest_slots_free_for_everyone(session: Session, world: World) -> None:
    day = date(2026, 12, 2)
    book_event(session, request=req(world, "08:00", "09:00", staff_ids=(world.staff,)))
    book_event(session, request=req(world, "09:00", "10:00", case_ids=(world.case,)))
    book_event(session, request=req(world, "10:00", "10:30", room_id=world.office))
    slots = free_slots(
        session,
        centre_id=world.centre,
        duration=timedelta(minutes=60),
        first_day=day,
        staff_ids=[world.staff],
        case_ids=[world.case],
        room_id=world.office,
    )
    assert [s.start for s in slots] == [at("10:30"), at("10:45"), at("11:00")]
    assert {s.room for s in slots} == {"Кабинет 1"}


def test_any_room_of_a_kind_and_working_hours(session: Session, world: World) -> None:
    book_event(session, request=req(world, "16:00", "18:00", room_id=world.office))
    slots = free_slots(
        session,
        centre_id=world.centre,
        duration=timedelta(minutes=90),
        first_day=date(2026, 12, 2),
        room_kind="office",
        count=1,
        hours=WorkingHours(),
        not_before=at("15:00"),
    )
    # 15:00 + 90 min overlaps 16:00 in the only office; the next working morning is Thursday.
    assert [s.start for s in slots] == [at("08:00", date(2026, 12, 3))]


def test_skips_weekends_holidays_and_closures(session: Session, world: World) -> None:
    session.execute(
        text(
            "INSERT INTO holiday_override (centre_id, day, kind, note)"
            " VALUES (:c, :d, 'closure', 'дезинфекция')"
        ),
        {"c": world.centre, "d": date(2026, 12, 29)},
    )
    slots = free_slots(
        session,
        centre_id=world.centre,
        duration=timedelta(hours=10),
        first_day=date(2026, 12, 24),
        days=12,
        staff_ids=[world.staff],
        count=5,
    )
    # 24.12 (Christmas Eve), 25, 26 holidays; 27 Sunday; 28 moved holiday; 29 closure.
    assert [s.start.date() for s in slots] == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 4),
    ]
