"""«Моите дейности»: a volunteer's home — their coming assignments, the open places they could
take (``s`` signs them up), and no child's data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from coptui.i18n import N_, _, translate_bindings
from coptui.screens.host import Host, forward_failure, host_of
from coptui.widgets.footer import Footer
from coptui.widgets.table import Table

if TYPE_CHECKING:
    from coptui.change_feed import Change
    from coptui.services.assignments import Assignment

OPEN_WEEKS = 8  # the open places shown: those of the coming eight weeks
STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}


class MyActivitiesScreen(Screen[None]):
    """The volunteer's places in events from today on: when, where, who leads, what to do.

    Read through the database view that names no child (only how many take part); follows
    other sessions' changes like the planner does. Below them, the open places of the coming
    weeks (``coptui_open_slots``); ``s`` takes the one under that list's cursor.
    """

    CSS_PATH = "my_activities.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sign_up", N_("Sign me up")),
        Binding("question_mark", "help", N_("Help")),
    ]
    HELP_KEYS = (
        ("↑ ↓", N_("choose an activity")),
        ("Tab", N_("your activities / open places")),
        ("s", N_("take the open place under the cursor")),
        ("Ctrl+P", N_("every command")),
        ("?", N_("this help")),
        ("q", N_("quit")),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.shown: list[Assignment] | None = None
        self.open: list[Assignment] | None = None  # the open places on screen
        self.loads = 0  # finished loads, for tests

    @property
    def coptui(self) -> Host:
        """The app, as far as a screen needs it."""
        return host_of(self)

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield Static(_("My activities"), id="activities-title", markup=False)
        yield Static(_("Loading…"), id="activities-note", markup=False)
        yield Table(id="activities", cursor_type="row", zebra_stripes=True)
        yield Static("", id="activities-details", markup=False)
        yield Static(_("Open places you could take"), id="open-title", markup=False)
        yield Table(id="open-places", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        from coptui.domain.text import clean

        self.query_one("#banner", Static).display = False
        identity = self.coptui.identity
        if identity is not None:
            title = f"{_('My activities')} · {clean(identity.name)}"
            self.query_one("#activities-title", Static).update(title)
        places = self.query_one("#open-places", DataTable)
        places.add_column(_("Day"), key="day")
        places.add_column(_("Time"), key="time")
        places.add_column(_("Activity"), key="title")
        places.add_column(_("Place"), key="room")
        places.add_column(_("Task"), key="task")
        table = self.query_one("#activities", DataTable)
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
    def _load(self) -> tuple[list[Assignment], list[Assignment]]:
        from datetime import time, timedelta

        from coptui.domain.timeutil import local
        from coptui.services.assignments import my_assignments, open_places

        today = self.coptui.today()
        since = local(today, time(0))
        until = local(today + timedelta(weeks=OPEN_WEEKS), time(0))
        mine = self.coptui.read(lambda conn: my_assignments(conn, since=since))
        places = self.coptui.read(lambda conn: open_places(conn, since=since))
        return list(mine), [p for p in places if p.start < until]

    def action_sign_up(self) -> None:
        """Take the open place under the cursor of the open places."""
        table = self.query_one("#open-places", DataTable)
        if not self.open or not table.row_count:
            self.notify(_("There is no open place to take."), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self._sign_up(int(key))

    @work(thread=True, exclusive=True, exit_on_error=False, group="signup", name="signup")
    def _sign_up(self, slot_id: int) -> str:
        from coptui.services.transaction import transact
        from coptui.services.volunteer_signup import sign_up_myself, signed_up_line

        place = transact(self.coptui.wait_engine(), lambda s: sign_up_myself(s, slot_id=slot_id))
        return signed_up_line(place)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "signup":
            # A refusal is one line from the app; either way the lists are read again.
            forward_failure(self, event)
            if event.state is WorkerState.SUCCESS:
                self.notify(str(event.worker.result))
            if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
                self.reload()
            return
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
            assert isinstance(result, tuple)
            mine, places = result
            self.show_open(places)
            self.show(mine)

    def show(self, assignments: list[Assignment]) -> None:
        """Put the assignments on screen, the cursor staying on the same one."""
        from coptui.widgets.weekgrid import WEEKDAYS

        self.shown = assignments
        _refill(
            self.query_one("#activities", DataTable),
            {
                str(a.slot_id): (
                    f"{_(WEEKDAYS[a.start.weekday()])} {a.start:%d.%m.%Y}",
                    f"{a.start:%H:%M}–{a.end:%H:%M}",
                    a.title,
                    a.room or "—",
                    a.lead or "—",
                    a.task or "—",
                    str(a.children),
                    _(STATUS.get(a.status, a.status)),
                )
                for a in assignments
            },
        )
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

    def show_open(self, places: list[Assignment]) -> None:
        """Put the open places on screen, the cursor staying on the same one if still open."""
        from coptui.widgets.weekgrid import WEEKDAYS

        self.open = places
        table = self.query_one("#open-places", DataTable)
        _refill(
            table,
            {
                str(p.slot_id): (
                    f"{_(WEEKDAYS[p.start.weekday()])} {p.start:%d.%m.%Y}",
                    f"{p.start:%H:%M}–{p.end:%H:%M}",
                    p.title,
                    p.room or "—",
                    p.task or "—",
                )
                for p in places
            },
        )
        table.display = bool(places)
        self.query_one("#open-title", Static).update(
            _("Open places you could take") if places else _("No open places in the coming weeks.")
        )

    def on_data_table_row_highlighted(self) -> None:
        self._details()

    def _details(self) -> None:
        """The activity under the cursor in full (a narrow terminal cuts the columns)."""
        details = self.query_one("#activities-details", Static)
        table = self.query_one("#activities", DataTable)
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


def _refill(table: DataTable[Any], rows: dict[str, tuple[str, ...]]) -> None:
    """Put ``rows`` (by key) in ``table``; the cursor stays on its key if that is still there."""
    keep = None
    if table.row_count:
        keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear()
    for key, cells in rows.items():
        table.add_row(*cells, key=key)
    if keep in rows:
        table.move_cursor(row=list(rows).index(keep))
