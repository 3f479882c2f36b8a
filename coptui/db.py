"""Engines, connections and sessions; opening the database a session uses, its schema checked.

The schema's revisions and upgrades are in ``schema.py``, the change feed in ``change_feed.py``,
the embedded server in ``embedded.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coptui.errors import SchemaBehindError, database_error
from coptui.i18n import _
from coptui.trace import mark

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named, as SQLAlchemy needs it."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def ensure_database(admin_url: str, name: str) -> None:
    """Create database ``name`` on the server of ``admin_url`` unless it exists."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return
        # Another coptui may create it at the same moment: PostgreSQL then reports either
        # error, depending on which catalog check loses the race.
        with suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build the engine for ``url`` (no connection is made yet).

    Parameter values (titles, names) never go into an error's text: an error may be shown,
    logged or written to the crash log.
    """
    from sqlalchemy import create_engine

    # No server-side prepared statements: see ``connect``.
    kwargs.setdefault(
        "connect_args",
        {"connect_timeout": 5, "application_name": "coptui", "prepare_threshold": None},
    )
    kwargs.setdefault("hide_parameters", True)
    engine = create_engine(normalise_url(url), **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    return engine


# A pooled connection that was used in the last half minute is taken as alive; one that sat
# idle longer (an SSH session left open over lunch) is pinged before use and replaced if the
# server has dropped it. SQLAlchemy's pool_pre_ping would cost a round trip on every
# transaction, a tenth of a booking. A connection lost within the half minute surfaces as an
# invalidated connection, which ``transact`` retries.
IDLE_PING_SECONDS = 30.0


def _ping_after_idle(engine: Engine) -> None:
    from sqlalchemy import event, exc

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()
        except Exception as error:
            # The pool throws this connection away and checks out a new one.
            raise exc.DisconnectionError() from error


def check_connection(engine: Engine) -> None:
    """Connect once, turning any failure into a one-line :class:`DatabaseUnavailableError`."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise database_error(exc, where=describe_url(str(engine.url))) from exc


def connect(url: str, *, autocommit: bool, application_name: str = "coptui") -> Any:
    """A psycopg connection as coptui makes them (the driver's errors are raised as they are).

    No server-side prepared statements (``prepare_threshold=None``): a statement prepared in
    one transaction would be missing on another server connection behind pgbouncer in
    transaction pooling.
    """
    import psycopg

    return psycopg.connect(
        _libpq_url(normalise_url(url)),
        autocommit=autocommit,
        connect_timeout=5,
        application_name=application_name,
        prepare_threshold=None,
    )


def connect_reader(url: str) -> Any:
    """A psycopg connection (autocommit) for the screens' reads: no SQLAlchemy needed.

    Raises:
        DatabaseUnavailableError: the database cannot be reached.
    """
    import psycopg

    try:
        return connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise database_error(exc, where=_without_password(url)) from exc


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(_libpq_url(normalise_url(url)))
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def open_reader(settings_url: str | None, home: Path, *, as_person: bool = True) -> tuple[str, Any]:
    """The database URL in use and a psycopg connection to it, the schema checked.

    The path the planner takes to its first week: it imports neither SQLAlchemy nor Alembic
    unless the embedded database has to be migrated first.

    Raises:
        DatabaseUnavailableError: the database cannot be reached.
        SchemaBehindError: a shared database is behind.
        PermissionDeniedError: a shared database, and the login would bypass its row-level
            security (``services.identity.refuse_unsafe_login``); unless not ``as_person``.
    """
    import psycopg

    from coptui.schema import known_head, upgrade

    mark("psycopg imported")
    if settings_url:
        url = normalise_url(settings_url)
        conn = connect_reader(url)
    else:
        url, conn = _reach_embedded(home)
    mark("connected")
    current = None
    try:
        if conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()[0]:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            current = row[0] if row else None
    except psycopg.Error as exc:
        conn.close()
        raise database_error(exc) from exc
    head = known_head()
    if current != head:
        if settings_url is not None:
            conn.close()
            raise SchemaBehindError(
                _(
                    "The database schema is out of date ({current}, expected {head}). "
                    "Run `coptui db upgrade`."
                ).format(current=current or "—", head=head)
            )
        upgrade(url)
    if settings_url is not None and as_person:
        _refuse_unsafe(conn, conn.close)
    mark("schema checked")
    return url, conn


def _reach_embedded(home: Path) -> tuple[str, Any]:
    """The embedded server's URL and a read connection to its database (made if missing).

    Its database is there on every start but the first: it is connected to straight away,
    and made (then connected to again) only when that fails.
    """
    import psycopg

    from coptui.embedded import start_embedded

    url = start_embedded(home, ensure=False)
    try:
        return url, connect(url, autocommit=True)
    except psycopg.OperationalError:
        # A new home: no database yet (any other reason is said by the second attempt).
        return start_embedded(home), connect_reader(url)


def _refuse_unsafe(db: Any, close: Callable[[], None]) -> None:
    """Raise (after ``close``) when the login of ``db`` would bypass row-level security.

    ``COPTUI_AS_OWNER=1`` lets an administrator run coptui as the owner on purpose (to set
    up a centre and its first people, and the test suite, which runs as a superuser).
    """
    from coptui.services.identity import refuse_unsafe_login

    if os.environ.get("COPTUI_AS_OWNER") == "1":
        return
    try:
        refuse_unsafe_login(db)
    except BaseException:
        close()
        raise


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    parsed = make_url(normalise_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=bool(parsed.password))


def database_url(settings_url: str | None, home: Path) -> str:
    """The URL in use: the shared server's, or the embedded server's (started on demand)."""
    if settings_url:
        return normalise_url(settings_url)
    from coptui.embedded import start_embedded

    return start_embedded(home)


def open_database(settings_url: str | None, home: Path, *, as_person: bool = True) -> Engine:
    """Connect to the database coptui should use and make sure its schema is current.

    The embedded database is migrated automatically; a shared one must be upgraded by an
    administrator with ``coptui db upgrade``. On a shared database a person's login is
    required (``as_person``): the administrator's commands (``db``, ``user``) pass False.

    Raises:
        DatabaseUnavailableError: the database cannot be reached.
        SchemaBehindError: a shared database is behind.
        PermissionDeniedError: a shared database, and the login would bypass its row-level
            security (a superuser, BYPASSRLS, the owner) or has no coptui role.
    """
    from sqlalchemy.exc import DBAPIError

    from coptui.schema import (
        head_revision,
        known_head,
        require_current_schema,
        stored_revision,
        upgrade,
    )

    url = database_url(settings_url, home)
    engine = make_engine(url)
    check_connection(engine)
    try:
        if settings_url is None:
            if stored_revision(engine) != (known_head() or head_revision(url)):
                upgrade(url)
        else:
            require_current_schema(engine)
            if as_person:
                from sqlalchemy.orm import Session as OrmSession

                with OrmSession(engine) as session:
                    _refuse_unsafe(session, engine.dispose)
    except DBAPIError as exc:
        raise database_error(exc) from exc
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error.

    Raises:
        CoptError: a database error, as one line for people (see ``errors.database_error``).
    """
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.orm import Session as OrmSession

    try:
        with OrmSession(engine, expire_on_commit=False) as session, session.begin():
            yield session
    except DBAPIError as exc:
        raise database_error(exc) from exc
