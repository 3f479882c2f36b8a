"""Reads and writes through a real pgbouncer in transaction pooling, the listener direct.

The booking and edit tests of ``test_booking.py`` and ``test_edits.py`` run here again with
their database reached through pgbouncer; the tests below add what those cannot show from
inside one rolled-back transaction: many transactions from several clients sharing one server
connection, as the planner's reader and its writes do, the change feed reaching a listener
that connects to PostgreSQL directly, and the audit naming the person behind pgbouncer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import Engine, text

from coptui import change_feed, db
from coptui.config import Settings, SettingsError
from coptui.services.booking import BookingRequest, book_event
from coptui.services.calendar import centre_week
from coptui.services.edits import EventChanges, cancel_event, edit_event, move_event
from coptui.services.transaction import transact
from tests import conftest
from tests.factories import at, make_world
from tests.pgbouncer import Bouncer, BouncerUnavailable, running_pgbouncer
from tests.roles import RolesWorld
from tests.services import test_booking, test_edits

# The service suite's booking and edit paths, collected again in this module: their
# ``session`` comes from this module's ``module_engine``, which goes through pgbouncer.
world = test_booking.world
for _module in (test_booking, test_edits):
    for _name, _test in vars(_module).items():
        if _name.startswith("test_") and callable(_test):
            globals()[_name] = _test


@pytest.fixture(scope="module")
def bouncer(admin_url: str) -> Iterator[Bouncer]:
    """pgbouncer in transaction mode, ONE server connection per database and user."""
    try:
        with running_pgbouncer(admin_url, pool_size=1) as running:
            yield running
    except BouncerUnavailable as exc:
        pytest.skip(f"no pgbouncer to test through: {exc}")


@pytest.fixture(scope="module")
def module_engine(admin_url: str, template_name: str, bouncer: Bouncer) -> Iterator[Engine]:
    """The shared test database of this module, reached through pgbouncer."""
    name = conftest._create_copy(admin_url, template_name)
    direct = conftest._with_database(admin_url, name)
    eng = db.make_engine(bouncer.url_for(direct))
    yield eng
    eng.dispose()
    conftest._drop(admin_url, name)


def _request(centre: int, room: int, staff: int, day: date, hour: int) -> BookingRequest:
    return BookingRequest(
        centre_id=centre,
        title=f"Среща {hour}",
        start=at(f"{hour:02}:00", day),
        end=at(f"{hour:02}:45", day),
        room_id=room,
        staff_ids=(staff,),
    )


def test_planner_reads_writes_and_listener_through_transaction_pooling(
    database_url: str, bouncer: Bouncer
) -> None:
    """Two clients of one user share ONE server connection (pool size 1): the planner's
    reader and the engine's connections take turns on it, transaction by transaction, more
    than psycopg's five uses of a statement (after which it would prepare it on the server,
    where the other client then meets it). The listener connects directly and sees every
    commit made through pgbouncer."""
    through = bouncer.url_for(database_url)
    engine = db.make_engine(through)
    reader = db.connect_reader(through)
    received: queue.Queue[change_feed.Change] = queue.Queue()
    stop = threading.Event()
    listening = threading.Event()

    def follow() -> None:
        for change in change_feed.listen(
            database_url, stop=stop, on_state=lambda up: listening.set() if up else None
        ):
            received.put(change)

    listener = threading.Thread(target=follow, daemon=True)
    listener.start()
    try:
        w = transact(engine, make_world)
        assert listening.wait(10), "the listener did not connect to PostgreSQL directly"
        monday = date(2026, 11, 30)
        booked_ids = []
        for n in range(8):
            day = monday + timedelta(days=n % 5)
            request = _request(w.centre, w.room, w.staff, day, 8 + n)
            booked = transact(engine, lambda s, r=request: book_event(s, request=r))
            change = received.get(timeout=10)
            while change.event_id != booked.id:
                change = received.get(timeout=10)
            assert change.centre_id == w.centre
            week = centre_week(reader, centre_id=w.centre, monday=monday)
            assert booked.id in {row.id for row in week}
            moved = transact(
                engine,
                lambda s, b=booked, d=day, h=8 + n: move_event(
                    s,
                    event_id=b.id,
                    version=b.version,
                    start=at(f"{h:02}:15", d),
                    end=at(f"{h + 1:02}:00", d),
                ),
            )
            edited = transact(
                engine,
                lambda s, m=moved: edit_event(
                    s,
                    event_id=m.id,
                    version=m.version,
                    changes=EventChanges(title="Групова среща", staff_ids=(w.other_staff,)),
                ),
            )
            booked_ids.append(edited.id)
            week = {row.id: row for row in centre_week(reader, centre_id=w.centre, monday=monday)}
            assert week[edited.id].title == "Групова среща"
            assert week[edited.id].start == at(f"{8 + n:02}:15", day)
        last = week[booked_ids[-1]]
        transact(
            engine,
            lambda s: cancel_event(s, event_id=last.id, version=last.version, reason="болест"),
        )
        after = {row.id: row for row in centre_week(reader, centre_id=w.centre, monday=monday)}
        assert after[last.id].status == "cancelled"
        assert len(after) == 8
    finally:
        stop.set()
        listener.join(5)
        reader.close()
        engine.dispose()
    assert not listener.is_alive()


def test_listen_through_pgbouncer_gets_nothing(database_url: str, bouncer: Bouncer) -> None:
    """Why the listener needs its own direct URL: in transaction pooling LISTEN holds no
    server session, so a commit's notification never reaches a listener behind pgbouncer."""
    with (
        psycopg.connect(db._libpq_url(bouncer.url_for(database_url)), autocommit=True) as behind,
        psycopg.connect(db._libpq_url(database_url), autocommit=True) as direct,
    ):
        behind.execute(f"LISTEN {change_feed.CHANGES_CHANNEL}")
        direct.execute(f"LISTEN {change_feed.CHANGES_CHANNEL}")
        with psycopg.connect(db._libpq_url(database_url), autocommit=True) as writer:
            writer.execute("SELECT pg_notify(%s, 'x')", (change_feed.CHANGES_CHANNEL,))
        assert [n.payload for n in direct.notifies(timeout=5, stop_after=1)] == ["x"]
        assert list(behind.notifies(timeout=0.5, stop_after=1)) == []


def test_audit_names_the_person_behind_pgbouncer(roles_world: RolesWorld, bouncer: Bouncer) -> None:
    """pgbouncer logs in to PostgreSQL as the person (one pool per user), so ``session_user``
    and with it row-level security and the audit log still name them."""
    rw = roles_world
    coordinator = rw.logins["coordinator"]
    engine = db.make_engine(bouncer.url_for(rw.url_of("coordinator")))
    try:
        request = _request(rw.world.centre, rw.world.room, rw.world.staff, date(2099, 12, 7), 9)
        booked = transact(engine, lambda s: book_event(s, request=request))
        who = transact(engine, lambda s: s.execute(text("SELECT session_user")).scalar_one())
    finally:
        engine.dispose()
    assert who == coordinator
    with psycopg.connect(db._libpq_url(rw.admin_url)) as admin:
        logins = {
            login
            for (login,) in admin.execute(
                "SELECT login FROM audit_log WHERE table_name = 'event' AND row_id = %s",
                (str(booked.id),),
            )
        }
    assert logins == {coordinator}


def test_the_listener_has_its_own_url_past_pgbouncer() -> None:
    """``COPTUI_LISTEN_URL`` sends the listener straight to PostgreSQL; unset, it follows the
    database URL; the embedded server has no pgbouncer in front of it."""
    shared = "postgresql://@127.0.0.1:6432/coptui"
    direct = "postgresql:///coptui?host=/var/run/postgresql"
    both = Settings.from_env({"COPTUI_DATABASE_URL": shared, "COPTUI_LISTEN_URL": direct})
    assert both.listener_url(db.normalise_url(shared)) == direct
    alone = Settings.from_env({"COPTUI_DATABASE_URL": shared})
    assert alone.listener_url(db.normalise_url(shared)) == db.normalise_url(shared)
    embedded = Settings.from_env({"COPTUI_LISTEN_URL": direct, "COPTUI_HOME": "/tmp/x"})
    assert embedded.listener_url("postgresql+psycopg://e") == "postgresql+psycopg://e"
    with pytest.raises(SettingsError, match="COPTUI_LISTEN_URL"):
        Settings.from_env({"COPTUI_DATABASE_URL": shared, "COPTUI_LISTEN_URL": "mysql://x"})
