"""The planner's keys that change what is shown or open another screen.

Moving by week, day and view, the weekend, the language, help, the command palette's list,
and the screens reached from the planner (directory, case page, attendance, history).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual.widgets import ContentSwitcher, Static

from coptui.i18n import _
from coptui.screens.host import permits
from coptui.screens.planner_find import PlannerFind
from coptui.screens.planner_load import SPANS, STATUS, Shown, monday_of
from coptui.widgets.weekgrid import WeekGrid

if TYPE_CHECKING:
    from coptui.services.calendar import EventRow

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
    "R": "report",
}


class PlannerKeys(PlannerFind):
    """The moving and opening keys of the planner (``PlannerScreen`` builds on it)."""

    HELP_KEYS: ClassVar[tuple[tuple[str, str], ...]] = ()
    first: date | None
    weekend: bool | None
    _pending_day: date | None

    def show(self, shown: Shown) -> None:
        """Put a load on screen (the planner draws)."""
        raise NotImplementedError

    def _show_weekend(self, shown: Shown) -> bool:
        raise NotImplementedError

    def _fit_grid(self) -> None:
        raise NotImplementedError

    async def _agenda_table(self) -> None:
        """The list of days, built the first time it is asked for (not at startup)."""
        from coptui.widgets.event_list import EventList

        if not self.query("#agenda"):
            await self.query_one(ContentSwitcher).mount(EventList(status_names=STATUS, id="agenda"))

    def _fill_agenda(self, rows: list[EventRow], zone: Any) -> None:
        from coptui.widgets.event_list import EventList

        for table in self.query("#agenda").results(EventList):
            table.show(rows, zone)

    def _span_days(self) -> int:
        return SPANS[self.view]

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

    def action_print_week(self) -> None:
        """Write the week on screen as a PDF in the home folder; a notification says where."""
        from coptui.screens.backend import Backend
        from coptui.screens.planner_print import print_week

        if self.shown is not None:
            print_week(self, Backend.of(self.app), self.shown, self.coptui.settings)

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
