"""iCalendar under each person's own login (migration 0009's roles, 0011's event_import):
a volunteer exports only their own activities and never a child; a coordinator's file has
no child either; a specialist brings busy times onto their own calendar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from coptui import db
from coptui.errors import PermissionDeniedError
from coptui.export.ics import build_calendar
from coptui.services.ics_export import export_rows
from coptui.services.ics_import import Busy, import_busy
from coptui.services.transaction import transact
from tests.factories import DAY, SOFIA
from tests.roles import FUTURE, RolesWorld, as_user, roles_world

__all__ = ["roles_world"]

CHILDREN = ("Т-001", "Т-002", "Т-003", "Ели", "Иво", "Мая")


@pytest.fixture
def engines(roles_world: RolesWorld) -> Iterator[dict[str, Engine]]:
    made = {
        who: db.make_engine(as_user(roles_world.url, roles_world.logins[who]))
        for who in ("coordinator", "specialist", "volunteer")
    }
    yield made
    for engine in made.values():
        engine.dispose()


def _file(
    engine: Engine, world: RolesWorld, resource: str, resource_id: int, day: date = DAY
) -> bytes:
    start = datetime.combine(day, time(0), tzinfo=SOFIA)

    def work(session: Session) -> bytes:
        rows = export_rows(
            session,
            centre_id=world.world.centre,
            resource=resource,
            resource_id=resource_id,
            start=start,
            end=start + timedelta(days=1),
        )
        return build_calendar(
            name="test", slug="test-1", singles=list(rows.singles), series=list(rows.series)
        )

    return transact(engine, work)


def test_a_volunteer_exports_their_own_and_nothing_else(
    roles_world: RolesWorld, engines: dict[str, Engine]
) -> None:
    w = roles_world.world
    data = _file(engines["volunteer"], roles_world, "volunteer", w.volunteer)
    assert b"SUMMARY:\xd0\x90\xd1\x80\xd1\x82" in data  # «Арт ателие», her session
    assert b"LOCATION:" in data
    for word in CHILDREN:
        assert word.encode() not in data
    with pytest.raises(PermissionDeniedError):
        _file(engines["volunteer"], roles_world, "room", w.room)
    with pytest.raises(PermissionDeniedError):
        _file(engines["volunteer"], roles_world, "volunteer", roles_world.ids["petya"])


def test_a_coordinators_file_names_no_child(
    roles_world: RolesWorld, engines: dict[str, Engine]
) -> None:
    w = roles_world.world
    data = _file(engines["coordinator"], roles_world, "staff", w.other_staff, FUTURE)
    text_of = data.decode()
    assert "Среща с …" in text_of  # the title «Среща с Иво», the child blanked out
    for word in CHILDREN:
        assert word not in text_of


def test_a_specialist_brings_busy_time_onto_their_own_calendar(
    roles_world: RolesWorld, engines: dict[str, Engine]
) -> None:
    w = roles_world.world
    start = datetime.combine(DAY, time(7), tzinfo=SOFIA)
    busy = [Busy("course@example.org", "", "Курс", start, start + timedelta(minutes=45))]

    def bring(session: Session) -> int:
        result = import_busy(
            session, centre_id=w.centre, target="staff", target_id=w.staff, busy=busy, write=True
        )
        return len(result.new)

    assert transact(engines["specialist"], bring) == 1
    assert transact(engines["specialist"], bring) == 0  # a second time: skipped by its UID
    with db.make_engine(roles_world.url).connect() as conn:
        found = conn.execute(
            text("SELECT calendar, uid FROM event_import WHERE centre_id = :c"), {"c": w.centre}
        ).all()
    assert [tuple(r) for r in found] == [(f"staff:{w.staff}", "course@example.org")]


def test_a_specialist_keeps_their_own_imported_blocks_up_to_date(
    roles_world: RolesWorld, engines: dict[str, Engine]
) -> None:
    w = roles_world.world
    day = DAY + timedelta(days=2)  # away from the other tests' blocks
    start = datetime.combine(day, time(6), tzinfo=SOFIA)
    window = (datetime.combine(day, time(0), tzinfo=SOFIA), start + timedelta(days=1))

    def bring(*busy: Busy) -> Callable[[Session], tuple[int, int, int]]:
        def work(session: Session) -> tuple[int, int, int]:
            result = import_busy(
                session,
                centre_id=w.centre,
                target="staff",
                target_id=w.staff,
                busy=list(busy),
                write=True,
                window=window,
            )
            return len(result.new), len(result.changed), len(result.removed)

        return work

    first = Busy("moving@example.org", "", "Курс", start, start + timedelta(minutes=30))
    moved = replace(first, start=start + timedelta(hours=12), end=start + timedelta(hours=13))
    assert transact(engines["specialist"], bring(first)) == (1, 0, 0)
    assert transact(engines["specialist"], bring(moved)) == (0, 1, 0)
    assert transact(engines["specialist"], bring()) == (0, 0, 1)
    with db.make_engine(roles_world.url).connect() as conn:
        found = conn.execute(
            text(
                "SELECT e.status, lower(e.during) FROM event e JOIN event_import i"
                " ON i.event_id = e.id WHERE i.uid = 'moving@example.org'"
            )
        ).one()
    assert tuple(found) == ("cancelled", moved.start)
