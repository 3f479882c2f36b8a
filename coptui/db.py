"""Engine and sessions, reads and the change feed, schema migration (the server: embedded.py)."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coptui.errors import SchemaBehindError, database_error
from coptui.i18n import _

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

# Serialises migrations of one database between processes started at the same moment.
MIGRATION_LOCK_KEY = 0x636F707475690001


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named, as SQLAlchemy needs it."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def migrations_dir() -> Path:
    """Where the Alembic scripts are: inside the wheel, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_migrations", here.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("coptui's migrations are missing from this installation")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url`` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


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

    url = database_url(settings_url, home)
    conn = connect_reader(url)
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
    return url, conn


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


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or ``None`` for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    """The newest revision this coptui knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


_REVISION = re.compile(r'^(down_)?revision: str(?: \| None)? = "?([^"\n]*?)"?$', re.M)


def known_head() -> str | None:
    """The newest revision, read from the migration files without importing Alembic.

    Opening the app must not wait for Alembic's import; the chain is linear, so the head is
    the one revision no other names as its ``down_revision``.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (``None`` when it has no schema yet)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
        if not exists:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision``."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def require_current_schema(engine: Engine) -> None:
    """Refuse to run against a database whose schema this coptui does not match.

    Raises:
        SchemaBehindError: the database needs ``coptui db upgrade``.
    """
    current = stored_revision(engine)
    head = known_head() or head_revision(str(engine.url))
    if current != head:
        raise SchemaBehindError(
            _(
                "The database schema is out of date ({current}, expected {head}). "
                "Run `coptui db upgrade`."
            ).format(current=current or "—", head=head)
        )


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


def quiet_logs() -> None:
    """Keep Alembic's progress lines out of the terminal unless asked for."""
    if not os.environ.get("COPTUI_DEBUG"):
        logging.getLogger("alembic").setLevel(logging.WARNING)


CHANGES_CHANNEL = "coptui_changes"


@dataclass(frozen=True)
class Change:
    """One change to the calendar, as the ``coptui_notify`` trigger reported it."""

    centre_id: int
    table: str
    op: str
    event_id: int | None
    lower: datetime | None
    upper: datetime | None
    old_lower: datetime | None = None
    old_upper: datetime | None = None

    @classmethod
    def from_payload(cls, payload: str) -> Change:
        """Parse a notification payload."""
        data = json.loads(payload)

        def moment(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            centre_id=int(data["centre"]),
            table=str(data["table"]),
            op=str(data["op"]),
            event_id=data.get("event"),
            lower=moment("lower"),
            upper=moment("upper"),
            old_lower=moment("old_lower"),
            old_upper=moment("old_upper"),
        )


def listen(
    url: str,
    *,
    stop: threading.Event,
    on_state: Callable[[bool], None] | None = None,
    poll_seconds: float = 0.5,
    max_backoff: float = 5.0,
) -> Iterator[Change]:
    """Yield every change as it is committed, until ``stop`` is set.

    The connection is re-opened when it drops; ``on_state(False)`` is called when it is lost
    and ``on_state(True)`` when it is (re)established, so a screen can show a banner.
    """
    import psycopg

    backoff = 0.2
    while not stop.is_set():
        try:
            with connect(url, autocommit=True, application_name="coptui-listen") as conn:
                conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                backoff = 0.2
                if on_state:
                    on_state(True)
                while not stop.is_set():
                    for note in conn.notifies(timeout=poll_seconds):
                        yield Change.from_payload(note.payload)
                        if stop.is_set():
                            return
        except psycopg.OperationalError:
            if on_state:
                on_state(False)
            stop.wait(backoff)
            backoff = min(backoff * 2, max_backoff)
