"""The database's functions cannot be turned by a role's own temporary tables (issue 9, point 2).

An unqualified table name in a function resolves through its search_path, and a session's
temporary schema comes first unless the path names it. A login role that creates
``TEMP TABLE audit_log`` would receive its own audit rows (coptui_audit is SECURITY DEFINER),
and one that creates ``TEMP TABLE event`` would keep the event's copies of its people from
being updated. These tests connect as a real non-superuser login role.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tests.factories import add_event, make_world, span


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def role_url(database_url: str, engine: Engine) -> Iterator[str]:
    """A libpq URL for a fresh login role: no superuser, no BYPASSRLS, no role yet."""
    role = f"coptui_evader_{uuid.uuid4().hex[:8]}"
    password = secrets.token_hex(12)
    admin = _libpq(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
    url = make_url(database_url).set(username=role, password=password)
    try:
        yield _libpq(url.render_as_string(hide_password=False))
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            # Its connections are closed; its grants in this database go with DROP OWNED.
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _coordinator(engine: Engine, role_url: str, staff_id: int) -> str:
    """Make the role a coordinator (migration 0009), the login of staff member ``staff_id``."""
    role = make_url(role_url).username
    assert role is not None
    with engine.begin() as conn:
        conn.execute(text(f'GRANT coptui_coordinator TO "{role}"'))
        conn.execute(text("UPDATE staff SET login = :r WHERE id = :s"), {"r": role, "s": staff_id})
    return role


def test_a_temporary_audit_log_does_not_catch_the_audit(engine: Engine, role_url: str) -> None:
    with Session(engine) as session:
        world = make_world(session)
        event = add_event(session, world, span("09:00", "10:00"), room=world.room)
        event_id = event.id
        session.commit()
    role = _coordinator(engine, role_url, world.other_staff)

    with psycopg.connect(role_url) as conn:
        assert conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False,)
        conn.execute(
            "CREATE TEMP TABLE audit_log (id bigint, centre_id int, at timestamptz,"
            " login text, table_name text, row_id text, action text, old jsonb, new jsonb)"
        )
        conn.execute("UPDATE event SET title = 'Преместено' WHERE id = %s", (event_id,))
        caught = conn.execute("SELECT count(*) FROM pg_temp.audit_log").fetchone()
        conn.commit()

    assert caught == (0,)
    with engine.connect() as conn:
        logged = conn.execute(
            text(
                "SELECT login, new ->> 'title' FROM public.audit_log WHERE table_name = 'event'"
                " AND row_id = :id AND action = 'UPDATE'"
            ),
            {"id": str(event_id)},
        ).all()
    assert [tuple(r) for r in logged] == [(role, "Преместено")]


def test_a_temporary_event_table_does_not_keep_the_people_copies(
    engine: Engine, role_url: str
) -> None:
    with Session(engine) as session:
        world = make_world(session)
        event = add_event(session, world, span("09:00", "10:00"), room=world.room)
        event_id, centre, staff = event.id, world.centre, world.staff
        session.commit()
    _coordinator(engine, role_url, world.other_staff)

    with psycopg.connect(role_url) as conn:
        conn.execute("CREATE TEMP TABLE event (id int, staff_ids int[], case_ids int[])")
        conn.execute("INSERT INTO pg_temp.event VALUES (%s, '{}', '{}')", (event_id,))
        conn.execute(
            "INSERT INTO public.event_staff (event_id, centre_id, during, event_status,"
            " staff_id, is_lead) SELECT id, centre_id, during, status, %s, true"
            " FROM public.event WHERE id = %s",
            (staff, event_id),
        )
        decoy = conn.execute("SELECT staff_ids FROM pg_temp.event").fetchone()
        conn.commit()

    assert decoy == ([],)
    with engine.connect() as conn:
        copies = conn.execute(
            text("SELECT staff_ids FROM public.event WHERE id = :id AND centre_id = :c"),
            {"id": event_id, "c": centre},
        ).scalar_one()
    assert copies == [staff]
