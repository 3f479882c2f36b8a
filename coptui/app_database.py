"""The app's database: reached early, one connection for reads and writes, who is in, homes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import App
from textual.message import Message

from coptui.i18n import _
from coptui.trace import mark

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coptui.config import Settings
    from coptui.connection import SharedConnection
    from coptui.screens.planner_load import Shown
    from coptui.services.identity import Identity

T = TypeVar("T")


class DatabaseOpened(Message, namespace="copt_app"):
    """The database can be read (the read connection is open) and its schema is current.

    ``identity`` is who is logged in; ``week`` the first week of their planner when the start
    read it with the connection (``None``: the planner reads it itself).
    """

    def __init__(self, identity: Identity, week: Shown | None = None) -> None:
        super().__init__()
        self.identity = identity
        self.week = week


@dataclass(frozen=True)
class Opening:
    """What the start reached before the planner asked: the database, who, their first week.

    ``identity`` and ``week`` are ``None`` when their read failed: they are read again the
    usual way, which says why if it fails again.
    """

    url: str
    conn: Any  # the psycopg read connection
    identity: Identity | None = None
    week: Shown | None = None


class DatabaseAccess(App[None]):
    """Opening the database, reads and writes on the session's connection, each role's home.

    The state is set by ``CoptApp.__init__``; ``CoptApp`` builds on this class.
    """

    DatabaseOpened = DatabaseOpened  # handled by the app as ``on_copt_app_database_opened``

    settings: Settings
    engine: Engine | None
    url: str | None
    identity: Identity | None  # known once the database has opened
    _connection: SharedConnection | None  # the one connection for reads and writes
    _connection_lock: threading.Lock
    _engine_ready: threading.Event
    _opening: Future[Opening] | None  # the database, being reached
    _told_identity: Identity | None

    @work(thread=True, exclusive=True, exit_on_error=False, group="database", name="open")
    def open_database(self) -> None:
        """Start or reach the database off the UI thread, with psycopg alone, and learn who.

        The first week is read on this plain connection, by the start when it can (it then
        comes with ``DatabaseOpened``); SQLAlchemy (for writes and the services) is imported
        afterwards, once the week is on screen. ``identity`` is set when the message is
        handled, so that ``opened`` and the planner's first week come true together.
        """
        mark("open worker")
        identity = self._told_identity
        week = None
        if self.engine is None:
            from coptui.connection import SharedConnection

            opening = (self._opening or open_early(self.settings)).result()
            mark("open result")
            self.url = opening.url
            self._connection = SharedConnection(opening.url, opening.conn)
            identity = identity or opening.identity
            week = opening.week
        if identity is None:
            from coptui.services.identity import current_identity

            identity = self.read(current_identity)
            week = None  # read for nobody in particular
        mark("identity read")
        self.post_message(self.DatabaseOpened(identity, week))

    @property
    def opened(self) -> bool:
        """The database can be read and the person logged in is known."""
        return self.url is not None and self.identity is not None

    def shared_connection(self) -> SharedConnection:
        """The session's connection for reads and writes (made on first use)."""
        from coptui.connection import SharedConnection

        assert self.url is not None
        with self._connection_lock:
            if self._connection is None:
                self._connection = SharedConnection(self.url, engine=self.engine)
            return self._connection

    def read(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` on the session's connection (from a thread worker), reconnecting once.

        The embedded server is started again first if it has stopped.

        Raises:
            CoptError: the database cannot be read, as one line for people.
        """
        import psycopg

        from coptui.errors import DatabaseUnavailableError, database_error

        connection = self.shared_connection()
        for attempt in (1, 2):
            try:
                return connection.read(work)
            except (
                psycopg.OperationalError,
                psycopg.InterfaceError,
                DatabaseUnavailableError,
            ) as exc:
                if attempt == 2:
                    if isinstance(exc, DatabaseUnavailableError):
                        raise
                    raise database_error(exc) from exc
                self._revive_server()
            except psycopg.Error as exc:
                raise database_error(exc) from exc
        raise AssertionError("unreachable")

    def _revive_server(self) -> bool:
        """Start the embedded server again if it stopped under the planner (from a thread)."""
        if not self.settings.embedded:
            return False
        from coptui.embedded import revive

        try:
            return revive(self.settings.home)
        except Exception:
            # The banner stays; the listener tries again after its back-off.
            return False

    def prepare_writes(self) -> None:
        """Build the SQLAlchemy engine in the background (after the first week is shown)."""
        if self.engine is None and self.url is not None:
            self._make_engine()

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine", name="engine")
    def _make_engine(self) -> None:
        if self.engine is None and self.url is not None:
            # Writes share the reads' connection: a pool of exactly that one.
            self.engine = self.shared_connection().build_engine()
        self._engine_ready.set()

    def wait_engine(self) -> Engine:
        """The engine for writes and services, waiting for it if still being built (threads)."""
        from coptui.errors import DatabaseUnavailableError

        if self.engine is None:
            self.call_from_thread(self.prepare_writes)
            self._engine_ready.wait(30)
        if self.engine is None:
            raise DatabaseUnavailableError(_("The database is not open yet."))
        return self.engine

    def _go_home(self) -> None:
        """Each role's home: a volunteer's «Моите дейности», a specialist's own week.

        A coordinator, a manager and the embedded owner keep the planner as it opened (the
        group room, or whose week they had open last).
        """
        from coptui.screens.planner import PlannerScreen
        from coptui.screens.planner_load import home_resource

        identity = self.identity
        if identity is None:
            return
        if identity.role == "volunteer":
            self.show_my_activities()
        elif identity.role == "specialist" and identity.staff_id is not None:
            mine = home_resource(identity, None)
            for screen in self.screen_stack:
                if isinstance(screen, PlannerScreen):
                    screen.resource = mine

    def show_my_activities(self) -> None:
        """Put «Моите дейности» in place of every screen (a volunteer has no other home)."""
        from coptui.screens.my_activities import MyActivitiesScreen

        if not self.is_running or not self.screen_stack:
            return  # closing: a read that ends now has nowhere to go
        if isinstance(self.screen, MyActivitiesScreen):
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(MyActivitiesScreen())
        else:
            self.push_screen(MyActivitiesScreen())


def open_early(
    settings: Settings,
    *,
    today: date | None = None,
    width: int = 0,
    identity: Identity | None = None,
) -> Future[Opening]:
    """Start reaching the database now, in a thread of its own: who is in, and their week.

    Started before the first frame is drawn: importing psycopg, starting the embedded server
    and connecting then use the moments the screen waits on the terminal, instead of
    following the first frame. On the same connection, in the same hop, it reads who is
    logged in (unless ``identity`` says) and the week their planner opens on (on a screen
    ``width`` wide, ``today``), so the week comes with ``DatabaseOpened``. The result is
    taken (and any error raised) by the ``open_database`` worker, after the planner is on the
    stack, so nothing is posted early.
    """
    future: Future[Opening] = Future()

    def reach() -> None:
        try:
            mark("early thread")
            from coptui.db import open_reader

            url, conn = open_reader(settings.database_url, settings.home)
            mark("early reader open")
        except BaseException as exc:  # handed to the worker that waits for it
            future.set_exception(exc)
            return
        who, week = identity, None
        try:
            if who is None:
                from coptui.services.identity import current_identity

                who = current_identity(conn)
            if today is not None:
                from coptui.screens.planner_load import opening_days, read_first_week

                first, view = opening_days(today, width)
                week = read_first_week(
                    conn, identity=who, home=settings.home, first=first, view=view
                )
            mark("early week read")
        except Exception:
            # Read again the usual way (reconnecting, reviving the server), which says why.
            pass
        future.set_result(Opening(url=url, conn=conn, identity=who, week=week))

    threading.Thread(target=reach, name="coptui-open", daemon=True).start()
    return future
