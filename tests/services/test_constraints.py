"""Invariants 1–3 and 5 as PostgreSQL constraints, proven on a real server."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from coptui.models import EventStatus
from tests.factories import World, add_event, make_world, shift, span

EXCLUSION_VIOLATION = "23P01"
CHECK_VIOLATION = "23514"


def sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    assert isinstance(orig, psycopg.Error)
    return orig.sqlstate


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


KINDS = {
    "room": lambda w: {"room": w.room},
    "staff": lambda w: {"staff": (w.staff,)},
    "case": lambda w: {"cases": (w.case,)},
    "volunteer": lambda w: {"volunteers": (w.volunteer,)},
}


@pytest.mark.parametrize("kind", KINDS)
def test_overlap_is_refused(session: Session, world: World, kind: str) -> None:
    add_event(session, world, span("09:00", "10:00"), **KINDS[kind](world))
    with pytest.raises(DBAPIError) as caught, session.begin_nested():
        add_event(session, world, span("09:30", "10:30"), **KINDS[kind](world))
    assert sqlstate(caught.value) == EXCLUSION_VIOLATION


@pytest.mark.parametrize("kind", KINDS)
def test_touching_ranges_are_allowed(session: Session, world: World, kind: str) -> None:
    add_event(session, world, span("09:00", "10:00"), **KINDS[kind](world))
    add_event(session, world, span("10:00", "11:00"), **KINDS[kind](world))
    add_event(session, world, span("08:00", "09:00"), **KINDS[kind](world))


@pytest.mark.parametrize("kind", KINDS)
def test_cancel_frees_the_slot(session: Session, world: World, kind: str) -> None:
    first = add_event(session, world, span("09:00", "10:00"), **KINDS[kind](world))
    first.status = EventStatus.CANCELLED
    first.cancel_reason = "болест"
    session.flush()
    add_event(session, world, span("09:00", "10:00"), **KINDS[kind](world))


@pytest.mark.parametrize("kind", KINDS)
def test_moving_into_a_clash_is_refused(session: Session, world: World, kind: str) -> None:
    add_event(session, world, span("09:00", "10:00"), **KINDS[kind](world))
    later = add_event(session, world, span("11:00", "12:00"), **KINDS[kind](world))
    moved = shift(span("11:00", "12:00"), -90)
    with pytest.raises(DBAPIError) as caught, session.begin_nested():
        session.execute(
            text("UPDATE event SET during = tstzrange(:a, :b) WHERE id = :id"),
            {"a": moved.lower, "b": moved.upper, "id": later.id},
        )
    assert sqlstate(caught.value) == EXCLUSION_VIOLATION


def test_different_resources_do_not_clash(session: Session, world: World) -> None:
    add_event(session, world, span("09:00", "10:00"), room=world.room, staff=(world.staff,))
    add_event(session, world, span("09:00", "10:00"), room=world.office, staff=(world.other_staff,))
    # Events with no room never clash on the room.
    add_event(session, world, span("09:00", "10:00"), cases=(world.case,))
    add_event(session, world, span("09:00", "10:00"), cases=(world.other_case,))


def test_link_rows_follow_their_event(session: Session, world: World) -> None:
    event = add_event(session, world, span("09:00", "10:00"), staff=(world.staff,))
    session.execute(
        text(
            "UPDATE event SET during = tstzrange(:a, :b), status = 'cancelled',"
            " cancel_reason = 'x' WHERE id = :id"
        ),
        {"a": span("13:00", "14:00").lower, "b": span("13:00", "14:00").upper, "id": event.id},
    )
    row = session.execute(
        text("SELECT lower(during), event_status FROM event_staff WHERE event_id = :id"),
        {"id": event.id},
    ).one()
    assert row[0] == span("13:00", "14:00").lower
    assert row[1] == "cancelled"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE event SET during = tstzrange(lower(during), lower(during)) WHERE id = :id",
        "UPDATE event SET during = tstzrange(lower(during), NULL) WHERE id = :id",
        "UPDATE event SET during = tstzrange(upper(during), lower(during) + interval '1 hour',"
        " '[]') WHERE id = :id",
        "UPDATE event SET status = 'cancelled' WHERE id = :id",
        "UPDATE event SET version = 0 WHERE id = :id",
        "UPDATE event SET title = '' WHERE id = :id",
    ],
)
def test_checks_refuse_bad_values(session: Session, world: World, sql: str) -> None:
    event = add_event(session, world, span("09:00", "10:00"))
    with pytest.raises(DBAPIError) as caught, session.begin_nested():
        session.execute(text(sql), {"id": event.id})
    assert sqlstate(caught.value) in (CHECK_VIOLATION, "22000")


def test_every_editable_table_has_a_version(session: Session) -> None:
    rows = session.execute(
        text(
            "SELECT table_name FROM information_schema.tables t WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_log',"
            " 'case_access_log', 'alembic_version', 'centre_capacity', 'event_staff',"
            " 'waitlist_entry', 'event_import')"  # rows added and removed, never edited
            " AND NOT EXISTS (SELECT 1 FROM information_schema.columns c"
            "   WHERE c.table_name = t.table_name AND c.column_name = 'version')"
        )
    ).all()
    assert rows == []


def test_every_table_carries_centre_id(session: Session) -> None:
    rows = session.execute(
        text(
            "SELECT table_name FROM information_schema.tables t WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' AND table_name NOT IN ('alembic_version', 'centre')"
            " AND NOT EXISTS (SELECT 1 FROM information_schema.columns c"
            "   WHERE c.table_name = t.table_name AND c.column_name = 'centre_id')"
        )
    ).all()
    assert rows == []


def test_audit_records_changes_with_the_login(session: Session, world: World) -> None:
    event = add_event(session, world, span("09:00", "10:00"), staff=(world.staff,))
    session.execute(text("UPDATE event SET title = 'Ново' WHERE id = :id"), {"id": event.id})
    rows = session.execute(
        text(
            "SELECT action, login, old->>'title', new->>'title', new->'staff_ids'"
            " FROM audit_log WHERE table_name = 'event' AND row_id = :id ORDER BY id"
        ),
        {"id": str(event.id)},
    ).all()
    current = session.execute(text("SELECT session_user")).scalar_one()
    # The event was inserted without people, then its staff link: the trigger copied the
    # staff into the event (an UPDATE of staff_ids), then the title changed.
    assert [r[0] for r in rows] == ["INSERT", "UPDATE", "UPDATE"]
    assert rows[1][4] == [world.staff]
    assert rows[2][1] == current
    assert rows[2][2:4] == ("Занимание", "Ново")
    link = session.execute(
        text("SELECT row_id FROM audit_log WHERE table_name = 'event_staff'")
    ).scalar_one()
    assert link == f"{event.id}:{world.staff}"


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_log SET login = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"]
)
def test_audit_log_is_append_only(session: Session, world: World, sql: str) -> None:
    add_event(session, world, span("09:00", "10:00"))
    with pytest.raises(DBAPIError) as caught, session.begin_nested():
        session.execute(text(sql))
    assert sqlstate(caught.value) == "42501"
