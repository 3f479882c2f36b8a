"""Free times for a whole series: the first time when every occurrence is free."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from coptui.domain.recurrence import Recurrence
from coptui.services.booking import book_event
from coptui.services.slots import free_slots
from tests.factories import SOFIA, at, make_world
from tests.services.test_booking import req


def test_a_clash_on_the_third_occurrence_moves_the_whole_series(session: Session) -> None:
    world = make_world(session)
    # Анна is busy on the third Wednesday only, 10:00–11:00.
    book_event(
        session,
        request=req(world, "10:00", "11:00", date(2026, 12, 16), staff_ids=(world.staff,)),
    )
    found = free_slots(
        session,
        centre_id=world.centre,
        rule=Recurrence(freq="weekly", count=3),
        duration=timedelta(minutes=60),
        first_day=date(2026, 12, 2),
        staff_ids=(world.staff,),
        room_id=world.room,
        not_before=at("10:00", date(2026, 12, 2)),
    )
    assert [f"{s.start.astimezone(SOFIA):%d.%m %H:%M}" for s in found] == [
        "02.12 11:00", "02.12 11:15", "02.12 11:30"
    ]  # fmt: skip
    assert found[0].room == "Групова зала"
    # The same rule on Mondays and Thursdays: a candidate day is one of the rule's weekdays.
    found = free_slots(
        session,
        centre_id=world.centre,
        rule=Recurrence(freq="weekly", weekdays=(0, 3), count=4),
        duration=timedelta(minutes=60),
        first_day=date(2026, 12, 2),
        staff_ids=(world.staff,),
        count=1,
    )
    assert [f"{s.start.astimezone(SOFIA):%a %d.%m %H:%M}" for s in found] == ["Thu 03.12 08:00"]
