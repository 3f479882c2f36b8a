"""A save with no change writes nothing; cancelling a cancelled event is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.domain.recurrence import Recurrence
from coptui.errors import RefusedError
from coptui.services.booking import book_event
from coptui.services.edits import EventChanges, cancel_event, cancel_series, edit_event
from coptui.services.event_reads import load_event
from coptui.services.series import book_series
from tests.factories import World, make_world
from tests.services.test_booking import req


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def audit_rows(session: Session, event_id: int) -> int:
    return session.execute(
        text(
            "SELECT count(*) FROM audit_log"
            " WHERE table_name = 'event' AND row_id = CAST(:e AS text)"
        ),
        {"e": event_id},
    ).scalar_one()


def test_saving_the_form_unchanged_keeps_the_version_and_writes_no_audit(
    session: Session, world: World
) -> None:
    event = book_event(
        session,
        request=req(
            world, "09:00", "10:00", room_id=world.room, staff_ids=(world.staff, world.other_staff)
        ),
    )
    before = audit_rows(session, event.id)
    row = load_event(session, event.id)
    # What the form sends on Ctrl+S: every field, as it showed them.
    same = EventChanges(
        title=row.title,
        kind=None,
        notes=row.notes or "",
        start=row.s,
        end=row.u,
        set_room=True,
        room_id=row.room_id,
        staff_ids=tuple(row.staff),
        case_ids=tuple(row.cases),
        volunteer_ids=tuple(row.volunteers),
    )
    saved = edit_event(session, event_id=event.id, version=event.version, changes=same)
    assert saved.version == event.version
    assert load_event(session, event.id).version == event.version
    assert audit_rows(session, event.id) == before
    # A colleague who opened the same event at that version still saves without a clash.
    changed = edit_event(
        session, event_id=event.id, version=event.version, changes=EventChanges(title="Ново")
    )
    assert changed.version == event.version + 1


def test_cancelling_a_cancelled_event_is_refused_and_keeps_the_reason(
    session: Session, world: World
) -> None:
    event = book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    cancelled = cancel_event(session, event_id=event.id, version=event.version, reason="болест")
    with pytest.raises(RefusedError) as caught:
        cancel_event(session, event_id=event.id, version=cancelled.version, reason="друго")
    assert "вече е отменено" in caught.value.message
    with pytest.raises(RefusedError):
        cancel_series(session, event_id=event.id, reason="друго")
    row = session.execute(
        text("SELECT version, cancel_reason FROM event WHERE id = :e"), {"e": event.id}
    ).one()
    assert tuple(row) == (cancelled.version, "болест")


def test_cancelling_a_cancelled_occurrence_of_a_series_is_refused(
    session: Session, world: World
) -> None:
    result = book_series(
        session,
        request=req(world, "09:00", "10:00", room_id=world.room),
        rule=Recurrence(count=3),
    )
    first = result.booked[0]
    cancel_series(session, event_id=first.id, reason="болест", scope="this")
    with pytest.raises(RefusedError):
        cancel_series(session, event_id=first.id, reason="друго", scope="all")
    assert load_event(session, result.booked[1].id).status != "cancelled"
