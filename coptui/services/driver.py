"""One statement sent on the session's own psycopg connection, for the hottest paths only.

A booking is one call of ``coptui_book()``. Sent through SQLAlchemy's ``text()`` it cost the
client twice the CPU of the statement itself (bind processors, a result object, rows); with
twenty booking processes on two cores that client CPU is the booking rate. Here the statement
goes to the driver as it is, in the session's transaction, and a driver error comes out as the
SQLAlchemy error every caller expects (``IntegrityError`` …, a lost connection invalidated so
that ``transact`` retries it).
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def fetch_one(session: Session, sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """The one row ``sql`` answers, run in ``session``'s transaction.

    Raises:
        DBAPIError: what SQLAlchemy would have raised for the same failure (parameter values
            hidden, as the engine hides them).
    """
    connection = session.connection()
    pooled = connection.connection
    try:
        # One cursor per connection, kept with it in the pool: a new cursor copies the
        # connection's adapters each time.
        driver = pooled.driver_connection
        cursor = pooled.info.get("coptui_cursor")
        if cursor is None or cursor.connection is not driver:
            cursor = pooled.info["coptui_cursor"] = driver.cursor()  # type: ignore[union-attr]
        row = cursor.execute(sql, params).fetchone()
    except psycopg.Error as exc:
        lost = connection.dialect.is_disconnect(exc, pooled.dbapi_connection, None)  # type: ignore[arg-type]
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            sql,
            None,
            exc,
            psycopg.Error,
            hide_parameters=True,
            connection_invalidated=lost,
            dialect=connection.dialect,
        ) from exc
    if row is None:
        raise AssertionError("the statement answered no row")
    return tuple(row)
