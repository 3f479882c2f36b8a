"""The Textual app: screens, global bindings, database opening and worker error handling."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from coptui.config import Settings
from coptui.i18n import N_, _, translate_bindings
from coptui.widgets.textual_fixes import release_styles_caches

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from textual.notifications import SeverityLevel

    from coptui.connection import SharedConnection
    from coptui.services.identity import Identity

T = TypeVar("T")


class StartScreen(Screen[None]):
    """What the terminal shows while the planner is being built: one line."""

    def compose(self) -> ComposeResult:
        yield Static(_("Loading…"), id="start")


class CoptApp(App[None]):
    """coptui: the week of a ЦОП on one screen.

    Args:
        settings: where the database is, the language, the working hours.
        engine: an engine already opened (by ``coptui demo`` or a test); when ``None`` the
            database is opened in a worker after the first frame.
        today: the day shown as today (tests freeze it).
        live: follow other sessions' changes (LISTEN on its own connection).
        identity: who is logged in, when a test names them; otherwise it is read from the
            database (``session_user``) once it opens.
        clock: seconds that only go forward, for the idle lock (tests freeze it).
    """

    TITLE = "coptui"
    CSS_PATH = ["app.tcss", "screens/planner.tcss"]  # noqa: RUF012 (Textual reads it as is)
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", N_("Quit"))]

    class DatabaseOpened(Message):
        """The database can be read (the read connection is open) and its schema is current."""

    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine | None = None,
        today: date | None = None,
        live: bool = True,
        identity: Identity | None = None,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        release_styles_caches()  # Textual keeps every widget's rendered lines otherwise
        translate_bindings(self)
        self.animation_level = "none"  # thin clients over SSH: no animation, ever
        self.settings = settings
        self.engine: Engine | None = engine
        self.url: str | None = (
            engine.url.render_as_string(hide_password=False) if engine is not None else None
        )
        # The one connection for reads and writes (the listener has the other).
        self._connection: SharedConnection | None = None
        self._connection_lock = threading.Lock()
        self._engine_ready = threading.Event()
        self._opening: Future[tuple[str, Any]] | None = None  # the database, being reached
        if engine is not None:
            self._engine_ready.set()
        self.today_override = today
        self.failure: str | None = None
        self.live = live
        self.connected = True
        self.connection_log: list[bool] = []  # every loss (False) and return (True)
        self.changes_seen = 0
        self._stop_listening = threading.Event()
        self._told_identity = identity
        self.identity: Identity | None = None  # known once the database has opened
        self.clock = clock
        self.last_key = clock()
        self.locked = False
        # Notices that came while the screen was locked: message, title, severity, timeout, markup.
        self._held: list[tuple[str, str, SeverityLevel, float | None, bool]] = []
        self._said: dict[str, float] = {}  # error lines on screen now, and when they came

    def get_default_screen(self) -> Screen[Any]:
        # The first frame is a plain «Зареждане…»: it reaches the terminal as soon as a bare
        # Textual app's would. The planner (its module, grid and styles) follows at once.
        return StartScreen()

    def on_mount(self) -> None:
        if not self.is_headless:
            self._exit_on_hangup()
        minutes = self.settings.idle_lock_minutes
        if minutes:
            self.set_interval(min(30.0, minutes * 15.0), self.lock_when_idle, name="idle lock")
        if self.engine is None:
            self._opening = open_early(self.settings)
        self.call_after_refresh(self._open_planner)

    def _exit_on_hangup(self) -> None:
        """A closed SSH session or tmux (SIGHUP) and SIGTERM quit like `q` does.

        The terminal is restored and the exit handlers run, so the embedded server is stopped
        when the last coptui leaves (Python's default for both signals skips them).
        """
        import asyncio
        import signal
        from functools import partial

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(signum, partial(self.exit, return_code=128 + signum))

    def _open_planner(self) -> None:
        """After the first frame: reach the database (in a thread) while the planner is built.

        The planner's frame is drawn for everyone; a volunteer's home replaces it once the
        database has said who is logged in (it reads nothing before that).
        """
        from coptui.screens.planner import PlannerScreen

        self.open_database()
        self.push_screen(PlannerScreen())

    @work(thread=True, exclusive=True, exit_on_error=False, group="database", name="open")
    def open_database(self) -> None:
        """Start or reach the database off the UI thread, with psycopg alone, and learn who.

        The first week is read on this plain connection; SQLAlchemy (for writes and the
        services) is imported afterwards, once the week is on screen.
        """
        if self.engine is None:
            from coptui.connection import SharedConnection

            opening = self._opening or open_early(self.settings)
            self.url, conn = opening.result()
            self._connection = SharedConnection(self.url, conn)
        identity = self._told_identity
        if identity is None:
            from coptui.services.identity import current_identity

            identity = self.read(current_identity)
        self.identity = identity
        self.post_message(self.DatabaseOpened())

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

    def on_copt_app_database_opened(self, message: DatabaseOpened) -> None:
        self._go_home()
        for screen in self._live_screens():
            screen.refresh_bindings()
            screen.reload()
        if self.live:
            self.follow_changes()

    def _go_home(self) -> None:
        """Each role's home: a volunteer's «Моите дейности», a specialist's own week.

        A coordinator, a manager and the embedded owner keep the planner as it opened (the
        group room, or whose week they had open last).
        """
        from coptui.screens.choice import Choice
        from coptui.screens.planner import PlannerScreen

        identity = self.identity
        if identity is None:
            return
        if identity.role == "volunteer":
            self.show_my_activities()
        elif identity.role == "specialist" and identity.staff_id is not None:
            mine = Choice(kind="staff", id=identity.staff_id, name=identity.name)
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

    def _live_screens(self) -> list[Any]:
        """The screens that follow the database: planners and «Моите дейности»."""
        import sys

        from coptui.screens.planner import PlannerScreen

        # «Моите дейности» is on the stack only if its module was imported: importing it here
        # (DataTable and all) would delay every first week by its import.
        kinds: tuple[type, ...] = (PlannerScreen,)
        mine = sys.modules.get("coptui.screens.my_activities")
        if mine is not None:
            kinds = (*kinds, mine.MyActivitiesScreen)
        return [s for s in self.screen_stack if isinstance(s, kinds)]

    @work(thread=True, exclusive=True, exit_on_error=False, group="live", name="live")
    def follow_changes(self) -> None:
        """Listen for every committed change and hand it to the planner (own connection)."""
        from coptui.db import listen

        assert self.url is not None
        url = self.settings.listener_url(self.url)  # past pgbouncer: straight to PostgreSQL
        for change in listen(url, stop=self._stop_listening, on_state=self._connection_state):
            self.call_from_thread(self._changed, change)

    def _changed(self, change: Any) -> None:
        self.changes_seen += 1
        # The planners, and any other screen that follows changes (a programme's screen).
        for screen in self.screen_stack:
            follow = getattr(screen, "changed", None)
            if callable(follow):
                follow(change)

    def _connection_state(self, up: bool) -> None:
        if not up:
            self._revive_server()
        if up == self.connected:
            return
        self.connected = up
        self.connection_log.append(up)
        self.call_from_thread(self._show_connection, up)

    def _show_connection(self, up: bool) -> None:
        for screen in self._live_screens():
            screen.connection(up)

    def on_unmount(self) -> None:
        self._stop_listening.set()
        if self._connection is not None:
            self._connection.close()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn a failed worker into a message for people (the one place errors surface)."""
        if event.state is not WorkerState.ERROR:
            return
        from coptui.errors import CoptError, database_error

        error = event.worker.error
        if _from_the_driver(error):
            # A screen reached the database past the services: still one line for people.
            assert error is not None
            error = database_error(error)
        if event.worker.name == "open":
            self.failure = error.message if isinstance(error, CoptError) else str(error)
            self.exit(return_code=1)
            return
        if (
            event.worker.name == "week"
            and self.identity is not None
            and self.identity.role == "volunteer"
            and not self.locked
        ):
            # A volunteer's planner is refused by the database: their own page instead.
            self.show_my_activities()
        message = error.message if isinstance(error, CoptError) else str(error)
        title = error.title if isinstance(error, CoptError) else _("Unexpected error")
        # The same refusal from two reads at once (a screen and its shading, a reload) is
        # said once while it is still on screen; a key pressed since deserves its answer.
        now = self.clock()
        if self._said.get(message, -1e9) > max(now - 8, self.last_key):
            return
        self._said = {m: t for m, t in self._said.items() if t > now - 8}
        self._said[message] = now
        # Messages name stored titles and people: plain text, never markup.
        self.notify(message, title=title, severity="error", timeout=8, markup=False)

    # -- the idle lock ----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_key = self.clock()
        await super().on_event(event)

    def lock_when_idle(self) -> None:
        """Lock the screen when no key has come for ``COPTUI_IDLE_LOCK_MINUTES``."""
        minutes = self.settings.idle_lock_minutes
        if minutes and not self.locked and self.clock() - self.last_key >= minutes * 60:
            self.lock()

    def lock(self) -> None:
        """Cover every screen with «Заключено»: nothing of the centre stays in view."""
        from coptui.screens.lock import LockScreen

        if self.locked:
            return
        self.locked = True
        self.clear_notifications()
        self.push_screen(LockScreen(), self._unlocked)

    def _unlocked(self, _result: None) -> None:
        self.locked = False
        self.last_key = self.clock()
        held, self._held = self._held, []
        for message, title, severity, timeout, markup in held:
            self.notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notice, held back while the screen is locked (it may name people or cases)."""
        if self.locked:
            self._held.append((message, title, severity, timeout, markup))
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_command_palette(self) -> None:
        if not self.locked:
            super().action_command_palette()

    def today(self) -> date:
        """The day shown as today."""
        if self.today_override is not None:
            return self.today_override
        from coptui.domain.timeutil import today

        return today()


def open_early(settings: Settings) -> Future[tuple[str, Any]]:
    """Start reaching the database now, in a thread of its own: its URL and read connection.

    Started before the first frame is drawn: importing psycopg, starting the embedded server
    and connecting then use the moments the screen waits on the terminal, instead of
    following the first frame. The result is taken (and any error raised) by the
    ``open_database`` worker, after the planner is on the stack, so nothing is posted early.
    """
    future: Future[tuple[str, Any]] = Future()

    def reach() -> None:
        try:
            from coptui.db import open_reader

            future.set_result(open_reader(settings.database_url, settings.home))
            # What the first week's read needs next, imported while the planner is built.
            import coptui.services.identity
            import coptui.services.roster_reads  # noqa: F401
        except BaseException as exc:  # handed to the worker that waits for it
            if not future.done():
                future.set_exception(exc)

    threading.Thread(target=reach, name="coptui-open", daemon=True).start()
    return future


def _from_the_driver(error: BaseException | None) -> bool:
    """The error is psycopg's or SQLAlchemy's own (checked without importing either)."""
    if error is None:
        return False
    return any(
        (cls.__module__, cls.__name__)
        in {("psycopg", "Error"), ("sqlalchemy.exc", "SQLAlchemyError")}
        for cls in type(error).__mro__
    )
