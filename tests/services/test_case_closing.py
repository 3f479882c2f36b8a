"""Closing a case frees its later sessions, in the same transaction, on a real PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.db import make_engine
from coptui.domain.enums import EventKind
from coptui.i18n import set_language
from coptui.models import Programme, ProgrammeKind
from coptui.services.booking import BookingRequest, book_event
from coptui.services.case_closing import FreedSessions, freed_text, later_sessions, later_text
from coptui.services.case_reads import CaseRow
from coptui.services.cases import close_case
from coptui.services.edits import cancel_event, mark_held
from coptui.services.places import join_session, waiting_list
from coptui.services.report import month_report
from tests.factories import DAY, World, at
from tests.roles import RolesWorld
from tests.services.test_cases import TODAY, centre, general

LAST = date(2027, 3, 10)  # the closing case's last day (a Wednesday)


def book(
    session: Session,
    world: World,
    cases: tuple[int, ...],
    day: date,
    start: str = "10:00",
    end: str = "11:00",
    *,
    kind: EventKind = EventKind.INDIVIDUAL,
    programme: int | None = None,
    staff: int | None = None,
) -> int:
    booked = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Занимание",
            kind=kind,
            start=at(start, day),
            end=at(end, day),
            staff_ids=(staff or world.staff,),
            case_ids=cases,
            programme_id=programme,
            allow_non_working_day=True,
        ),
    )
    return booked.id


def status(session: Session, event_id: int) -> tuple[str, str | None, list[int]]:
    row = session.execute(
        text(
            "SELECT e.status, e.cancel_reason, array(SELECT case_id FROM event_case l"
            " WHERE l.event_id = e.id ORDER BY case_id) AS cases FROM event e WHERE e.id = :e"
        ),
        {"e": event_id},
    ).one()
    return str(row.status), row.cancel_reason, list(row.cases)


def version(session: Session, event_id: int) -> int:
    found = session.execute(text("SELECT version FROM event WHERE id = :e"), {"e": event_id})
    return int(found.scalar_one())


def close(session: Session, case: CaseRow, on: date = LAST) -> FreedSessions:
    current = session.execute(
        text("SELECT version FROM case_file WHERE id = :c"), {"c": case.id}
    ).scalar_one()
    done = close_case(
        session, case_id=case.id, version=current, on=on, reason="Преместване", today=TODAY
    )
    assert done.case.status == "closed"
    return done.sessions


def art_studio(session: Session, world: World, capacity: int) -> int:
    programme = Programme(
        centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие",
        capacity=capacity,
    )  # fmt: skip
    session.add(programme)
    session.flush()
    assert programme.id is not None
    return programme.id


def test_the_childs_own_later_sessions_are_cancelled_and_the_last_day_stays(
    session: Session,
) -> None:
    set_language("bg")
    world = centre(session)
    child = general(session, world, "З-1", TODAY)
    before = book(session, world, (child.id,), date(2027, 3, 2))
    last_day = book(session, world, (child.id,), LAST, "23:00", "23:50")
    midnight = book(session, world, (child.id,), date(2027, 3, 11), "00:00", "00:45")
    mobile = book(session, world, (child.id,), date(2027, 3, 12), kind=EventKind.MOBILE_WORK)
    held = book(session, world, (child.id,), date(2027, 3, 15))
    mark_held(session, event_id=held, version=version(session, held))
    cancelled = book(session, world, (child.id,), date(2027, 3, 16))
    cancel_event(session, event_id=cancelled, version=version(session, cancelled), reason="Болест")
    later = book(session, world, (child.id,), date(2027, 4, 20))

    assert later_sessions(session, case_id=child.id, on=LAST) == FreedSessions(cancelled=3)
    freed = close(session, child)

    assert freed == FreedSessions(cancelled=3)
    for event_id in (midnight, mobile, later):
        assert status(session, event_id) == ("cancelled", "Случаят е закрит", [child.id])
    # The last day, and every held or cancelled session, is history: as it was.
    assert status(session, before) == ("planned", None, [child.id])
    assert status(session, last_day) == ("planned", None, [child.id])
    assert status(session, held) == ("held", None, [child.id])
    assert status(session, cancelled) == ("cancelled", "Болест", [child.id])
    # The cancel path ran: the audit has the cancellation.
    audited = session.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE table_name = 'event' AND row_id = :e"
            " AND new ->> 'status' = 'cancelled'"
        ),
        {"e": str(later)},
    ).scalar_one()
    assert audited == 1


def test_a_group_keeps_its_children_and_offers_the_seat_to_the_first_waiting(
    session: Session,
) -> None:
    world = centre(session)
    closing = general(session, world, "Г-1", TODAY)
    other = general(session, world, "Г-2", TODAY)
    first = general(session, world, "Г-3", TODAY)
    second = general(session, world, "Г-4", TODAY)
    programme = art_studio(session, world, capacity=2)
    day = date(2027, 3, 17)
    group = book(
        session, world, (closing.id, other.id), day, kind=EventKind.PROGRAMME_SESSION,
        programme=programme,
    )  # fmt: skip
    for case in (first, second):
        assert not join_session(session, event_id=group, case_id=case.id, waitlist=True).joined
    # A group with no programme and another child: the child leaves, the group stays.
    plain = book(session, world, (closing.id, other.id), date(2027, 3, 18), kind=EventKind.GROUP)
    # A programme session the child alone is in is the programme's, not the child's: it stays.
    alone = book(
        session, world, (closing.id,), date(2027, 3, 19), kind=EventKind.PROGRAMME_SESSION,
        programme=programme,
    )  # fmt: skip

    assert later_sessions(session, case_id=closing.id, on=LAST) == FreedSessions(left=3)
    freed = close(session, closing)

    assert freed == FreedSessions(left=3, offered=1)
    assert status(session, group) == ("planned", None, sorted((other.id, first.id)))
    assert waiting_list(session, event_id=group) == [second.id]
    offered = session.execute(
        text("SELECT offered_at IS NOT NULL FROM event_case WHERE event_id = :e AND case_id = :c"),
        {"e": group, "c": first.id},
    ).scalar_one()
    assert offered is True
    assert status(session, plain) == ("planned", None, [other.id])
    assert status(session, alone) == ("planned", None, [])


def test_the_child_leaves_the_waiting_lists_of_later_sessions_only(session: Session) -> None:
    set_language("en")
    world = centre(session)
    closing = general(session, world, "Ч-1", TODAY)
    taken = general(session, world, "Ч-2", TODAY)
    programme = art_studio(session, world, capacity=1)
    sessions = [
        book(
            session,
            world,
            (taken.id,),
            day,
            kind=EventKind.PROGRAMME_SESSION,
            programme=programme,
            staff=world.other_staff,
        )
        for day in (LAST, date(2027, 3, 11), date(2027, 3, 24))
    ]
    for event_id in sessions:
        join_session(session, event_id=event_id, case_id=closing.id, waitlist=True)

    assert later_text(later_sessions(session, case_id=closing.id, on=LAST), LAST) == (
        "After 10.03.2027: off 2 waiting lists. Its history stays."
    )
    freed = close(session, closing)

    assert freed == FreedSessions(waiting_lists=2)
    assert freed_text(freed) == "Later sessions: off 2 waiting lists."
    assert [waiting_list(session, event_id=e) for e in sessions] == [[closing.id], [], []]
    assert [status(session, e)[2] for e in sessions] == [[taken.id]] * 3


def test_the_monthly_report_no_longer_expects_the_child(session: Session) -> None:
    world = centre(session)
    closing = general(session, world, "М-1", TODAY)
    other = general(session, world, "М-2", TODAY)
    programme = art_studio(session, world, capacity=10)
    group = book(
        session, world, (closing.id, other.id), date(2027, 3, 17),
        kind=EventKind.PROGRAMME_SESSION, programme=programme,
    )  # fmt: skip
    close(session, closing)
    mark_held(session, event_id=group, version=version(session, group))

    report = month_report(
        session, centre_id=world.centre, year=2027, month=3, today=date(2027, 3, 31)
    )
    (line,) = report.attendance
    assert (line.programme, line.registered, line.unmarked) == ("Арт ателие", 1, 1)


def test_the_summary_in_words(session: Session) -> None:
    set_language("en")
    assert freed_text(FreedSessions()) == "No later sessions to change."
    assert freed_text(FreedSessions(cancelled=2, left=1, offered=1, waiting_lists=1)) == (
        "Later sessions: 2 sessions cancelled; 1 place in a group freed;"
        " 1 offered to a waiting child; off 1 waiting list."
    )
    assert (
        later_text(FreedSessions(), LAST)
        == "It has no sessions after 10.03.2027; its history stays."
    )


def test_a_specialist_closes_a_case_of_their_caseload(roles_world: RolesWorld) -> None:
    """Анна may close Ели's case and free Ели's seat in the session she leads; the waiting
    list (no grant for a specialist) stays as it is, and the case still closes."""
    w = roles_world.world
    engine = make_engine(roles_world.url_of("specialist"))
    try:
        with Session(engine) as session:
            ids = roles_world.ids
            current = session.execute(
                text("SELECT version FROM case_file WHERE id = :c"), {"c": w.case}
            ).scalar_one()
            done = close_case(
                session, case_id=w.case, version=current, on=DAY - timedelta(days=1),
                reason="Преместване", today=DAY - timedelta(days=1),
            )  # fmt: skip
            assert done.case.status == "closed"
            assert done.sessions == FreedSessions(left=1)
            assert status(session, ids["mine"])[2] == [ids["maya"]]
            session.rollback()
    finally:
        engine.dispose()
