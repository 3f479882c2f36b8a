"""This week's events of the centre, day by day (the planner grid replaces it later)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from coptui.i18n import N_, _

if TYPE_CHECKING:
    from coptui.app import CoptApp
    from coptui.services.calendar import EventRow

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


class WeekScreen(Screen[None]):
    """A list of the week's events with keys to move by week."""

    CSS_PATH = "week.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w,pagedown", "next_week", _("Next week")),
        Binding("W,pageup", "previous_week", _("Previous week")),
        Binding("t", "this_week", _("Today")),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.monday: date | None = None
        self.centre_id: int | None = None

    @property
    def coptui(self) -> CoptApp:
        from coptui.app import CoptApp

        assert isinstance(self.app, CoptApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="week-title")
        yield DataTable(id="week-table", cursor_type="row", zebra_stripes=True)
        yield Static(_("Loading…"), id="week-status")
        yield Footer()

    def on_mount(self) -> None:
        self.monday = monday_of(self.coptui.today())
        table = self.query_one(DataTable)
        table.add_columns(_("Day"), _("Time"), _("Title"), _("Room"), _("Staff"), _("Status"))
        self._show_title()

    def _show_title(self) -> None:
        assert self.monday is not None
        sunday = self.monday + timedelta(days=6)
        self.query_one("#week-title", Static).update(
            _("Week {start} – {end}").format(start=f"{self.monday:%d.%m}", end=f"{sunday:%d.%m.%Y}")
        )

    def reload(self) -> None:
        """Fetch the week on screen again."""
        self._show_title()
        assert self.monday is not None
        self.load_week(self.monday)

    @work(thread=True, exclusive=True, exit_on_error=False, group="week", name="week")
    def load_week(self, monday: date) -> tuple[date, str | None, list[EventRow]]:
        """Read the week in a thread; no transaction outlives this call."""
        from coptui.db import session_scope
        from coptui.services.calendar import centre_week, centres

        engine = self.coptui.engine
        assert engine is not None
        with session_scope(engine) as session:
            found = centres(session)
            if not found:
                return monday, None, []
            centre = found[0]
            self.centre_id = centre.id
            return monday, centre.name, centre_week(session, centre_id=centre.id, monday=monday)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "week" or event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        assert result is not None
        monday, centre, rows = result
        if monday != self.monday:
            return
        self._fill(centre, rows)

    def _fill(self, centre: str | None, rows: list[EventRow]) -> None:
        table = self.query_one(DataTable)
        status = self.query_one("#week-status", Static)
        table.clear()
        if centre is None:
            status.update(_("No centre yet. Load the demo with `coptui demo`."))
            return
        self.sub_title = centre
        for row in rows:
            start = row.start.astimezone(_zone())
            end = row.end.astimezone(_zone())
            table.add_row(
                f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m}",
                f"{start:%H:%M}–{end:%H:%M}",
                row.title,
                row.room or "—",
                ", ".join(row.staff),
                _(STATUS.get(row.status, row.status)),
                key=str(row.id),
            )
        status.update(
            _("{count} events this week").format(count=len(rows))
            if rows
            else _("No events this week")
        )

    def action_next_week(self) -> None:
        assert self.monday is not None
        self.monday += timedelta(weeks=1)
        self.reload()

    def action_previous_week(self) -> None:
        assert self.monday is not None
        self.monday -= timedelta(weeks=1)
        self.reload()

    def action_this_week(self) -> None:
        self.monday = monday_of(self.coptui.today())
        self.reload()


def _zone() -> Any:
    from coptui.domain.timeutil import SOFIA

    return SOFIA
