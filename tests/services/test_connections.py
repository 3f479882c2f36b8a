"""Pooled connections the server dropped: replaced after idling, retried before commit."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text

from coptui import db
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
        # Wait until the backend is gone, so the next use meets a dead socket.
        conn.execute(
            "DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = "
            + str(pid)
            + ") LOOP PERFORM pg_sleep(0.01); END LOOP; END $$"
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
