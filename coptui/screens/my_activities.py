"""«Моите дейности»: a volunteer's home — their coming assignments, and no child's data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from coptui.i18n import N_, _, translate_bindings
from coptui.screens.host import Host, host_of

if TYPE_CHECKING:
    from coptui.db import Change
    from coptui.services.assignments import Assignment

STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}


class MyActivitiesScreen(Screen[None]):
    """The volunteer's places in events from today on: when, where, who leads, what to do.

    Read through the database view that names no child (only how many take part); follows
    other sessions' changes like the planner does.
    """

    CSS_PATH = "my_activities.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", N_("Help")),
    ]
    HELP_KEYS = (
        ("↑ ↓", N_("choose an activity")),
        ("Ctrl+P", N_("every command")),
        ("?", N_("this help")),
        ("q", N_("quit")),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.shown: list[Assignment] | None = None
        self.loads = 0  # finished loads, for tests

    @property
    def coptui(self) -> Host:
        """The app, as far as a screen needs it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield Static(_("My activities"), id="activities-title", markup=False)
        yield Static(_("Loading…"), id="activities-note", markup=False)
        yield DataTable(id="activities", cursor_type="row", zebra_stripes=True)
        yield Static("", id="activities-details", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from coptui.domain.text import clean

        self.query_one("#banner", Static).display = False
        identity = self.coptui.identity
        if identity is not None:
            title = f"{_('My activities')} · {clean(identity.name)}"
            self.query_one("#activities-title", Static).update(title)
        table = self.query_one(DataTable)
        table.add_column(_("Day"), key="day")
        table.add_column(_("Time"), key="time")
        table.add_column(_("Activity"), key="title")
        table.add_column(_("Place"), key="room")
        table.add_column(_("Lead"), key="lead")
        table.add_column(_("Task"), key="task")
        table.add_column(_("Children"), key="children")
        table.add_column(_("Status"), key="status")
        table.focus()
        self.reload()

    def reload(self) -> None:
        """Read the assignments again."""
        if self.coptui.opened:
            self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="mine", name="mine")
    def _load(self) -> list[Assignment]:
        from datetime import time

        from coptui.domain.timeutil import local
        from coptui.services.assignments import my_assignments

        since = local(self.coptui.today(), time(0))
        return list(self.coptui.read(lambda conn: my_assignments(conn, since=since)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "mine":
            return
        if event.state is WorkerState.ERROR:
            from coptui.errors import CoptError

            # One line where «Зареждане…» was (the screen never waits for ever); it says
            # what the app would have said in a notice.
            error = event.worker.error
            line = error.message if isinstance(error, CoptError) else str(error)
            note = self.query_one("#activities-note", Static)
            note.update(line)
            note.display = True
        elif event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, list)
            self.show(result)

    def show(self, assignments: list[Assignment]) -> None:
        """Put the assignments on screen, the cursor staying on the same one."""
        from coptui.widgets.weekgrid import WEEKDAYS

        self.shown = assignments
        table = self.query_one(DataTable)
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for a in assignments:
            table.add_row(
                f"{_(WEEKDAYS[a.start.weekday()])} {a.start:%d.%m.%Y}",
                f"{a.start:%H:%M}–{a.end:%H:%M}",
                a.title,
                a.room or "—",
                a.lead or "—",
                a.task or "—",
                str(a.children),
                _(STATUS.get(a.status, a.status)),
                key=str(a.slot_id),
            )
        if keep is not None:
            for index, a in enumerate(assignments):
                if str(a.slot_id) == keep:
                    table.move_cursor(row=index)
        note = self.query_one("#activities-note", Static)
        identity = self.coptui.identity
        if assignments:
            note.update("")
        elif identity is not None and identity.volunteer_id is None:
            note.update(
                _("This login is not linked to a volunteer; ask the coordinator to link it.")
            )
        else:
            note.update(_("No activities ahead of you."))
        note.display = not assignments
        self._details()
        self.loads += 1

    def on_data_table_row_highlighted(self) -> None:
        self._details()

    def _details(self) -> None:
        """The activity under the cursor in full (a narrow terminal cuts the columns)."""
        details = self.query_one("#activities-details", Static)
        table = self.query_one(DataTable)
        if not self.shown or not table.row_count:
            details.update("")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        for a in self.shown:
            if str(a.slot_id) == key:
                parts = [
                    f"{a.start:%d.%m %H:%M}–{a.end:%H:%M}",
                    a.title,
                    a.room,
                    _("lead: {name}").format(name=a.lead) if a.lead else "",
                    _("task: {task}").format(task=a.task) if a.task else "",
                ]
                details.update(" · ".join(p for p in parts if p))
                return

    # -- live -------------------------------------------------------------------------------

    def changed(self, change: Change) -> None:
        """Another session changed something: read the assignments again (one small query)."""
        self.reload()

    def connection(self, up: bool) -> None:
        """Show or hide the banner saying the database cannot be reached."""
        banner = self.query_one("#banner", Static)
        banner.update(_("No connection to the database; trying again… Nothing you typed is lost."))
        banner.display = not up
        if up:
            self.reload()

    def action_help(self) -> None:
        from coptui.screens.dialogs import Help

        self.app.push_screen(Help([(k, _(d)) for k, d in self.HELP_KEYS]))
