"""Dropped connections (replaced, retried), and database errors as one line for people."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from coptui import db
from coptui.errors import (
    DatabaseUnavailableError,
    PermissionDeniedError,
    RefusedError,
    SchemaBehindError,
)
from coptui.services.transaction import transact


@pytest.fixture
def one_connection(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _pid(engine: Engine) -> int:
    return transact(engine, lambda s: int(s.execute(text("SELECT pg_backend_pid()")).scalar_one()))


def _kill(database_url: str, pid: int) -> None:
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        # Wait until the backend is gone, so the next use meets a dead socket. Inside one
        # transaction pg_stat_activity is a snapshot: clear it on every turn, or the loop
        # never sees the backend leave (it hung a loaded full run).
        conn.execute(
            "DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = "
            + str(pid)
            + ") LOOP PERFORM pg_stat_clear_snapshot(); PERFORM pg_sleep(0.01); END LOOP;"
            " END $$"
        )


def test_a_connection_dropped_while_idle_is_retried_on_a_new_one(
    one_connection: Engine, database_url: str
) -> None:
    first = _pid(one_connection)
    _kill(database_url, first)
    second = _pid(one_connection)  # the first statement fails, the retry reconnects
    assert second != first


def test_a_connection_idle_past_the_limit_is_pinged_and_replaced(
    one_connection: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _pid(one_connection)
    _kill(database_url, first)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    with one_connection.connect() as conn:  # no retry here: the checkout ping replaced it
        second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert second != first


def test_a_recently_used_connection_is_not_pinged(
    one_connection: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pid(one_connection)
    pings: list[object] = []
    monkeypatch.setattr(one_connection.dialect, "do_ping", pings.append)
    _pid(one_connection)
    assert pings == []


# -- database errors become one line for people -------------------------------------------


def _plain(message: str) -> None:
    """Nothing of the driver's text: no SQL, no link, no English from psycopg."""
    for leaked in ("sqlalche.me", "SELECT", "INSERT", "ALTER", "psycopg", "DETAIL", "\n"):
        assert leaked not in message


def _insert_centre(name: str) -> Callable[[Session], None]:
    def work(session: Session) -> None:
        session.execute(
            text("INSERT INTO centre (name, town) VALUES (:name, 'Ловеч')"), {"name": name}
        )

    return work


def test_parameter_values_never_reach_an_error_text(engine: Engine) -> None:
    transact(engine, _insert_centre("ЦОП Тайно име"))
    with pytest.raises(RefusedError) as caught:
        transact(engine, _insert_centre("ЦОП Тайно име"))
    assert "Тайно" not in caught.value.message
    assert "uq_centre_name" in caught.value.message or "centre" in caught.value.message
    _plain(caught.value.message)
    cause = caught.value.__cause__
    assert isinstance(cause, DBAPIError)
    # What reaches a log through the chained exception: SQLAlchemy holds the values back.
    assert "parameters hidden" in str(cause)
    assert "Тайно" not in str(cause).split("DETAIL")[0]


def test_a_connection_lost_for_good_is_one_line(engine: Engine) -> None:
    def suicide(session: Session) -> None:
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    with pytest.raises(DatabaseUnavailableError) as caught:
        transact(engine, suicide)
    assert caught.value.message == "Връзката с базата данни прекъсна; опитайте отново след малко."


@pytest.fixture
def stranger_url(database_url: str) -> Iterator[str]:
    """A login role with no rights on the tables (as a volunteer's would be on case tables)."""
    role = f"cpt_stranger_{uuid.uuid4().hex[:8]}"
    libpq = database_url.replace("+psycopg", "")
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    yield str(make_url(database_url).set(username=role, password=None).render_as_string(False))
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,)
        )
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_no_rights_is_one_line_naming_what(stranger_url: str, database_url: str) -> None:
    engine = db.make_engine(stranger_url)
    try:
        with pytest.raises(PermissionDeniedError) as caught:
            transact(engine, lambda s: s.execute(text("SELECT count(*) FROM case_file")).all())
        assert caught.value.message == "Нямате достъп до случаите; обърнете се към администратора."
        with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(
                sql.SQL("GRANT ALL ON room TO {}").format(
                    sql.Identifier(str(make_url(stranger_url).username))
                )
            )
        with pytest.raises(PermissionDeniedError) as caught:
            transact(engine, lambda s: s.execute(text("ALTER TABLE room ADD COLUMN x int")))
        assert "room" in caught.value.message and "собственик" in caught.value.message
        _plain(caught.value.message)
    finally:
        engine.dispose()


def test_a_missing_table_says_upgrade(engine: Engine, database_url: str) -> None:
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP TABLE waitlist_entry")
    with pytest.raises(SchemaBehindError) as caught:
        transact(engine, lambda s: s.execute(text("SELECT * FROM waitlist_entry")).all())
    assert caught.value.message == "Базата данни не е обновена: изпълнете `coptui db upgrade`."
    # The same outside the services: a session a screen or the CLI opens itself.
    with pytest.raises(SchemaBehindError), db.session_scope(engine) as session:
        session.execute(text("SELECT * FROM waitlist_entry"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"port": 1, "host": "127.0.0.1"}, "сървърът не отговаря"),
        ({"username": "cpt_nobody_at_all"}, "сървърът отказа влизането"),
        ({"database": "cpt_no_such_database"}, "няма такава база данни"),
    ],
)
def test_a_connection_refused_says_why_in_words(
    database_url: str, change: dict[str, Any], reason: str
) -> None:
    url = make_url(database_url)
    if "host" in change:
        url = url.set(query={})
    url = url.set(**change).render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnavailableError) as caught:
        db.connect_reader(url)
    assert caught.value.message.startswith("Няма връзка с базата данни")
    assert reason in caught.value.message
    _plain(caught.value.message)
    for english in ("failed", "refused", "FATAL", "does not exist"):
        assert english not in caught.value.message
    engine = db.make_engine(url)
    try:
        with pytest.raises(DatabaseUnavailableError) as caught:
            db.check_connection(engine)
        assert reason in caught.value.message
    finally:
        engine.dispose()
