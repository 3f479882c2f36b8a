"""A small centre in a database owned by a non-superuser owner, with a real login role per
group (migration 0009), for the tests of the role matrix.

The owner runs the migration (as `coptui db upgrade` does in a shared deployment) and builds
the world; each person's role is a member of one group and named in their staff or
volunteer row. Role names are unique per run: roles belong to the server, which other test
databases share. The embedded test server trusts local connections, so no passwords.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlmodel import Session

from coptui import db, schema
from coptui.models import (
    Case,
    Centre,
    Programme,
    ProgrammeKind,
    ReferralSource,
    ServiceKind,
    Volunteer,
)
from tests.factories import World, add_event, make_world, span

FUTURE = date(2099, 12, 2)


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def as_user(url: str, user: str) -> str:
    """``url`` with another user (no password)."""
    return (
        make_url(db.normalise_url(url))
        .set(username=user, password=None)
        .render_as_string(hide_password=False)
    )


@dataclass
class RolesWorld:
    url: str  # the owner's
    admin_url: str  # a superuser's, on the same database
    owner: str
    logins: dict[str, str]  # group ("manager", …, "stranger", "bypass") -> login role
    world: World
    ids: dict[str, int] = field(default_factory=dict)

    def url_of(self, who: str) -> str:
        return as_user(self.url, self.owner if who == "owner" else self.logins[who])

    def connect(self, who: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        return psycopg.connect(libpq(self.url_of(who)), autocommit=autocommit)


def _build(session: Session, logins: dict[str, str]) -> tuple[World, dict[str, int]]:
    from sqlalchemy import text

    w = make_world(session)
    # Anna (a specialist) is the key worker of Ели; Борис of Иво and Мая.
    run = session.execute
    run(
        text("UPDATE staff SET login = :l WHERE id = :i"), {"l": logins["specialist"], "i": w.staff}
    )
    run(
        text("UPDATE volunteer SET login = :l WHERE id = :i"),
        {"l": logins["volunteer"], "i": w.volunteer},
    )
    run(text("UPDATE case_file SET key_worker_id = :s WHERE id = :c"), {"s": w.staff, "c": w.case})
    run(
        text("UPDATE case_file SET key_worker_id = :s WHERE id = :c"),
        {"s": w.other_staff, "c": w.other_case},
    )
    maya = Case(
        centre_id=w.centre,
        code="Т-003",
        child_name="Мая",
        referral_source=ReferralSource.SELF,
        service_kind=ServiceKind.GENERAL_ACCESS,
        key_worker_id=w.other_staff,
    )
    spare = Case(
        centre_id=w.centre,
        code="Т-004",
        child_name="Дани",
        referral_source=ReferralSource.SELF,
        service_kind=ServiceKind.GENERAL_ACCESS,
    )
    petya = Volunteer(centre_id=w.centre, full_name="Петя Другарова", phone="0888")
    camp = Programme(centre_id=w.centre, kind=ProgrammeKind.CAMPAIGN, title="Кампания")
    art = Programme(centre_id=w.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие")
    eco = Programme(centre_id=w.centre, kind=ProgrammeKind.ECO_HOLIDAY, title="Еко ваканция")
    session.add_all([maya, spare, art, eco, petya, camp])
    session.flush()
    ids: dict[str, int] = {"maya": maya.id or 0, "spare": spare.id or 0}
    ids["petya"], ids["camp"] = petya.id or 0, camp.id or 0
    ids["art"], ids["eco"] = art.id or 0, eco.id or 0
    for role, name in (("manager", "Мира Управителова"), ("coordinator", "Коста Координатов")):
        ids[role] = run(
            text(
                "INSERT INTO staff (centre_id, login, full_name, profession, role, email)"
                " VALUES (:c, :l, :n, 'manager', :r, 'x@example.org') RETURNING id"
            ),
            {"c": w.centre, "l": logins[role], "n": name, "r": role},
        ).scalar_one()
    # Anna leads a session of the art studio with Ели and Мая, and Вера helps in it.
    mine = add_event(
        session,
        w,
        span("10:00", "11:00"),
        room=w.room,
        staff=(w.staff,),
        cases=(w.case, ids["maya"]),
        volunteers=(w.volunteer,),
        title="Арт ателие",
    )
    run(text("UPDATE event SET programme_id = :p WHERE id = :e"), {"p": ids["art"], "e": mine.id})
    # Борис leads one with Иво, with an open place for a volunteer.
    # (Far ahead: the view of open places shows only what is still to come.)
    his = add_event(
        session,
        w,
        span("12:00", "13:00", FUTURE),
        room=w.office,
        staff=(w.other_staff,),
        cases=(w.other_case,),
        volunteers=(petya.id or 0,),
    )
    run(
        text(
            "INSERT INTO roster_slot (event_id, centre_id, during, event_status, status, task)"
            " SELECT id, centre_id, during, status, 'open', 'помощ' FROM event WHERE id = :e"
        ),
        {"e": his.id},
    )
    run(
        text("UPDATE event SET title = 'Среща с Иво', programme_id = :p WHERE id = :e"),
        {"p": ids["eco"], "e": his.id},
    )
    # Anna's second session, with nobody in it yet.
    mine2 = add_event(session, w, span("15:00", "16:00"), staff=(w.staff,), title="Подготовка")
    # The first staff member of a booking leads it (coptui_book); the factory does not say.
    run(text("UPDATE event_staff SET is_lead = true"))
    ids["mine"], ids["his"], ids["mine2"] = mine.id or 0, his.id or 0, mine2.id or 0
    ids["my_slot"] = run(
        text("SELECT id FROM roster_slot WHERE event_id = :e"), {"e": mine.id}
    ).scalar_one()
    ids["open_slot"] = run(
        text("SELECT id FROM roster_slot WHERE event_id = :e AND status = 'open'"), {"e": his.id}
    ).scalar_one()
    ids["petya_slot"] = run(
        text("SELECT id FROM roster_slot WHERE event_id = :e AND status <> 'open'"), {"e": his.id}
    ).scalar_one()
    ids["wait_kid"] = run(
        text(
            "INSERT INTO waitlist_entry (event_id, case_id, centre_id) VALUES (:e, :c, :centre)"
            " RETURNING id"
        ),
        {"e": his.id, "c": w.case, "centre": w.centre},
    ).scalar_one()
    ids["wait_other"] = run(
        text(
            "INSERT INTO waitlist_entry (event_id, case_id, centre_id) VALUES (:e, :c, :centre)"
            " RETURNING id"
        ),
        {"e": mine.id, "c": w.other_case, "centre": w.centre},
    ).scalar_one()
    ids["holiday"] = run(
        text(
            "INSERT INTO holiday_override (centre_id, day, kind) VALUES (:c, :d, 'closure')"
            " RETURNING id"
        ),
        {"c": w.centre, "d": date(2026, 12, 24)},
    ).scalar_one()
    ids["capacity"] = run(
        text(
            "INSERT INTO centre_capacity (centre_id, valid_from, places)"
            " VALUES (:c, '2026-01-01', 20) RETURNING id"
        ),
        {"c": w.centre},
    ).scalar_one()
    # Another centre, which nobody of the first may see.
    far = Centre(name="ЦОП „Далеч“", town="Видин")
    session.add(far)
    session.flush()
    ids["far"] = far.id or 0
    far_case = Case(
        centre_id=far.id or 0,
        code="В-001",
        child_name="Гошо",
        referral_source=ReferralSource.SELF,
        service_kind=ServiceKind.GENERAL_ACCESS,
    )
    session.add(far_case)
    session.flush()
    ids["far_case"] = far_case.id or 0
    ids["far_event"] = run(
        text(
            "INSERT INTO event (centre_id, kind, title, during) VALUES (:c, 'meeting', 'Далечна',"
            " tstzrange('2026-12-02 10:00+02', '2026-12-02 11:00+02')) RETURNING id"
        ),
        {"c": far.id},
    ).scalar_one()
    run(
        text("INSERT INTO case_access_log (case_id, centre_id, what) VALUES (:c, :centre, 'page')"),
        {"c": w.other_case, "centre": w.centre},
    )
    run(
        text("INSERT INTO case_access_log (case_id, centre_id, what) VALUES (:c, :centre, 'page')"),
        {"c": w.case, "centre": w.centre},
    )
    return w, ids


@pytest.fixture(scope="module")
def roles_world(admin_url: str) -> Iterator[RolesWorld]:
    tag = uuid.uuid4().hex[:8]
    owner = f"cpt_owner_{tag}"
    logins = {
        role: f"cpt_{role[:4]}_{tag}"
        for role in ("manager", "coordinator", "specialist", "volunteer")
    }
    logins["stranger"] = f"cpt_strg_{tag}"
    logins["bypass"] = f"cpt_byp_{tag}"
    name = f"coptui_roles_{tag}"
    admin = libpq(admin_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        # CREATEROLE: on a fresh server the migration makes the four group roles.
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(owner)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )
    database = make_url(db.normalise_url(admin_url)).set(database=name)
    admin_db = database.render_as_string(hide_password=False)
    url = as_user(admin_db, owner)
    schema.upgrade(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        for role, login in logins.items():
            extra = sql.SQL(" BYPASSRLS") if role == "bypass" else sql.SQL("")
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)) + extra)
            if role in ("manager", "coordinator", "specialist", "volunteer"):
                conn.execute(
                    sql.SQL("GRANT {} TO {}").format(
                        sql.Identifier(f"coptui_{role}"), sql.Identifier(login)
                    )
                )
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            world, ids = _build(session, logins)
            session.commit()
    finally:
        engine.dispose()
    yield RolesWorld(url=url, admin_url=admin_db, owner=owner, logins=logins, world=world, ids=ids)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        for login in (*logins.values(), owner):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))
