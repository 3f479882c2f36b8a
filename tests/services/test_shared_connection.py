"""The session's read connection over an engine handed in (``coptui demo``, tests): after the
server drops every connection, one failed read is all it takes, as the app retries once."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from coptui import db
from coptui.connection import SharedConnection


def _libpq(url: str) -> str:
    return url.replace("+psycopg", "")


def _drop_coptui_connections(database_url: str) -> None:
    """Terminate coptui's connections to this database and wait until they are gone."""
    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name LIKE 'coptui%%'"
        )
        for _ in range(500):
            conn.execute("SELECT pg_stat_clear_snapshot()")
            left = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND application_name LIKE 'coptui%%'"
            ).fetchone()
            if left is not None and left[0] == 0:
                return
            conn.execute("SELECT pg_sleep(0.01)")
    raise AssertionError("the server kept coptui's connections")


def _one(conn: Any) -> Any:
    return conn.execute("SELECT 1").fetchone()


def test_one_failed_read_clears_every_dropped_connection_of_the_pool(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        shared = SharedConnection(database_url, engine=engine)
        # Reads in three workers at once leave three connections in the pool.
        held = [engine.raw_connection() for _ in range(3)]
        for raw in held:
            raw.close()
        assert engine.pool.checkedin() == 3  # type: ignore[attr-defined]
        _drop_coptui_connections(database_url)
        with pytest.raises(psycopg.OperationalError):
            shared.read(_one)
        assert shared.read(_one) == (1,)  # the app's one retry
    finally:
        engine.dispose()
