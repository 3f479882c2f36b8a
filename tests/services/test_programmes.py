"""Programmes: enrolment in a session or the whole programme, the waiting list, offers."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from coptui.models import CaseStatus, Programme, ProgrammeKind
from coptui.services.booking import BookingRequest, book_event
from coptui.services.places import join_session, waiting_list
from coptui.services.transaction import transact
from tests.factories import at, make_world
from tests.services.test_places import add_cases, race


def _art_session(session: Session, capacity: int, taken: int, newcomers: int) -> tuple[int, list[int]]:
    world = make_world(session)
    programme = Programme(
        centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие", capacity=capacity
    )
    session.add(programme)
    session.flush()
    cases = add_cases(session, world.centre, taken + newcomers, CaseStatus.ACTIVE)
    event = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Арт ателие",
            start=at("15:00"),
            end=at("16:30"),
            staff_ids=(world.staff,),
            case_ids=tuple(cases[:taken]),
            programme_id=programme.id,
        ),
    )
    return event.id, cases[taken:]


def test_twenty_at_the_last_seat_one_joins_the_rest_wait_in_arrival_order(engine: Engine) -> None:
    event_id, newcomers = transact(engine, lambda s: _art_session(s, 10, 9, 20))

    def attempt(i: int) -> str:
        result = transact(
            engine, lambda s: join_session(s, event_id=event_id, case_id=newcomers[i], waitlist=True)
        )
        return "joined" if result.joined else f"{result.waiting_position:02}:{newcomers[i]}"

    outcomes = race(20, attempt)
    assert outcomes.count("joined") == 1
    waiting = [o for o in outcomes if o != "joined"]
    # Each was told a different place, 1 to 19, and the list is in the order they were told.
    assert [int(o.split(":")[0]) for o in waiting] == list(range(1, 20))
    with Session(engine) as session:
        assert waiting_list(session, event_id=event_id) == [int(o.split(":")[1]) for o in waiting]
        taken = session.execute(
            text("SELECT count(*) FROM event_case WHERE event_id = :e"), {"e": event_id}
        ).scalar_one()
    assert taken == 10
