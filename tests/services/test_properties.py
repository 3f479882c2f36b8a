"""Property: whatever is booked, moved, re-peopled or cancelled, nothing ever overlaps.

Hypothesis draws sequences of operations on a small centre (two rooms, two staff, two
children, one volunteer, one day): small enough that clashes are frequent. After every
refused operation the database must be exactly as before it; after the whole sequence no
resource may hold two live events at once, and every event's copies of its staff and cases
(read by the centre's week) must equal its link rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from coptui.errors import CoptError
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import EventChanges, cancel_event, edit_event
from coptui.services.event_reads import load_event
from coptui.services.transaction import transact
from tests.factories import World, at, make_world

SLOTS = 6  # half hours from 08:00: few, so that clashes are frequent


@dataclass(frozen=True)
class Book:
    slot: int
    length: int
    room: int  # 0 none, 1 group room, 2 office
    staff: frozenset[int]
    cases: frozenset[int]
    volunteer: bool


@dataclass(frozen=True)
class Move:
    pick: int
    slot: int
    length: int


@dataclass(frozen=True)
class People:
    pick: int
    staff: frozenset[int]
    cases: frozenset[int]


@dataclass(frozen=True)
class Cancel:
    pick: int


Op = Book | Move | People | Cancel

pairs = st.frozensets(st.sampled_from([0, 1]), max_size=2)
operations = st.lists(
    st.one_of(
        st.builds(
            Book,
            slot=st.integers(0, SLOTS - 1),
            length=st.integers(1, 4),
            room=st.integers(0, 2),
            staff=pairs,
            cases=pairs,
            volunteer=st.booleans(),
        ),
        st.builds(
            Move, pick=st.integers(0, 50), slot=st.integers(0, SLOTS - 1), length=st.integers(1, 4)
        ),
        st.builds(People, pick=st.integers(0, 50), staff=pairs, cases=pairs),
        st.builds(Cancel, pick=st.integers(0, 50)),
    ),
    min_size=3,
    max_size=20,
)

SNAPSHOT = text(
    "SELECT (SELECT coalesce(string_agg(format('%s %s %s %s %s %s', id, during, status, room_id,"
    "  version, title), ';' ORDER BY id), '') FROM event)"
    " || '|' || (SELECT coalesce(string_agg(format('%s %s %s %s', event_id, staff_id, during,"
    "  event_status), ';' ORDER BY event_id, staff_id), '') FROM event_staff)"
    " || '|' || (SELECT coalesce(string_agg(format('%s %s %s %s', event_id, case_id, during,"
    "  event_status), ';' ORDER BY event_id, case_id), '') FROM event_case)"
    " || '|' || (SELECT coalesce(string_agg(format('%s %s %s %s %s', id, event_id, volunteer_id,"
    "  during, event_status), ';' ORDER BY id), '') FROM roster_slot)"
)

PEOPLE_COPIES_WRONG = text(
    """
    SELECT count(*) FROM event e
     WHERE e.staff_ids <> coalesce((SELECT array_agg(l.staff_id ORDER BY l.is_lead DESC,
                                                     l.staff_id)
                                      FROM event_staff l WHERE l.event_id = e.id), '{}')
        OR e.case_ids <> coalesce((SELECT array_agg(l.case_id ORDER BY l.case_id)
                                     FROM event_case l WHERE l.event_id = e.id), '{}')
    """
)

OVERLAPS = text(
    """
    SELECT
      (SELECT count(*) FROM event a JOIN event b ON a.room_id = b.room_id AND a.id < b.id
        AND a.during && b.during WHERE a.status <> 'cancelled' AND b.status <> 'cancelled')
    + (SELECT count(*) FROM event_staff a JOIN event_staff b ON a.staff_id = b.staff_id
        AND a.event_id < b.event_id AND a.during && b.during
        WHERE a.event_status <> 'cancelled' AND b.event_status <> 'cancelled')
    + (SELECT count(*) FROM event_case a JOIN event_case b ON a.case_id = b.case_id
        AND a.event_id < b.event_id AND a.during && b.during
        WHERE a.event_status <> 'cancelled' AND b.event_status <> 'cancelled')
    + (SELECT count(*) FROM roster_slot a JOIN roster_slot b ON a.volunteer_id = b.volunteer_id
        AND a.id < b.id AND a.during && b.during
        WHERE a.event_status <> 'cancelled' AND b.event_status <> 'cancelled'
          AND a.status <> 'declined' AND b.status <> 'declined')
    """
)


def _apply(session: Session, world: World, op: Op, events: list[int]) -> int | None:
    staff = (world.staff, world.other_staff)
    cases = (world.case, world.other_case)
    rooms = (None, world.room, world.office)
    if isinstance(op, Book):
        start = at("08:00") + timedelta(minutes=30 * op.slot)
        booked = book_event(
            session,
            request=BookingRequest(
                centre_id=world.centre,
                title="Проба",
                start=start,
                end=start + timedelta(minutes=30 * op.length),
                room_id=rooms[op.room],
                staff_ids=tuple(staff[i] for i in sorted(op.staff)),
                case_ids=tuple(cases[i] for i in sorted(op.cases)),
                volunteer_ids=(world.volunteer,) if op.volunteer else (),
            ),
        )
        return booked.id
    target = events[op.pick % len(events)]
    version = load_event(session, target).version
    if isinstance(op, Move):
        start = at("08:00") + timedelta(minutes=30 * op.slot)
        edit_event(
            session,
            event_id=target,
            version=version,
            changes=EventChanges(start=start, end=start + timedelta(minutes=30 * op.length)),
        )
    elif isinstance(op, People):
        edit_event(
            session,
            event_id=target,
            version=version,
            changes=EventChanges(
                staff_ids=tuple(staff[i] for i in sorted(op.staff)),
                case_ids=tuple(cases[i] for i in sorted(op.cases)),
            ),
        )
    else:
        cancel_event(session, event_id=target, version=version, reason="проверка")
    return None


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_no_overlap_and_refusals_change_nothing(module_engine: Engine, ops: list[Op]) -> None:
    with module_engine.begin() as conn:
        conn.execute(text("TRUNCATE centre CASCADE"))
    world = transact(module_engine, make_world)
    events: list[int] = []
    for op in ops:
        if not isinstance(op, Book) and not events:
            continue
        with Session(module_engine) as session:
            before = session.execute(SNAPSHOT).scalar_one()
        try:
            new = transact(module_engine, lambda s, op=op: _apply(s, world, op, events))
        except CoptError as refused:
            event(f"refused: {type(refused).__name__}")
            with Session(module_engine) as session:
                assert session.execute(SNAPSHOT).scalar_one() == before, op
            continue
        if new is not None:
            events.append(new)
    with Session(module_engine) as session:
        assert session.execute(OVERLAPS).scalar_one() == 0
        assert session.execute(PEOPLE_COPIES_WRONG).scalar_one() == 0
