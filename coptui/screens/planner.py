"""The planner: one resource's week (or day, or the next 14 days), live across sessions.

What it reads is in ``planner_load``; its editing keys (new, edit, move, cancel) are in
``planner_edits``, its finding keys (whose week, search by title) in ``planner_find``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState

from coptui.domain.text import clean
from coptui.i18n import N_, _, ngettext, translate_bindings
from coptui.screens.case_warnings import with_warnings
from coptui.screens.choice import Choice
from coptui.screens.host import forward_failure, permits
from coptui.screens.planner_find import KINDS, PlannerFind
from coptui.screens.planner_load import (
    AGENDA_DAYS,
    SPANS,
    STATUS,
    Shown,
    block_of,
    monday_of,
    read_shown,
    remember,
    remembered,
    shaded,
)
from coptui.widgets.footer import Footer
from coptui.widgets.weekgrid import WEEKDAYS, Day, WeekGrid

if TYPE_CHECKING:
    from coptui.db import Change
    from coptui.services.calendar import EventRow

__all__ = ["PlannerScreen", "monday_of", "remember", "remembered"]

VIEWS = ("week", "day", "agenda")
# The action behind each line of the help that a role may not have (see ``host.NEEDS``).
HELP_ACTIONS = {
    "n": "new_event",
    "e  Enter": "edit_event",
    "m": "move_event",
    "d": "cancel_event",
    "r": "directory",
    "c": "case_page",
    "H": "history",
}


def _planner_commands() -> Any:
    # The palette's machinery is imported when the palette first opens, not before the first
    # frame.
    from coptui.screens.palette import PlannerCommands

    return PlannerCommands


class PlannerScreen(PlannerFind):
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
        self.loads = 0  # finished loads, for tests and benchmarks
        self._shaded = False  # holidays have been looked up once (the import is slow)
        self._pending_select: int | None = None  # an event to put the cursor on
        self._pending_day: date | None = None  # a day to put the cursor on
        self.case_warnings: list[str] = []  # the D-14 / D-7 lines on the status line
        self.roster_warnings: list[str] = []  # open places soon, volunteers' papers ending

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield Static(_("Loading…"), id="planner-title", markup=False)
        with ContentSwitcher(initial="week-view", id="views"), Vertical(id="week-view"):
            yield WeekGrid(
                day_start=self.coptui.settings.day_start,
                day_end=self.coptui.settings.day_end,
                id="grid",
            )
        yield Static("", id="details", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.first is None:
            self.first = monday_of(self.coptui.today())
        if self.resource is None:
            self.resource = remembered(self.coptui.settings.home)
        self.query_one("#banner", Static).display = False
        if self.size.width and self.size.width < 60:
            self.view = "day"
            self.first = self.coptui.today()
        self.query_one(WeekGrid).focus()
        if self.coptui.opened:
            self.reload()

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch what is on screen again (after a change, a move, a new week)."""
        if not self.coptui.opened or self.first is None:
            return
        self.load(self.first, self.view, self.resource, self._shaded)

    def _span_days(self) -> int:
        return SPANS[self.view]

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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)
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
        # Only the load of the days asked for last is shown: an older one is out of date.
        if result.first != self.first or result.view != self.view:
            return
        if result.centre_id is not None and self.resource not in (None, result.resource):
            return
        self.show(result)

    def show(self, shown: Shown) -> None:
        """Put a load on screen: the header, the grid or the list, the details, together."""
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
        if shown.centre_id is None:
            self._first_run()
        else:
            self._read_case_warnings(shown)
            self._read_roster_warnings(shown.centre_id)
        self.loads += 1
        if not shown.shaded and shown.centre_id is not None:
            self._shade(shown)
        self.coptui.prepare_writes()

    def _show_weekend(self, shown: Shown) -> bool:
        if shown.view == "day" or len(shown.days) < 7:
            return True
        if self.weekend is not None:
            return self.weekend
        weekend = {d.day for d in shown.days[5:]}
        busy = any(row.start.astimezone(_sofia()).date() in weekend for row in shown.rows)
        return busy or self.size.width >= 100

    def on_resize(self) -> None:
        self._fit_grid()

    def _fit_grid(self) -> None:
        """30-minute rows, 15 when the whole day fits with them; the rest goes to details."""
        grid = self.query_one(WeekGrid)
        banner = 1 if self.query_one("#banner", Static).display else 0
        room = self.size.height - 3 - banner  # title, a line of details, footer, banner
        grid.set_slot_minutes(15 if room - 1 >= grid.minutes // 15 else 30)
        self.query_one("#views").styles.height = max(min(grid.slots + 1, room), 3)

    def _title(self) -> None:
        """The header: whose days, which days, how many events, all of what is shown."""
        shown = self.shown
        header = self.query_one("#planner-title", Static)
        if shown is None:
            return
        if shown.centre_id is None:
            header.update(_("No centre yet. Load the demo with `coptui demo`."))
            return
        who = f"{_(KINDS[shown.resource.kind])}: {clean(shown.resource.name)}"
        first = shown.first
        if shown.view == "agenda":
            end = first + timedelta(days=AGENDA_DAYS - 1)
            words = (
                _("Next 14 days {start} – {end}")
                if first == self.coptui.today()
                else _("14 days {start} – {end}")
            )
            when = words.format(start=f"{first:%d.%m}", end=f"{end:%d.%m.%Y}")
        elif shown.view == "day":
            when = f"{_(WEEKDAYS[first.weekday()])} {first:%d.%m.%Y}"
        else:
            last = first + timedelta(days=6)
            when = _("Week {start} – {end}").format(start=f"{first:%d.%m}", end=f"{last:%d.%m.%Y}")
        count = len(shown.rows)
        events = ngettext("{count} event", "{count} events", count).format(count=count)
        header.update(Content(f"{who} · {when} · {events}"))

    async def _agenda_table(self) -> None:
        """The list of days, built the first time it is asked for (not at startup)."""
        from coptui.widgets.event_list import EventList

        if not self.query("#agenda"):
            await self.query_one(ContentSwitcher).mount(EventList(status_names=STATUS, id="agenda"))

    def _fill_agenda(self, rows: list[EventRow], zone: Any) -> None:
        from coptui.widgets.event_list import EventList

        for table in self.query("#agenda").results(EventList):
            table.show(rows, zone)

    def on_week_grid_cursor_moved(self, message: WeekGrid.CursorMoved) -> None:
        self._details()

    def _details(self) -> None:
        grid = self.query_one(WeekGrid)
        block = grid.current()
        details = self.query_one("#details", Static)
        if block is None:
            at = grid.cursor_start()
            free = _("{when} free · n: new event").format(when=f"{at:%d.%m %H:%M}") if at else ""
            if self.centre_id is None:
                free = ""
            details.update(with_warnings([free], self._warnings(), details.size.height))
            return
        head = " · ".join(
            p
            for p in (
                f"{block.start:%d.%m %H:%M}–{block.end:%H:%M}",
                block.title,
                block.room or "",
                _(STATUS.get(block.status, block.status)),
            )
            if p
        )
        lines = [head]
        if block.people:
            lines.append(block.people)
        roster = " · ".join(p for p in (block.volunteers, block.open_places) if p)
        if roster:
            lines.append(_("Volunteers: {roster}").format(roster=roster))
        details.update(with_warnings(lines, self._warnings(), details.size.height))

    def _warnings(self) -> list[str]:
        return self.case_warnings + self.roster_warnings

    def _read_case_warnings(self, shown: Shown) -> None:
        """The D-14 / D-7 warnings of the specialist on screen (of every case otherwise)."""
        from coptui.screens.backend import Backend
        from coptui.screens.case_warnings import read_warnings

        assert shown.centre_id is not None
        staff = shown.resource.id if shown.resource.kind == "staff" else None
        backend = Backend.of(self.app)
        read_warnings(
            self, backend, centre_id=shown.centre_id, staff_id=staff, done=self._case_warned
        )

    def _case_warned(self, warnings: list[str]) -> None:
        new = [w for w in warnings if w not in self.case_warnings]
        self.case_warnings = warnings
        self._details()
        if new:
            self.notify(
                "\n".join(new), title=_("Cases that need you"), severity="warning", markup=False
            )

    def _read_roster_warnings(self, centre_id: int) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.substitutes import read_roster_warnings

        days = self.coptui.settings.open_places_warn_days
        read_roster_warnings(
            self, Backend.of(self.app), centre_id=centre_id, days=days, done=self._roster_warned
        )

    def _roster_warned(self, warnings: list[str]) -> None:
        self.roster_warnings = warnings
        self._details()

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

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys this person's role cannot use are neither shown nor run."""
        return permits(self.coptui.identity, action)

    def commands(self) -> list[tuple[str, str, Any]]:
        """Every action this person may use, for the command palette."""
        every = [
            (_("Next week"), "w", self.action_next_week),
            (_("Previous week"), "W", self.action_previous_week),
            (_("Today"), "t", self.action_today),
            (_("Go to date"), "g", self.action_go_to_date),
            (_("New event"), "n", self.action_new_event),
            (_("Edit event"), "e", self.action_edit_event),
            (_("Move event"), "m", self.action_move_event),
            (_("Cancel event"), "d", self.action_cancel_event),
            (_("Volunteers of the event"), "o", self.action_roster),
            (_("Attendance register"), "a", self.action_attendance),
            (_("Whose week"), "p", self.action_pick),
            (_("Directory"), "r", self.action_directory),
            (_("Case page"), "c", self.action_case_page),
            (_("Programme: sessions, enrolment, waiting list"), "P", self.action_programme),
            (_("History of the event"), "H", self.action_history),
            (_("Monthly report"), "R", self.action_report),
            (_("Search"), "/", self.action_search),
            (_("Week, day or next 14 days"), "v", self.action_next_view),
            (_("Show or fold the weekend"), "f", self.action_fold_weekend),
            (_("Print the week (PDF)"), "X", self.action_print_week),
            (_("Help"), "?", self.action_help),
            (_("Language: English / Български"), "", self.action_switch_language),
        ]
        identity = self.coptui.identity
        return [c for c in every if permits(identity, c[2].__name__.removeprefix("action_"))]

    async def action_switch_language(self) -> None:
        """Switch between Bulgarian and English and draw the planner anew in it."""
        from coptui.i18n import language, set_language, translate_bindings

        set_language("en" if language() == "bg" else "bg")
        translate_bindings(self.app)
        translate_bindings(self)
        shown, cursor = self.shown, self.query_one(WeekGrid).cursor_start()
        await self.recompose()
        self.query_one("#banner", Static).display = not self.coptui.connected
        if shown is not None and shown.view == "agenda":
            await self._agenda_table()
        self._fit_grid()
        if shown is not None:
            self.show(shown)
        if cursor is not None:
            self.query_one(WeekGrid).go_to(cursor.date(), cursor.time())
        if shown is None or shown.view != "agenda":
            self.query_one(WeekGrid).focus()

    def _first_for(self, day: date) -> date:
        """The first day of the view that shows ``day``."""
        return monday_of(day) if self.view == "week" else day

    def _go(self, first: date, cursor: date | None = None) -> None:
        """Ask for the days from ``first`` (the cursor on ``cursor`` once they are shown)."""
        self.first = first
        self._pending_day = cursor
        if cursor is not None and self.view != "agenda":
            self.query_one(WeekGrid).go_to(cursor)
        self.reload()

    def action_next_week(self) -> None:
        assert self.first is not None
        self._go(self.first + timedelta(days=self._span_days()))

    def action_previous_week(self) -> None:
        assert self.first is not None
        self._go(self.first - timedelta(days=self._span_days()))

    def action_today(self) -> None:
        today = self.coptui.today()
        self._go(self._first_for(today), today)

    def action_go_to_date(self) -> None:
        from coptui.domain.parse import parse_day
        from coptui.errors import BadInputError
        from coptui.screens.dialogs import Ask

        today = self.coptui.today()

        def check(text: str) -> str | None:
            try:
                parse_day(text, today)
            except BadInputError as exc:
                return exc.message
            return None

        def done(answer: str | None) -> None:
            if answer:
                day = parse_day(answer, today)
                self._go(self._first_for(day), day)

        self.app.push_screen(Ask(_("Go to date"), _("Date:"), check=check), done)

    async def action_next_view(self) -> None:
        """Week → day → the list of 14 days; the new view shows once its days are read."""
        assert self.first is not None
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        today = self.coptui.today()
        if self.view == "day":
            cursor = self.query_one(WeekGrid).cursor_start()
            self.first = cursor.date() if cursor else today
            self._pending_day = self.first
        elif self.view == "agenda":
            await self._agenda_table()
            self.first = today
        else:
            self.first = monday_of(self.first)
        self.reload()

    def action_fold_weekend(self) -> None:
        shown = self.shown
        self.weekend = not (self._show_weekend(shown) if shown else True)
        if self.shown is not None:
            self.show(self.shown)

    def action_print_week(self) -> None:
        """Write the week on screen as a PDF in the home folder; a notification says where."""
        from coptui.screens.backend import Backend
        from coptui.screens.planner_print import print_week

        if self.shown is not None:
            print_week(self, Backend.of(self.app), self.shown, self.coptui.settings)

    def action_help(self) -> None:
        from coptui.screens.dialogs import Help

        identity = self.coptui.identity
        keys = [(k, _(d)) for k, d in self.HELP_KEYS if permits(identity, HELP_ACTIONS.get(k))]
        self.app.push_screen(Help(keys))

    def action_history(self) -> None:
        """Who changed the event under the cursor, when, and from what to what."""
        from coptui.screens.backend import Backend
        from coptui.screens.history import HistoryScreen

        block = self._event_to_change()
        if block is None:
            return
        backend = Backend.of(self.app)
        self.app.push_screen(
            HistoryScreen(subject="event", record_id=block.id, name=block.title, backend=backend)
        )

    def action_report(self) -> None:
        """The month's report of the centre (the same as `coptui report month`)."""
        from coptui.screens.backend import Backend
        from coptui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(backend=Backend.of(self.app)))

    def action_directory(self) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.directory import DirectoryScreen

        self.app.push_screen(
            DirectoryScreen(backend=Backend.of(self.app)), lambda _result: self.reload()
        )

    def action_case_page(self) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.case_page import CasePage

        chosen = self.resource
        if chosen is None or chosen.kind != "case" or chosen.id is None or not self.centre_id:
            self.notify(_("Choose a case's week first (p)."), timeout=4)
            return
        backend = Backend.of(self.app)
        self.app.push_screen(CasePage(case_id=chosen.id, centre_id=self.centre_id, backend=backend))

    def action_attendance(self) -> None:
        """Open the attendance register of the session under the cursor."""
        from coptui.screens.attendance import AttendanceScreen, now_for
        from coptui.screens.backend import Backend

        block = self._event_to_change()
        if block is None:
            return
        if block.status == "cancelled":
            self.notify(_("A cancelled session has no attendance."), timeout=4)
            return
        if block.start > now_for(self.coptui.today()):
            self.notify(_("Attendance is marked from the session's start on."), timeout=4)
            return
        self.app.push_screen(
            AttendanceScreen(event_id=block.id, backend=Backend.of(self.app)),
            lambda saved: self.reload() if saved else None,
        )

    def _first_run(self) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.first_run import offer_first_run

        offer_first_run(self, Backend.of(self.app), self.reload)


def _sofia() -> Any:
    from coptui.domain.timeutil import SOFIA

    return SOFIA
