"""Places that run out, under concurrent pressure: sessions and their waiting lists.

The centre's places for cases are tested with the register, in test_cases.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from coptui.errors import CapacityError
from coptui.models import (
    Case,
    CaseStatus,
    Programme,
    ProgrammeKind,
    ReferralSource,
    ServiceKind,
)
from coptui.services.booking import BookingRequest, book_event
from coptui.services.places import join_session, leave_session, waiting_list
from coptui.services.transaction import transact
from tests.factories import at, make_world


def add_cases(
    session: Session,
    centre: int,
    n: int,
    status: CaseStatus = CaseStatus.WAITING,
    prefix: str = "Р",
) -> list[int]:
    cases = [
        Case(
            centre_id=centre,
            code=f"{prefix}-{i:03}",
            referral_source=ReferralSource.SELF,
            service_kind=ServiceKind.GENERAL_ACCESS,
            status=status,
            # Within the two months of general access on the day the tests book (02.12.2026).
            active_from=date(2026, 11, 1) if status == CaseStatus.ACTIVE else None,
        )
        for i in range(n)
    ]
    session.add_all(cases)
    session.flush()
    return [c.id or 0 for c in cases]


def race(n: int, attempt: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        barrier.wait()
        result = attempt(i)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(outcomes)


def test_twenty_at_the_last_places_of_a_session(engine: Engine) -> None:
    def setup(session: Session) -> tuple[int, list[int]]:
        world = make_world(session)
        programme = Programme(
            centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие", capacity=10
        )
        session.add(programme)
        session.flush()
        cases = add_cases(session, world.centre, 27, CaseStatus.ACTIVE)
        event = book_event(
            session,
            request=BookingRequest(
                centre_id=world.centre,
                title="Арт ателие",
                start=at("15:00"),
                end=at("16:30"),
                staff_ids=(world.staff,),
                case_ids=tuple(cases[:7]),
                programme_id=programme.id,
            ),
        )
        return event.id, cases[7:]

    event_id, newcomers = transact(engine, setup)

    def attempt(i: int) -> str:
        try:
            result = transact(
                engine,
                lambda s: join_session(
                    s, event_id=event_id, case_id=newcomers[i], waitlist=i % 2 == 0
                ),
            )
        except CapacityError:
            return "full"
        return "joined" if result.joined else "waiting"

    outcomes = race(20, attempt)
    assert outcomes.count("joined") == 3
    assert outcomes.count("full") + outcomes.count("waiting") == 17
    with Session(engine) as session:
        taken = session.execute(
            text("SELECT count(*) FROM event_case WHERE event_id = :e"), {"e": event_id}
        ).scalar_one()
        waiting = waiting_list(session, event_id=event_id)
    assert taken == 10
    assert len(waiting) == outcomes.count("waiting")
    # A place frees: the first in line takes it.
    with Session(engine) as session:
        inside = list(
            session.execute(
                text("SELECT case_id FROM event_case WHERE event_id = :e AND case_id = ANY(:n)"),
                {"e": event_id, "n": newcomers},
            ).scalars()
        )
    promoted = transact(engine, lambda s: leave_session(s, event_id=event_id, case_id=inside[0]))
    assert promoted == waiting[0]
    with Session(engine) as session:
        assert waiting_list(session, event_id=event_id) == waiting[1:]
