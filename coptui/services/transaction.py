"""One transaction per service call, retried on serialization failures and lost connections."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from coptui.errors import DatabaseUnavailableError, database_error
from coptui.i18n import _

T = TypeVar("T")
RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock
MAX_ATTEMPTS = 4  # the first try and three retries


def sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return orig.sqlstate if isinstance(orig, psycopg.Error) else None


def transact(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction; retry serialization failures, deadlocks and a
    connection the server dropped before the work was done.

    Clashes and every other refusal are never retried: they are answers, not accidents.

    Raises:
        CoptError: what the service raised, or a database error turned into one line for
            people (a lost connection, missing rights, a schema behind, …): never the
            driver's English, SQL or parameter values.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        committing = False
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.begin()
                result = work(session)
                committing = True
                session.commit()
                return result
        except DBAPIError as exc:
            # A connection the server dropped is retried on a new one, unless it was lost
            # during COMMIT: then nobody knows whether the work was written.
            if exc.connection_invalidated and committing:
                raise DatabaseUnavailableError(
                    _(
                        "The connection to the database was lost while saving; check whether "
                        "the change was saved before trying again."
                    ),
                    title=_("No connection"),
                ) from exc
            lost = exc.connection_invalidated
            if (sqlstate(exc) not in RETRYABLE and not lost) or attempt == MAX_ATTEMPTS:
                raise database_error(exc) from exc
            # Jitter, so that the transactions that deadlocked do not meet again at once.
            time.sleep(random.uniform(0, 0.05 * attempt))
    raise AssertionError("unreachable")
