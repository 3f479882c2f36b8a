"""The planner: one resource's week (or day, or the next 14 days), live across sessions.

What it reads is in ``planner_load``, the weeks it reads ahead in ``planner_cache``; its
editing keys (new, edit, move, cancel) are in ``planner_edits``, its finding keys (whose week,
search by title) in ``planner_find``, its moving and opening keys (weeks, views, help, other
screens) in ``planner_keys``, and its header and details line in ``planner_lines``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState

from coptui.domain.text import clean
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.choice import Choice
from coptui.screens.host import forward_failure
from coptui.screens.planner_cache import WeekCache
from coptui.screens.planner_lines import PlannerLines
from coptui.screens.planner_load import (
    Shown,
    block_of,
    monday_of,
    opening_days,
    read_shown,
    remember,
    remembered,
    shaded,
)
from coptui.trace import mark
from coptui.widgets.changed_lines import ChangedLinesStatic
from coptui.widgets.footer import Footer
from coptui.widgets.weekgrid import Day, WeekGrid

if TYPE_CHECKING:
    from coptui.change_feed import Change

__all__ = ["PlannerScreen", "monday_of", "remember", "remembered"]


def _planner_commands() -> Any:
    # The palette's machinery is imported when the palette first opens, not before the first
    # frame.
    from coptui.screens.palette import PlannerCommands

    return PlannerCommands


class PlannerScreen(PlannerLines):
    """The week of one room, specialist, volunteer, case or programme, or of the centre.

    ``first`` and ``view`` say what is asked for; ``shown`` is what arrived and is on screen.
    The header, the grid and the list are drawn from ``shown`` only, so they never disagree
    (while the database is away the screen keeps the last days it could read).
    """

    COMMANDS: ClassVar[set[Any]] = {_planner_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", N_("Help")),
        Binding("n", "new_event", N_("New")),
        Binding("e", "edit_event", N_("Edit")),
        Binding("m", "move_event", N_("Move")),
        Binding("d", "cancel_event", N_("Cancel event")),
        Binding("a", "attendance", N_("Attendance"), show=False),
        Binding("p", "pick", N_("Whose week")),
        Binding("r", "directory", N_("Directory")),
        Binding("o", "roster", N_("Volunteers"), show=False),
        Binding("c", "case_page", N_("Case page"), show=False),
        Binding("P", "programme", N_("Programme"), show=False),
        Binding("H", "history", N_("History"), show=False),
        Binding("R", "report", N_("Monthly report"), show=False),
        Binding("w,pagedown", "next_week", N_("Next week")),
        Binding("W,pageup", "previous_week", N_("Previous week")),
        Binding("t", "today", N_("Today")),
        Binding("g", "go_to_date", N_("Go to date"), show=False),
        Binding("slash", "search", N_("Search"), show=False),
        Binding("v", "next_view", N_("View"), show=False),
        Binding("f", "fold_weekend", N_("Weekend"), show=False),
        Binding("X", "print_week", N_("Print"), show=False),
    ]
    HELP_KEYS = (
        ("← → ↑ ↓  h l k j", N_("move the cursor by day and by half hour")),
        ("w  PgDn", N_("next week")),
        ("W  PgUp", N_("previous week")),
        ("t", N_("today")),
        ("g", N_("go to a date (03.12.2026, tomorrow, fri, +2)")),
        ("n", N_("new event at the cursor")),
        ("e  Enter", N_("edit the event under the cursor")),
        ("]", N_("the next of several events at the same time")),
        ("m", N_("move the event under the cursor")),
        ("d", N_("cancel the event under the cursor (asks for a reason)")),
        ("o", N_("volunteers of the event: sign one up, one cannot come, find a substitute")),
        ("a", N_("the attendance register of the session under the cursor (held or begun)")),
        ("p", N_("whose week: a room, specialist, volunteer, case, programme")),
        ("r", N_("directory: the centre, rooms, people, cases, programmes, closed days")),
        ("c", N_("the page of the case whose week is shown")),
        ("P", N_("the programme of the event under the cursor: sessions, enrolled, waiting list")),
        ("H", N_("history of the event under the cursor: who changed what, when")),
        ("/", N_("search events by title")),
        ("v", N_("week, day or the next 14 days")),
        ("f", N_("show or fold the weekend")),
        ("R", N_("the month's report for the municipality and the funder")),
        ("X", N_("print the week: an A4 PDF in your home folder")),
        ("Ctrl+P", N_("every command")),
        ("?", N_("this help")),
        ("q", N_("quit")),
    )

    def __init__(
        self, *, first: date | None = None, resource: Choice | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.first: date | None = first
        self.resource: Choice | None = resource
        self.centre_id: int | None = None
        self.shown: Shown | None = None
        self.weekend: bool | None = None  # None: shown when wide enough or not empty
        self.view = "week"
        self.loads = 0  # finished loads from the database, for tests and benchmarks
        self.ahead = WeekCache()  # the weeks beside this one, read ahead
        # What the database last confirmed, while days read ahead are drawn over it.
        self._confirmed: Shown | None = None
        self._shaded = False  # holidays have been looked up once (the import is slow)
        self._pending_select: int | None = None  # an event to put the cursor on
        self._pending_day: date | None = None  # a day to put the cursor on
        self.case_warnings: list[str] = []  # the D-14 / D-7 lines on the status line
        self.roster_warnings: list[str] = []  # open places soon, volunteers' papers ending
        self._told = False  # the app has said the database opened
        self._early: Shown | None = None  # the first week, read by the start before mounting

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield Static(_("Loading…"), id="planner-title", markup=False)
        with ContentSwitcher(initial="week-view", id="views"), Vertical(id="week-view"):
            yield WeekGrid(
                day_start=self.coptui.settings.day_start,
                day_end=self.coptui.settings.day_end,
                id="grid",
            )
        # Under the grid: its first line changes with the cursor, the warnings under it rarely.
        yield ChangedLinesStatic("", id="details", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        mark("planner mounted")
        if not self.query(WeekGrid):
            return  # the app closed while this screen was being mounted: nothing to set up
        if self.first is None:
            self.first = monday_of(self.coptui.today())
        if self.resource is None:
            self.resource = remembered(self.coptui.settings.home)
        self.query_one("#banner", Static).display = False
        if self.size.width and self.size.width < 60:
            self.first, self.view = opening_days(self.coptui.today(), self.size.width)
        self.query_one(WeekGrid).focus()
        if self._told:
            self.database_opened(self._early)
        elif self.coptui.opened:
            self.reload()

    def database_opened(self, week: Shown | None) -> None:
        """The database has opened; ``week`` is the first week when the start read it already.

        It is shown at once if it is still what this screen asks for; otherwise the screen
        reads what it asks for.
        """
        self._told = True
        if self.first is None:  # not mounted yet: ``on_mount`` comes back here
            self._early = week
            return
        self._early = None
        if week is not None and self._asked_for(week):
            self._arrived(week)
        else:
            self.reload()

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch what is on screen again: something may have changed (a save, another session).

        The weeks read ahead may hold the change too: they are forgotten.
        """
        self.ahead.clear()
        self._read()

    def _read(self) -> None:
        if not self.coptui.opened or self.first is None:
            return
        self.load(self.first, self.view, self.resource, self._shaded)

    def _first_for(self, day: date) -> date:
        """The first day of the view that shows ``day``."""
        return monday_of(day) if self.view == "week" else day

    def _go(self, first: date, cursor: date | None = None) -> None:
        """Ask for the days from ``first`` (the cursor on ``cursor`` once they are shown)."""
        self.first = first
        self._pending_day = cursor
        if cursor is not None and self.view != "agenda":
            self.query_one(WeekGrid).go_to(cursor)
        # Days read ahead are drawn with the key; the read that follows corrects them if
        # anything changed meanwhile.
        ahead = self.ahead.get(first, self.view, self.resource)
        if ahead is not None and self.shown is not None:
            if self._confirmed is None:
                self._confirmed = self.shown
            self.show(ahead, follow=False)
            # Once the frame is out: a thread started now would share the frame's moment.
            self.call_after_refresh(self._read)
        else:
            self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="week", name="week")
    def load(self, first: date, view: str, resource: Choice | None, shade: bool) -> Shown:
        """Read the days of ``view`` from ``first`` in a thread, on the plain read connection.

        ``shade`` computes holidays and closures too; the very first load leaves them out
        (the holiday tables take a moment to import) and shades right after.
        """
        return self.coptui.read(
            lambda conn: read_shown(conn, first=first, view=view, resource=resource, shade=shade)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="shade", name="shade")
    def _shade(self, shown: Shown) -> None:
        from coptui.services.calendar import calendar_for

        assert shown.centre_id is not None
        centre_id = shown.centre_id
        calendar = self.coptui.read(lambda conn: calendar_for(conn, centre_id))
        days = shaded(shown.days, calendar)
        self.app.call_from_thread(self._shaded_now, shown, days)

    def _shaded_now(self, shown: Shown, days: list[Day]) -> None:
        self._shaded = True
        if self.shown is shown:
            self.show(replace(shown, days=days, shaded=True))
            self.loads += 1
            wanted = self.ahead.wanted(shown)
            if wanted:
                self._read_ahead(wanted, shown.view, shown.resource, True, self.ahead.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ahead", name="ahead")
    def _read_ahead(
        self, firsts: list[date], view: str, resource: Choice, shade: bool, generation: int
    ) -> tuple[int, list[Shown]]:
        """Read the days beside the ones shown, for the next key (quietly: a failed read ahead
        only means the next week is read when it is asked for)."""
        found: list[Shown] = []
        for first in firsts:

            def days_from(conn: Any, first: date = first) -> Shown:
                return read_shown(conn, first=first, view=view, resource=resource, shade=shade)

            try:
                found.append(self.coptui.read(days_from))
            except Exception:
                break
        return generation, found

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)
        if event.worker.name == "ahead" and event.state is WorkerState.SUCCESS:
            generation, found = cast("tuple[int, list[Shown]]", event.worker.result)
            for shown in found:
                self.ahead.put(shown, generation)
            return
        if event.worker.name == "week" and event.state is WorkerState.ERROR:
            self._unconfirmed()
        if event.worker.name == "week" and event.state is WorkerState.ERROR and not self.shown:
            # Never «Зареждане…» for ever: the one line the app also shows.
            from coptui.errors import CoptError

            error = event.worker.error
            if isinstance(error, CoptError):
                self.query_one("#planner-title", Static).update(error.message)
        if event.worker.name != "week" or event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        assert isinstance(result, Shown)
        if self._asked_for(result):
            self._arrived(result)

    def _asked_for(self, result: Shown) -> bool:
        """Only the load of the days asked for last is shown: an older one is out of date."""
        if result.first != self.first or result.view != self.view:
            return False
        return result.centre_id is None or self.resource in (None, result.resource)

    def _arrived(self, result: Shown) -> None:
        mark("week arrived")
        self._confirmed = None
        # What goes with the first week (warnings, shading, the engine for writes: imports
        # and threads) waits until its frame is out.
        first = self.loads == 0
        # Usually what the key drew from the days read ahead: nothing to draw again.
        if result != self.shown:
            self.show(result, follow=not first)
        elif not first:
            self._follow(result)
        if first:
            self.call_after_refresh(self._follow_later, result)
        self.loads += 1
        mark("week shown")
        self.ahead.put(result, self.ahead.generation)
        wanted = self.ahead.wanted(result)
        if wanted and result.shaded:
            self._read_ahead(wanted, result.view, result.resource, True, self.ahead.generation)

    def _unconfirmed(self) -> None:
        """The read after a key failed: back to the last days the database confirmed.

        While the database is away the screen keeps the last days it could read, as it does
        without the days read ahead; those may be out of date too, and are forgotten.
        """
        self.ahead.clear()
        confirmed, self._confirmed = self._confirmed, None
        if confirmed is not None:
            self.show(confirmed, follow=False)

    def show(self, shown: Shown, *, follow: bool = True) -> None:
        """Put a load on screen: the header, the grid or the list, the details, together.

        ``follow`` reads what goes with it (warnings, shading); days drawn from those read
        ahead leave that to the read that corrects them.
        """
        from coptui.domain.timeutil import SOFIA

        self.shown = shown
        self.centre_id = shown.centre_id
        if shown.centre_id is not None and (
            self.resource is None or self.resource.id != shown.resource.id
        ):
            self.resource = shown.resource
        self.sub_title = clean(shown.centre)
        switcher = self.query_one(ContentSwitcher)
        wanted = "agenda" if shown.view == "agenda" and self.query("#agenda") else "week-view"
        if switcher.current != wanted:
            switcher.current = wanted
            (self.query_one("#agenda") if wanted == "agenda" else self.query_one(WeekGrid)).focus()
        if shown.view == "agenda":
            self._fill_agenda(shown.rows, SOFIA)
        else:
            days = shown.days if self._show_weekend(shown) else shown.days[:5]
            grid = self.query_one(WeekGrid)
            blocks = [block_of(row, SOFIA, shown.rosters.get(row.id)) for row in shown.rows]
            grid.show(days, blocks, self.coptui.today())
            self._fit_grid()
            if self._pending_select is not None:
                grid.select_event(self._pending_select)
                self._pending_select = None
            elif self._pending_day is not None:
                grid.go_to(self._pending_day)
                self._pending_day = None
        self._title()
        self._details()
        if follow:
            self._follow(shown)

    def _follow(self, shown: Shown) -> None:
        """What a load from the database brings after it: warnings, shading, the engine."""
        if shown.centre_id is None:
            self._first_run()
        else:
            self._read_case_warnings(shown)
            self._read_roster_warnings(shown.centre_id)
        if not shown.shaded and shown.centre_id is not None:
            self._shade(shown)
        self.coptui.prepare_writes()

    def _follow_later(self, shown: Shown) -> None:
        # Days shown since bring their own; a screen gone has nothing to follow.
        if self.is_attached and self.shown is shown:
            self._follow(shown)

    def _show_weekend(self, shown: Shown) -> bool:
        if shown.view == "day" or len(shown.days) < 7:
            return True
        if self.weekend is not None:
            return self.weekend
        weekend = {d.day for d in shown.days[5:]}
        busy = any(row.start.astimezone(_sofia()).date() in weekend for row in shown.rows)
        return busy or self.size.width >= 100

    def on_resize(self) -> None:
        # A resize can reach the screen while it is being taken down with its app, its grid
        # already gone (seen once in a loaded full run): there is nothing to fit then.
        if self.query(WeekGrid):
            self._fit_grid()

    def _fit_grid(self) -> None:
        """30-minute rows, 15 when the whole day fits with them; the rest goes to details."""
        grid = self.query_one(WeekGrid)
        banner = 1 if self.query_one("#banner", Static).display else 0
        room = self.size.height - 3 - banner  # title, a line of details, footer, banner
        grid.set_slot_minutes(15 if room - 1 >= grid.minutes // 15 else 30)
        self.query_one("#views").styles.height = max(min(grid.slots + 1, room), 3)

    # -- live -------------------------------------------------------------------------------

    def changed(self, change: Change) -> None:
        """Another session (or this one) changed the calendar: reload if it touches us."""
        if self.first is None:
            return
        if self.shown is not None and self.shown.centre_id is None:
            self.reload()  # a centre may have just been made
            return
        if change.centre_id != self.centre_id:
            return
        from coptui.domain.timeutil import local

        start = local(self.first, time(0))
        end = local(self.first + timedelta(days=self._span_days()), time(0))
        spans = [(change.lower, change.upper), (change.old_lower, change.old_upper)]
        if any(lo is not None and up is not None and lo < end and start < up for lo, up in spans):
            self.reload()

    def connection(self, up: bool) -> None:
        """Show or hide the banner saying the database cannot be reached."""
        banner = self.query_one("#banner", Static)
        banner.update(_("No connection to the database; trying again… Nothing you typed is lost."))
        banner.display = not up
        self._fit_grid()
        if up:
            self.reload()

    # -- the first run ----------------------------------------------------------------------

    def _first_run(self) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.first_run import offer_first_run

        offer_first_run(self, Backend.of(self.app), self.reload)


def _sofia() -> Any:
    from coptui.domain.timeutil import SOFIA

    return SOFIA
