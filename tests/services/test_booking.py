"""Booking through the service: clashes named, series, holidays, stale edits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.domain.recurrence import Recurrence
from coptui.errors import (
    BadInputError,
    CapacityError,
    HolidayError,
    NotFoundError,
    SlotTakenError,
    StaleEditError,
)
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import cancel_event, cancel_series, mark_held, move_event
from coptui.services.series import book_series
from tests.factories import World, at, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def req(
    world: World, start: str, end: str, day: date = date(2026, 12, 2), **kw: object
) -> BookingRequest:
    return BookingRequest(
        centre_id=world.centre,
        title=str(kw.pop("title", "Арт ателие")),
        start=at(start, day),
        end=at(end, day),
        **kw,  # type: ignore[arg-type]
    )


def test_room_clash_names_the_holder(session: Session, world: World) -> None:
    book_event(
        session, request=req(world, "15:00", "16:30", room_id=world.room, staff_ids=(world.staff,))
    )
    with pytest.raises(SlotTakenError) as caught:
        book_event(session, request=req(world, "16:00", "17:00", title="Друго", room_id=world.room))
    message = caught.value.message
    assert "Групова зала" in message and "15:00–16:30" in message
    assert "„Арт ателие“" in message and "Анна Тестова" in message


@pytest.mark.parametrize("field", ["staff_ids", "case_ids", "volunteer_ids"])
def test_people_clash_and_nothing_is_left_behind(
    session: Session, world: World, field: str
) -> None:
    ids = {
        "staff_ids": (world.staff,),
        "case_ids": (world.case,),
        "volunteer_ids": (world.volunteer,),
    }
    book_event(session, request=req(world, "09:00", "10:00", **{field: ids[field]}))
    before = session.execute(text("SELECT count(*) FROM event")).scalar_one()
    with pytest.raises(SlotTakenError):
        book_event(
            session,
            request=req(world, "09:30", "10:30", room_id=world.office, **{field: ids[field]}),
        )
    assert session.execute(text("SELECT count(*) FROM event")).scalar_one() == before


def test_touching_is_fine_and_cancel_frees(session: Session, world: World) -> None:
    first = book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    book_event(session, request=req(world, "10:00", "11:00", room_id=world.room))
    with pytest.raises(SlotTakenError):
        book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    cancel_event(session, event_id=first.id, version=first.version, reason="болест")
    book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))


def test_room_alone_is_a_booking_but_nothing_is_not(session: Session, world: World) -> None:
    book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    with pytest.raises(BadInputError):
        book_event(session, request=req(world, "11:00", "12:00"))
    with pytest.raises(BadInputError):
        book_event(session, request=req(world, "12:00", "11:00", room_id=world.room))


def test_holiday_needs_confirmation(session: Session, world: World) -> None:
    day = date(2026, 12, 28)
    with pytest.raises(HolidayError):
        book_event(session, request=req(world, "09:00", "10:00", day, room_id=world.room))
    book_event(
        session,
        request=req(world, "09:00", "10:00", day, room_id=world.room, allow_non_working_day=True),
    )


def test_stale_edit_is_refused_and_names_who(session: Session, world: World) -> None:
    event = book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    moved = move_event(
        session, event_id=event.id, version=event.version, start=at("11:00"), end=at("12:00")
    )
    assert moved.version == event.version + 1
    with pytest.raises(StaleEditError) as caught:
        cancel_event(session, event_id=event.id, version=event.version, reason="x")
    assert session.execute(text("SELECT session_user")).scalar_one() in caught.value.message
    status = session.execute(text("SELECT status FROM event WHERE id = :i"), {"i": event.id})
    assert status.scalar_one() == "planned"
    mark_held(session, event_id=event.id, version=moved.version)


def test_move_into_a_clash_is_refused_with_the_holder(session: Session, world: World) -> None:
    book_event(
        session, request=req(world, "09:00", "10:00", title="Първо", staff_ids=(world.staff,))
    )
    later = book_event(session, request=req(world, "11:00", "12:00", staff_ids=(world.staff,)))
    with pytest.raises(SlotTakenError) as caught:
        move_event(
            session, event_id=later.id, version=later.version, start=at("09:30"), end=at("10:30")
        )
    assert "„Първо“" in caught.value.message


def test_series_skips_clashes_and_holidays(session: Session, world: World) -> None:
    # Mondays from 14.12.2026: the 28th is a moved Christmas holiday.
    book_event(
        session, request=req(world, "10:00", "11:00", date(2026, 12, 21), room_id=world.room)
    )
    result = book_series(
        session,
        request=req(world, "10:30", "11:30", date(2026, 12, 14), room_id=world.room),
        rule=Recurrence(freq="weekly", count=4),
    )
    assert [b.start.date() for b in result.booked] == [date(2026, 12, 14), date(2027, 1, 4)]
    assert [o.start.date() for o in result.skipped_clashes] == [date(2026, 12, 21)]
    assert result.skipped_clashes[0].clashes[0].kind == "room"
    assert [o.start.date() for o in result.skipped_holidays] == [date(2026, 12, 28)]


def test_series_keeps_wall_clock_across_dst(session: Session, world: World) -> None:
    result = book_series(
        session,
        request=req(world, "10:00", "11:00", date(2027, 3, 22), staff_ids=(world.staff,)),
        rule=Recurrence(freq="weekly", count=3),
    )
    hours = [b.start.astimezone(at("10:00").tzinfo).hour for b in result.booked]
    offsets = {b.start.utcoffset() for b in result.booked}
    assert hours == [10, 10, 10] and len(offsets) == 2


def test_cancel_this_and_following(session: Session, world: World) -> None:
    result = book_series(
        session,
        request=req(world, "10:00", "11:00", date(2027, 1, 13), room_id=world.room),
        rule=Recurrence(freq="weekly", count=4),
    )
    ids = cancel_series(session, event_id=result.booked[1].id, reason="ремонт", scope="following")
    assert ids == [b.id for b in result.booked[1:]]
    live = session.execute(
        text("SELECT count(*) FROM event WHERE series_id = :s AND status <> 'cancelled'"),
        {"s": result.series_id},
    ).scalar_one()
    assert live == 1


def _override(session: Session, world: World, day: date, kind: str, note: str) -> None:
    session.execute(
        text("INSERT INTO holiday_override (centre_id, day, kind, note) VALUES (:c, :d, :k, :n)"),
        {"c": world.centre, "d": day, "k": kind, "n": note},
    )


def test_local_overrides_decide_the_day(session: Session, world: World) -> None:
    closed, saturday = date(2026, 12, 2), date(2026, 12, 5)
    _override(session, world, closed, "closure", "дезинфекция")
    _override(session, world, saturday, "working_day", "отработване")
    with pytest.raises(HolidayError) as caught:
        book_event(session, request=req(world, "09:00", "10:00", closed, room_id=world.room))
    assert "02.12.2026" in caught.value.message and "дезинфекция" in caught.value.message
    # A working Saturday books without a confirmation; a plain Saturday still needs one.
    book_event(session, request=req(world, "09:00", "10:00", saturday, room_id=world.room))
    with pytest.raises(HolidayError):
        book_event(
            session, request=req(world, "09:00", "10:00", date(2026, 12, 12), room_id=world.room)
        )


def test_unknown_or_too_small_room_is_refused_and_nothing_written(
    session: Session, world: World
) -> None:
    before = session.execute(text("SELECT count(*) FROM event")).scalar_one()
    with pytest.raises(NotFoundError):
        book_event(session, request=req(world, "09:00", "10:00", room_id=999_999))
    limit = session.execute(
        text("SELECT max_people FROM room WHERE id = :r"), {"r": world.office}
    ).scalar_one()
    with pytest.raises(CapacityError) as caught:
        book_event(
            session,
            request=req(world, "09:00", "10:00", room_id=world.office, open_slots=limit + 1),
        )
    assert str(limit) in caught.value.message
    assert session.execute(text("SELECT count(*) FROM event")).scalar_one() == before


def test_holders_of_every_kind_are_named_in_time_order(session: Session, world: World) -> None:
    # coptui_clashes_json (migration 0012) answers each kind's holders apart; the service
    # merges them, the earliest first, whatever their kind.
    book_event(session, request=req(world, "10:00", "11:00", title="Второ", room_id=world.room))
    book_event(
        session, request=req(world, "09:00", "10:30", title="Първо", staff_ids=(world.staff,))
    )
    with pytest.raises(SlotTakenError) as caught:
        book_event(
            session,
            request=req(
                world, "09:30", "11:00", title="Друго", room_id=world.room, staff_ids=(world.staff,)
            ),
        )
    message = caught.value.message
    assert "„Първо“" in message and "„Второ“" in message
    assert message.index("„Първо“") < message.index("„Второ“")


def test_a_person_who_does_not_exist_is_not_found(session: Session, world: World) -> None:
    # The booking's statement goes to the driver as it is (services/driver.py); what the
    # database refuses still comes out as SQLAlchemy's error, put in words by the service.
    with pytest.raises(NotFoundError):
        book_event(session, request=req(world, "10:00", "11:00", staff_ids=(world.staff + 999,)))
