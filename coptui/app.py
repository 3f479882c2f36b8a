"""The Textual app's shell: its screens, global keys, start and end, and worker errors.

The rest of the app lives beside it, one job a module: ``app_database`` (reaching the database
early, reads and writes, who is logged in and their home), ``app_live`` (other sessions'
changes) and ``app_lock`` (the idle lock).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from coptui.app_database import DatabaseOpened, open_early
from coptui.app_live import LiveChanges
from coptui.app_lock import IdleLock
from coptui.config import Settings
from coptui.i18n import N_, _, translate_bindings
from coptui.trace import mark
from coptui.widgets.textual_fixes import release_styles_caches, survive_hangup

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from textual.timer import Timer

    from coptui.services.identity import Identity


# How long the start waits for the database before drawing the planner's empty frame.
PLANNER_WAIT = 0.25


class StartScreen(Screen[None]):
    """What the terminal shows while the planner is being built: one line."""

    def compose(self) -> ComposeResult:
        yield Static(_("Loading…"), id="start")


class CoptApp(IdleLock, LiveChanges):
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
    # Textual adds the palette's key with this description; marked here to be translated.
    PALETTE_KEY = N_("palette")

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
        survive_hangup()  # a dropped SSH link must end the process, not hang it
        translate_bindings(self)
        self.animation_level = "none"  # thin clients over SSH: no animation, ever
        self.settings = settings
        self.today_override = today
        self.failure: str | None = None
        self._said: dict[str, float] = {}  # error lines on screen now, and when they came
        # The database (app_database): reached in a worker unless a test or `demo` hands it in.
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False) if engine is not None else None
        # The one connection for reads and writes (the listener has the other).
        self._connection = None
        self._connection_lock = threading.Lock()
        self._engine_ready = threading.Event()
        self._opening = None
        if engine is not None:
            self._engine_ready.set()
        self._told_identity = identity
        self.identity = None
        # Other sessions' changes (app_live).
        self.live = live
        self.connected = True
        self.connection_log = []
        self.changes_seen = 0
        self._stop_listening = threading.Event()
        # The idle lock (app_lock).
        self.clock = clock
        self.last_key = clock()
        self.locked = False
        self._held = []
        self._planner_due: Timer | None = None  # the planner, not on screen yet

    def get_default_screen(self) -> Screen[Any]:
        # The first frame is a plain «Зареждане…»: it reaches the terminal as soon as a bare
        # Textual app's would. The planner (its module, grid and styles) follows at once.
        return StartScreen()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's own commands, in the person's language: only quitting. Textual's
        themes, screenshots and key panel are not for a centre's staff («?» is the help)."""
        yield SystemCommand(_("Quit"), _("Close coptui"), self.exit)

    def on_mount(self) -> None:
        mark("app mounted")
        if not self.is_headless:
            self._exit_on_hangup()
        minutes = self.settings.idle_lock_minutes
        if minutes:
            self.set_interval(min(30.0, minutes * 15.0), self.lock_when_idle, name="idle lock")
        if self.engine is None:
            self._opening = open_early(
                self.settings,
                today=self.today(),
                width=self.size.width,
                identity=self._told_identity,
            )
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

        The planner comes on screen with its first week when the database opens soon enough
        (one frame, not an empty grid and then the events); otherwise its frame is drawn while
        the week loads (after ``PLANNER_WAIT`` seconds). A volunteer's home comes instead
        when the database has said who is logged in before that.
        """
        mark("first frame")
        import coptui.screens.planner  # noqa: F401 (its import, while the database opens)

        mark("planner imported")
        self.open_database()
        self._planner_due = self.set_timer(PLANNER_WAIT, self._push_planner, name="planner")

    def _push_planner(self) -> None:
        """Put the planner on screen, once (a volunteer's home instead, if known by then)."""
        from coptui.screens.planner import PlannerScreen

        if self._planner_due is None:
            return
        self._planner_due.stop()
        self._planner_due = None
        if self.identity is not None and self.identity.role == "volunteer":
            return  # their home is «Моите дейности» (``_go_home``)
        self.push_screen(PlannerScreen())

    def on_copt_app_database_opened(self, message: DatabaseOpened) -> None:
        from coptui.screens.planner import PlannerScreen

        mark("opened handled")
        self.identity = message.identity
        self._push_planner()
        self._go_home()
        for screen in self._live_screens():
            screen.refresh_bindings()
            if isinstance(screen, PlannerScreen):
                screen.database_opened(message.week)
            else:
                screen.reload()
        if self.live:
            # Once the first week's frame is out: the listener's thread would share its moment.
            self.call_after_refresh(self.follow_changes)

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

    def today(self) -> date:
        """The day shown as today."""
        if self.today_override is not None:
            return self.today_override
        from coptui.domain.timeutil import today

        return today()


def _from_the_driver(error: BaseException | None) -> bool:
    """The error is psycopg's or SQLAlchemy's own (checked without importing either)."""
    if error is None:
        return False
    return any(
        (cls.__module__, cls.__name__)
        in {("psycopg", "Error"), ("sqlalchemy.exc", "SQLAlchemyError")}
        for cls in type(error).__mro__
    )
