"""Series edited as series: this and following across a holiday, a clash and the clock change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.domain.recurrence import Recurrence
from coptui.domain.timeutil import SOFIA, elapsed_minutes, end_after, local_checked
from coptui.errors import HolidayError, SlotTakenError
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import EventChanges
from coptui.services.series import SeriesResult, book_series
from coptui.services.series_edits import edit_series, preview_series_edit
from tests.factories import World, at, make_world
from tests.services.test_booking import req


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def wednesdays(session: Session, world: World) -> SeriesResult:
    """Art studio, Wednesdays 2.12–23.12.2026 15:00–16:30, Анна and the group room."""
    return book_series(
        session,
        request=req(
            world, "15:00", "16:30", date(2026, 12, 2), staff_ids=(world.staff,), room_id=world.room
        ),
        rule=Recurrence(freq="weekly", count=4),
    )


def starts(session: Session, series_id: int | None) -> list[str]:
    found = session.execute(
        text(
            "SELECT lower(during) FROM event WHERE series_id = :s AND status <> 'cancelled'"
            " ORDER BY lower(during)"
        ),
        {"s": series_id},
    ).scalars()
    return [f"{s.astimezone(SOFIA):%d.%m %H:%M}" for s in found]


def to_thursday(first: date) -> EventChanges:
    day = first + timedelta(days=1)
    return EventChanges(start=at("15:00", day), end=at("16:30", day))


def test_following_across_a_holiday_and_a_clash_with_the_preview(
    session: Session, world: World
) -> None:
    series = wednesdays(session, world)
    second = series.booked[1]  # 09.12; this and following go to Thursdays
    # Two holders of Thursday 17.12 15:00: the room and Анна, each in another event.
    book_event(
        session,
        request=req(
            world, "15:30", "16:00", date(2026, 12, 17), title="Родители", room_id=world.room
        ),
    )
    book_event(
        session,
        request=req(
            world,
            "14:00",
            "15:30",
            date(2026, 12, 17),
            title="Супервизия",
            staff_ids=(world.staff,),
        ),
    )
    changes = to_thursday(date(2026, 12, 9))
    preview = preview_series_edit(session, event_id=second.id, changes=changes, scope="following")
    assert [f"{p.start:%d.%m}" for p in preview] == ["10.12", "17.12", "24.12"]
    clear, clash, holiday = preview
    assert not clear.blocked
    assert sorted(c.title for c in clash.clashes) == ["Родители", "Супервизия"]  # both holders
    assert holiday.holiday and not holiday.clashes  # Бъдни вечер
    # Without skipping, nothing moves: the holiday, or else the clash, refuses the whole edit.
    for error, on_holidays in ((HolidayError, False), (SlotTakenError, True)):
        savepoint = session.begin_nested()
        with pytest.raises(error):
            edit_series(
                session,
                event_id=second.id,
                version=second.version,
                changes=changes,
                scope="following",
                allow_non_working_day=on_holidays,
            )
        savepoint.rollback()
        assert starts(session, series.series_id) == [
            "02.12 15:00", "09.12 15:00", "16.12 15:00", "23.12 15:00"
        ]  # fmt: skip
    moved = edit_series(
        session,
        event_id=second.id,
        version=second.version,
        changes=changes,
        scope="following",
        skip_blocked=True,
    )
    assert [f"{m.start.astimezone(SOFIA):%d.%m}" for m in moved] == ["10.12"]
    assert starts(session, series.series_id) == [
        "02.12 15:00", "10.12 15:00", "16.12 15:00", "23.12 15:00"
    ]  # fmt: skip


def test_following_a_week_later_moves_onto_its_own_old_places(
    session: Session, world: World
) -> None:
    series = wednesdays(session, world)
    first = series.booked[0]
    week = date(2026, 12, 9)
    moved = edit_series(
        session,
        event_id=first.id,
        version=first.version,
        changes=EventChanges(start=at("15:00", week), end=at("16:30", week)),
        scope="all",
    )
    assert len(moved) == 4
    assert starts(session, series.series_id) == [
        "09.12 15:00", "16.12 15:00", "23.12 15:00", "30.12 15:00"
    ]  # fmt: skip


def test_following_across_the_autumn_clock_change_keeps_wall_clock_and_elapsed_length(
    session: Session, world: World
) -> None:
    # A night watch of the eco holiday, Sundays 01:00, four hours; the clocks go back on the
    # night of 25.10.2026 (04:00 summer time is 03:00 winter time).
    sunday = date(2026, 10, 18)
    start = local_checked(sunday, at("01:00").time())
    series = book_series(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Нощно наблюдение",
            start=start,
            end=end_after(start, 240),
            staff_ids=(world.staff,),
        ),
        rule=Recurrence(freq="weekly", count=3),
        include_holidays=True,
    )
    first = series.booked[0]
    new_start = local_checked(sunday, at("01:30").time())
    moved = edit_series(
        session,
        event_id=first.id,
        version=first.version,
        changes=EventChanges(start=new_start, end=end_after(new_start, 240)),
        scope="following",
        allow_non_working_day=True,
    )
    assert [f"{m.start.astimezone(SOFIA):%d.%m %H:%M}" for m in moved] == [
        "18.10 01:30", "25.10 01:30", "01.11 01:30"
    ]  # fmt: skip
    assert [elapsed_minutes(m.start, m.end) for m in moved] == [240, 240, 240]
    # Four hours from 01:30 on the night the clocks go back end at 04:30 (the clock shows
    # 03:00–04:00 twice); adding them on the wall clock would end at 05:30, five hours later.
    assert f"{moved[1].end.astimezone(SOFIA):%H:%M}" == "04:30"
