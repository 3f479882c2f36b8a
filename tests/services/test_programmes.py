"""Programmes: enrolment in a session or the whole programme, the waiting list, offers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from coptui.errors import CapacityError, NotFoundError
from coptui.models import CaseStatus, Programme, ProgrammeKind
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import EventChanges, edit_event
from coptui.services.places import SessionFullError, join_session, waiting_list
from coptui.services.programmes import (
    ProgrammeFullError,
    confirm_offer,
    enrol_in_programme,
    offer_warnings,
    programme_view,
    withdraw,
)
from coptui.services.seats import SeatsOverError, fit_request, fit_to_seats, put_on_waiting_lists
from coptui.services.transaction import transact
from tests.factories import DAY, at, make_world
from tests.services.test_places import add_cases, race


def _art_session(
    session: Session, capacity: int, taken: int, newcomers: int
) -> tuple[int, list[int]]:
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
            engine,
            lambda s: join_session(s, event_id=event_id, case_id=newcomers[i], waitlist=True),
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


def _programme(session: Session, world: Any, capacity: int = 2) -> int:
    programme = Programme(
        centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие", capacity=capacity
    )
    session.add(programme)
    session.flush()
    assert programme.id is not None
    return programme.id


def _session(
    session: Session, world: Any, programme: int, day: date, cases: tuple[int, ...]
) -> int:
    return book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Арт ателие",
            start=at("15:00", day),
            end=at("16:30", day),
            staff_ids=(world.staff,),
            case_ids=cases,
            programme_id=programme,
        ),
    ).id


def _key_worker(session: Session, case_ids: list[int], staff: int) -> None:
    session.execute(
        text("UPDATE case_file SET key_worker_id = :s WHERE id = ANY(:c)"),
        {"s": staff, "c": case_ids},
    )


def test_a_freed_place_is_offered_to_the_first_waiting_child_who_is_free(
    session: Session,
) -> None:
    world = make_world(session)
    programme = _programme(session, world, capacity=2)
    inside = add_cases(session, world.centre, 2, CaseStatus.ACTIVE, prefix="В")
    busy, free, last = add_cases(session, world.centre, 3, CaseStatus.ACTIVE, prefix="Ч")
    _key_worker(session, [busy, free, last], world.other_staff)
    event = _session(session, world, programme, DAY, tuple(inside))
    for case in (busy, free, last):
        assert not join_session(session, event_id=event, case_id=case, waitlist=True).joined
    # The first in line is at another session at that time: it is skipped, not dropped.
    book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Логопед",
            start=at("16:00"),
            end=at("17:00"),
            case_ids=(busy,),
        ),
    )
    assert offer_warnings(session, centre_id=world.centre, staff_id=None, today=DAY) == []
    offered = withdraw(session, event_id=event, case_id=inside[0])
    assert offered == free
    assert waiting_list(session, event_id=event) == [busy, last]
    view = programme_view(session, programme_id=programme)
    [shown] = view.sessions
    assert [(s.code, s.offered) for s in shown.children] == [("В-001", False), ("Ч-001", True)]
    assert [(s.code, s.position) for s in shown.waiting] == [("Ч-000", 1), ("Ч-002", 2)]
    # The key worker of the child offered the place is told; another specialist is not.
    [line] = offer_warnings(session, centre_id=world.centre, staff_id=world.other_staff, today=DAY)
    assert "Ч-001" in line and "02.12.2026 15:00" in line
    assert offer_warnings(session, centre_id=world.centre, staff_id=world.staff, today=DAY) == []
    confirm_offer(session, event_id=event, case_id=free)
    assert offer_warnings(session, centre_id=world.centre, staff_id=None, today=DAY) == []
    with pytest.raises(NotFoundError):
        confirm_offer(session, event_id=event, case_id=free)
    # Off the waiting list: the one behind moves up.
    assert withdraw(session, event_id=event, case_id=busy) is None
    assert waiting_list(session, event_id=event) == [last]


def test_a_full_session_names_the_place_in_the_queue(session: Session) -> None:
    world = make_world(session)
    programme = _programme(session, world, capacity=1)
    first, second, third = add_cases(session, world.centre, 3, CaseStatus.ACTIVE)
    event = _session(session, world, programme, DAY, (first,))
    assert (
        join_session(session, event_id=event, case_id=second, waitlist=True).waiting_position == 1
    )
    with pytest.raises(SessionFullError) as refused:
        join_session(session, event_id=event, case_id=third)
    assert refused.value.position == 2
    assert "1 от 1" in refused.value.message and "№ 2" in refused.value.message


def test_enrolling_in_the_whole_programme(session: Session) -> None:
    world = make_world(session)
    programme = _programme(session, world, capacity=1)
    early, child, other = add_cases(session, world.centre, 3, CaseStatus.ACTIVE)
    days = [DAY - timedelta(days=7), DAY, DAY + timedelta(days=7), DAY + timedelta(days=14)]
    events = [_session(session, world, programme, d, ()) for d in days]
    join_session(session, event_id=events[2], case_id=other)  # the third is full
    book_event(  # the child is elsewhere on the last one
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Психолог",
            start=at("15:30", days[3]),
            end=at("16:00", days[3]),
            case_ids=(child,),
        ),
    )
    after = at("00:00")  # the first session is past: not enrolled in
    with pytest.raises(ProgrammeFullError) as full:
        enrol_in_programme(session, programme_id=programme, case_id=child, after=after)
    assert "09.12.2026 15:00 (№ 1)" in full.value.message
    assert programme_view(session, programme_id=programme).enrolled(after) == [("Р-002", 1)]
    done = enrol_in_programme(
        session, programme_id=programme, case_id=child, after=after, waitlist=True
    )
    assert [(o.event_id, o.result, o.position) for o in done.outcomes] == [
        (events[1], "joined", None),
        (events[2], "waiting", 1),
        (events[3], "busy", None),
    ]
    assert "Психолог" in done.outcomes[2].reason
    view = programme_view(session, programme_id=programme)
    assert view.enrolled(after) == [("Р-001", 1), ("Р-002", 1)]
    assert view.waiting(after) == [("Р-001", 1, 1)]
    assert early not in view.sessions[0].children


def test_a_new_session_holds_at_most_the_programme_seats(session: Session) -> None:
    world = make_world(session)
    programme = _programme(session, world, capacity=1)
    with pytest.raises(CapacityError, match="1 място; това занимание има 2 деца"):
        _session(session, world, programme, DAY, (world.case, world.other_case))


def test_linking_an_event_to_a_programme_counts_its_children(session: Session) -> None:
    world = make_world(session)
    programme = _programme(session, world, capacity=1)
    event = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Рисуване",
            start=at("15:00"),
            end=at("16:00"),
            case_ids=(world.case, world.other_case),
        ),
    ).id
    version = session.execute(
        text("SELECT version FROM event WHERE id = :e"), {"e": event}
    ).scalar()
    link = EventChanges(set_programme=True, programme_id=programme)
    with pytest.raises(CapacityError):
        edit_event(session, event_id=event, version=version, changes=link)
    edit_event(
        session,
        event_id=event,
        version=version,
        changes=replace(link, case_ids=(world.case,)),
    )
    assert programme_view(session, programme_id=programme).sessions[0].event_id == event


def test_fit_to_seats_keeps_those_inside_and_takes_newcomers_in_order() -> None:
    assert fit_to_seats([1, 2, 3], None) == ((1, 2, 3), ())
    assert fit_to_seats([5, 1, 2, 3], 2, already=[3]) == ((5, 3), (1, 2))
    assert fit_to_seats([5, 1, 2], 2) == ((5, 1), (2,))


def test_a_form_with_more_children_than_seats_saves_those_who_fit(session: Session) -> None:
    world = make_world(session)
    programme = _programme(session, world, capacity=2)
    a, b, c = add_cases(session, world.centre, 3, CaseStatus.ACTIVE)
    event = _session(session, world, programme, DAY, (c,))
    version = session.execute(
        text("SELECT version FROM event WHERE id = :e"), {"e": event}
    ).scalar()
    typed = BookingRequest(
        centre_id=world.centre,
        title="Арт ателие",
        start=at("15:00"),
        end=at("16:30"),
        staff_ids=(world.staff,),
        case_ids=(a, b, c),
        programme_id=programme,
    )
    with pytest.raises(SeatsOverError, match="Р-001 биха влезли в списъка на чакащите"):
        fit_request(session, request=typed, event_id=event, waitlist=False)
    # The child already in keeps the place; the first newcomer typed takes the other.
    request, extra = fit_request(session, request=typed, event_id=event, waitlist=True)
    assert (request.case_ids, extra) == ((a, c), (b,))
    edit_event(
        session,
        event_id=event,
        version=version,
        changes=EventChanges(case_ids=request.case_ids),
    )
    put_on_waiting_lists(session, event_ids=[event], case_ids=extra)
    assert waiting_list(session, event_id=event) == [b]
