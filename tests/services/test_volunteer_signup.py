"""A volunteer signs themselves up for an open place with their own login role (under RLS)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from psycopg import sql
from psycopg.types.range import Range
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from coptui import db
from coptui.domain.timeutil import SOFIA
from coptui.errors import CapacityError, PermissionDeniedError, RefusedError, SlotTakenError
from coptui.services.rosters import sign_up
from coptui.services.transaction import transact
from coptui.services.volunteer_signup import sign_up_myself, signed_up_line
from tests.roles import RolesWorld, libpq, roles_world

__all__ = ["roles_world"]

SOON = datetime.now(SOFIA).date() + timedelta(days=3)


def at(hhmm: str, day: date = SOON) -> datetime:
    h, m = hhmm.split(":")
    return datetime.combine(day, time(int(h), int(m)), tzinfo=SOFIA)


@pytest.fixture(scope="module")
def petya_login(roles_world: RolesWorld) -> Iterator[str]:
    """A second volunteer login (Петя); both volunteers with their papers in date."""
    login = f"cpt_petya_{uuid.uuid4().hex[:8]}"
    import psycopg

    with psycopg.connect(libpq(roles_world.admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
        conn.execute(sql.SQL("GRANT coptui_volunteer TO {}").format(sql.Identifier(login)))
    with owner(roles_world).begin() as conn:
        conn.execute(
            text("UPDATE volunteer SET login = :l WHERE id = :p"),
            {"l": login, "p": roles_world.ids["petya"]},
        )
        conn.execute(
            text(
                "UPDATE volunteer SET agreement_date = :a, criminal_record_date = :c"
                " WHERE centre_id = :centre"
            ),
            {
                "a": SOON - timedelta(days=30),
                "c": SOON - timedelta(days=30),
                "centre": roles_world.world.centre,
            },
        )
    yield login
    with psycopg.connect(libpq(roles_world.admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = {}"
            ).format(sql.Literal(login))
        )
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(login)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


_engines: dict[str, Engine] = {}


def owner(roles_world: RolesWorld) -> Engine:
    return engine_of(roles_world.url)


def engine_of(url: str) -> Engine:
    if url not in _engines:
        _engines[url] = db.make_engine(url)
    return _engines[url]


def as_login(roles_world: RolesWorld, login: str) -> Engine:
    from tests.roles import as_user

    return engine_of(as_user(roles_world.url, login))


def open_event(
    roles_world: RolesWorld,
    start: str,
    end: str,
    *,
    title: str = "Работилница",
    case: int | None = None,
) -> int:
    """A new event with a child (Иво unless ``case``) and one open place; the place's id."""
    w = roles_world.world
    during = Range(at(start), at(end), bounds="[)")
    with Session(owner(roles_world)) as s, s.begin():
        event = s.execute(
            text(
                "INSERT INTO event (centre_id, kind, title, during) VALUES (:c, 'group', :t, :d)"
                " RETURNING id, status"
            ),
            {"c": w.centre, "t": title, "d": during},
        ).one()
        s.execute(
            text(
                "INSERT INTO event_case (event_id, centre_id, during, event_status, case_id)"
                " VALUES (:e, :c, :d, :st, :k)"
            ),
            {
                "e": event.id,
                "c": w.centre,
                "d": during,
                "st": event.status,
                "k": case or w.other_case,
            },
        )
        return int(
            s.execute(
                text(
                    "INSERT INTO roster_slot (event_id, centre_id, during, event_status, task)"
                    " VALUES (:e, :c, :d, :st, 'помощ') RETURNING id"
                ),
                {"e": event.id, "c": w.centre, "d": during, "st": event.status},
            ).scalar_one()
        )


def holder(roles_world: RolesWorld, slot: int) -> tuple[Any, str]:
    with owner(roles_world).connect() as conn:
        row = conn.execute(
            text("SELECT volunteer_id, status FROM roster_slot WHERE id = :s"), {"s": slot}
        ).one()
    return row.volunteer_id, row.status


def vera(roles_world: RolesWorld) -> Engine:
    return as_login(roles_world, roles_world.logins["volunteer"])


def test_a_volunteer_takes_an_open_place(roles_world: RolesWorld, petya_login: str) -> None:
    slot = open_event(roles_world, "09:00", "10:00")
    place = transact(vera(roles_world), lambda s: sign_up_myself(s, slot_id=slot))
    assert holder(roles_world, slot) == (roles_world.world.volunteer, "assigned")
    assert place.slot_id == slot and place.volunteer_id == roles_world.world.volunteer
    assert signed_up_line(place).startswith("Имате място в „Работилница“")
    # It is theirs now: in their assignments, no longer among the open places.
    with vera(roles_world).connect() as conn:
        mine = conn.execute(text("SELECT slot_id FROM coptui_my_assignments")).scalars().all()
        still = conn.execute(text("SELECT slot_id FROM coptui_open_slots")).scalars().all()
    assert slot in mine and slot not in still


def test_the_coordinators_sign_up_is_not_open_to_a_volunteer(
    roles_world: RolesWorld, petya_login: str
) -> None:
    slot = open_event(roles_world, "10:00", "11:00")
    with owner(roles_world).connect() as conn:
        event = conn.execute(
            text("SELECT event_id FROM roster_slot WHERE id = :s"), {"s": slot}
        ).scalar_one()
    with pytest.raises(PermissionDeniedError):
        transact(
            vera(roles_world),
            lambda s: sign_up(s, event_id=event, volunteer_id=roles_world.world.volunteer),
        )


def test_the_last_place_goes_to_one_of_two(roles_world: RolesWorld, petya_login: str) -> None:
    slot = open_event(roles_world, "11:00", "12:00")
    engines = [vera(roles_world), as_login(roles_world, petya_login)]
    barrier = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def one(n: int) -> None:
        def work(s: Session) -> Any:
            barrier.wait()
            return sign_up_myself(s, slot_id=slot)

        try:
            outcomes[n] = transact(engines[n], work)
        except Exception as exc:  # the test looks at it
            outcomes[n] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], CapacityError), outcomes
    assert "вече не е свободно" in refused[0].message
    winner = next(o for o in outcomes if not isinstance(o, Exception))
    assert holder(roles_world, slot) == (winner.volunteer_id, "assigned")


def test_a_volunteer_busy_then_is_refused_naming_no_child(
    roles_world: RolesWorld, petya_login: str
) -> None:
    first = open_event(roles_world, "13:00", "14:00", title="Рисуване")
    transact(vera(roles_world), lambda s: sign_up_myself(s, slot_id=first))
    second = open_event(
        roles_world, "13:30", "14:30", title="Среща с Мая", case=roles_world.ids["maya"]
    )
    with pytest.raises(SlotTakenError) as refused:
        transact(vera(roles_world), lambda s: sign_up_myself(s, slot_id=second))
    assert "Рисуване" in refused.value.message
    for child in ("Иво", "Мая", "Т-00"):
        assert child not in refused.value.message
    assert holder(roles_world, second) == (None, "open")


def test_the_exclusion_constraint_judges_when_the_check_missed(
    roles_world: RolesWorld, petya_login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-check sees nothing (as if the other place came a moment later): the database
    refuses all the same, and the refusal is one line without a child."""
    import coptui.services.volunteer_signup as signup

    first = open_event(roles_world, "15:00", "16:00", title="Четене")
    transact(vera(roles_world), lambda s: sign_up_myself(s, slot_id=first))
    second = open_event(
        roles_world, "15:30", "16:30", title="Игри с Мая", case=roles_world.ids["maya"]
    )
    seen: list[int] = []
    real = signup._busy

    def blind(session: Session, *, event_id: int, slot_id: int) -> Any:
        seen.append(slot_id)
        return None if len(seen) == 1 else real(session, event_id=event_id, slot_id=slot_id)

    monkeypatch.setattr(signup, "_busy", blind)
    with pytest.raises(SlotTakenError) as refused:
        transact(vera(roles_world), lambda s: sign_up_myself(s, slot_id=second))
    assert "Мая" not in refused.value.message and "Иво" not in refused.value.message
    assert seen == [second, second]  # refused by the database, then named by the view
    assert holder(roles_world, second) == (None, "open")


def test_a_volunteer_cannot_sign_up_someone_else(roles_world: RolesWorld, petya_login: str) -> None:
    slot = open_event(roles_world, "17:00", "18:00")
    with (
        pytest.raises(Exception, match="row-level security"),
        vera(roles_world).begin() as conn,
    ):
        conn.execute(
            text("UPDATE roster_slot SET volunteer_id = :p, status = 'assigned' WHERE id = :s"),
            {"p": roles_world.ids["petya"], "s": slot},
        )
    assert holder(roles_world, slot) == (None, "open")


def test_papers_out_of_date_on_the_day_refuse(roles_world: RolesWorld, petya_login: str) -> None:
    slot = open_event(roles_world, "18:00", "19:00")
    with owner(roles_world).begin() as conn:
        conn.execute(
            text("UPDATE volunteer SET criminal_record_date = :d WHERE id = :p"),
            {"d": SOON - timedelta(days=400), "p": roles_world.ids["petya"]},
        )
    try:
        with pytest.raises(RefusedError, match="Свидетелството за съдимост"):
            transact(as_login(roles_world, petya_login), lambda s: sign_up_myself(s, slot_id=slot))
    finally:
        with owner(roles_world).begin() as conn:
            conn.execute(
                text("UPDATE volunteer SET criminal_record_date = :d WHERE id = :p"),
                {"d": SOON - timedelta(days=30), "p": roles_world.ids["petya"]},
            )
    assert holder(roles_world, slot) == (None, "open")


def teardown_module() -> None:
    for engine in _engines.values():
        engine.dispose()
