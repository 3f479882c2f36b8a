"""Editing events: people, room, scope over a series; every refusal leaves things as they were."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.domain.recurrence import Recurrence
from coptui.errors import CapacityError, SlotTakenError, StaleEditError
from coptui.services.booking import book_event
from coptui.services.edits import EventChanges, edit_event
from coptui.services.series import book_series
from coptui.services.series_edits import edit_series
from tests.factories import World, at, make_world
from tests.services.test_booking import req


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def people(session: Session, event_id: int) -> tuple[list[int], list[int], list[int]]:
    def ids(sql: str) -> list[int]:
        return sorted(session.execute(text(sql), {"e": event_id}).scalars())

    return (
        ids("SELECT staff_id FROM event_staff WHERE event_id = :e"),
        ids("SELECT case_id FROM event_case WHERE event_id = :e"),
        ids("SELECT volunteer_id FROM roster_slot WHERE event_id = :e"),
    )


def test_change_people_checks_clashes_and_keeps_the_old_on_refusal(
    session: Session, world: World
) -> None:
    book_event(
        session,
        request=req(world, "09:00", "10:00", title="Зает", case_ids=(world.other_case,)),
    )
    event = book_event(
        session,
        request=req(world, "09:30", "10:30", staff_ids=(world.staff,), case_ids=(world.case,)),
    )
    with pytest.raises(SlotTakenError) as caught:
        edit_event(
            session,
            event_id=event.id,
            version=event.version,
            changes=EventChanges(case_ids=(world.case, world.other_case)),
        )
    assert "„Зает“" in caught.value.message
    assert people(session, event.id) == ([world.staff], [world.case], [])
    changed = edit_event(
        session,
        event_id=event.id,
        version=event.version,
        changes=EventChanges(
            staff_ids=(world.other_staff,), volunteer_ids=(world.volunteer,), title="Ново"
        ),
    )
    assert changed.version == event.version + 1
    assert people(session, event.id) == ([world.other_staff], [world.case], [world.volunteer])
    with pytest.raises(StaleEditError):
        edit_event(
            session, event_id=event.id, version=event.version, changes=EventChanges(title="Старо")
        )


def test_room_headcount_applies_to_edits(session: Session, world: World) -> None:
    event = book_event(session, request=req(world, "09:00", "10:00", room_id=world.office))
    with pytest.raises(CapacityError):
        edit_event(
            session,
            event_id=event.id,
            version=event.version,
            changes=EventChanges(
                staff_ids=(world.staff, world.other_staff),
                case_ids=(world.case, world.other_case),
            ),
        )


def test_move_following_shifts_on_the_wall_clock(session: Session, world: World) -> None:
    result = book_series(
        session,
        request=req(world, "10:00", "11:00", date(2027, 3, 16), staff_ids=(world.staff,)),
        rule=Recurrence(freq="weekly", count=3),
    )
    second = result.booked[1]
    moved = edit_series(
        session,
        event_id=second.id,
        version=second.version,
        changes=EventChanges(
            start=at("11:00", date(2027, 3, 25)), end=at("12:30", date(2027, 3, 25))
        ),
        scope="following",
    )
    starts = [m.start.astimezone(at("10:00").tzinfo) for m in moved]
    assert [(s.date(), s.hour) for s in starts] == [(date(2027, 3, 25), 11), (date(2027, 4, 1), 11)]
    first = session.execute(
        text("SELECT lower(during) FROM event WHERE id = :i"), {"i": result.booked[0].id}
    ).scalar_one()
    assert first == result.booked[0].start


def test_series_move_into_a_clash_moves_nothing(session: Session, world: World) -> None:
    result = book_series(
        session,
        request=req(world, "10:00", "11:00", date(2027, 1, 13), staff_ids=(world.staff,)),
        rule=Recurrence(freq="weekly", count=3),
    )
    book_event(
        session,
        request=req(
            world, "14:00", "15:00", date(2027, 1, 27), title="Пречка", staff_ids=(world.staff,)
        ),
    )
    savepoint = session.begin_nested()
    with pytest.raises(SlotTakenError) as caught:
        edit_series(
            session,
            event_id=result.booked[0].id,
            version=result.booked[0].version,
            changes=EventChanges(
                start=at("14:00", date(2027, 1, 13)), end=at("15:00", date(2027, 1, 13))
            ),
            scope="all",
        )
    savepoint.rollback()
    assert "„Пречка“" in caught.value.message
    hours = session.execute(
        text(
            "SELECT extract(hour FROM lower(during) AT TIME ZONE 'Europe/Sofia')::int"
            " FROM event WHERE series_id = :s"
        ),
        {"s": result.series_id},
    ).scalars()
    assert set(hours) == {10}
