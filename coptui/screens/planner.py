"""The planner: one resource's week (or day, or the next 14 days), live across sessions."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static
from textual.worker import Worker, WorkerState

from coptui.i18n import N_, _, ngettext, translate_bindings
from coptui.screens.case_warnings import with_warnings
from coptui.screens.choice import Choice
from coptui.widgets.weekgrid import WEEKDAYS, Block, Day, WeekGrid

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from coptui.app import CoptApp
    from coptui.db import Change
    from coptui.services.calendar import EventRow

KINDS = {
    None: N_("Centre"),
    "room": N_("Room"),
    "staff": N_("Specialist"),
    "volunteer": N_("Volunteer"),
    "case": N_("Case"),
    "programme": N_("Programme"),
}
STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}
AGENDA_DAYS = 14


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Shown:
    """What a load brought back for the screen."""

    first: date
    centre_id: int | None
    centre: str
    resource: Choice
    days: list[Day] = field(default_factory=list)
    rows: list[EventRow] = field(default_factory=list)
    agenda: list[EventRow] = field(default_factory=list)
    shaded: bool = False


def _state_file(home: Path) -> Path:
    return home / "planner-state.json"


def remembered(home: Path) -> Choice | None:
    """The resource this person had open last time."""
    try:
        data = json.loads(_state_file(home).read_text(encoding="utf-8"))
        mine = data[getpass.getuser()]
        return Choice(kind=mine["kind"], id=mine["id"], name=mine["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(home: Path, choice: Choice) -> None:
    """Keep the resource open now for this person's next start (best effort)."""
    path = _state_file(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data[getpass.getuser()] = {"kind": choice.kind, "id": choice.id, "name": choice.name}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except (OSError, ValueError):
        pass


def _planner_commands() -> Any:
    # The palette's machinery is imported when the palette first opens, not before the first
    # frame.
    from coptui.screens.palette import PlannerCommands

    return PlannerCommands


class PlannerScreen(Screen[None]):
    """The week of one room, specialist, volunteer, case or programme, or of the centre."""

    COMMANDS: ClassVar[set[Any]] = {_planner_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", N_("Help")),
        Binding("n", "new_event", N_("New")),
        Binding("e", "edit_event", N_("Edit")),
        Binding("m", "move_event", N_("Move")),
        Binding("d", "cancel_event", N_("Cancel event")),
        Binding("p", "pick", N_("Whose week")),
        Binding("r", "directory", N_("Directory")),
        Binding("c", "case_page", N_("Case page"), show=False),
        Binding("w,pagedown", "next_week", N_("Next week")),
        Binding("W,pageup", "previous_week", N_("Previous week")),
        Binding("t", "today", N_("Today")),
        Binding("g", "go_to_date", N_("Go to date"), show=False),
        Binding("slash", "search", N_("Search"), show=False),
        Binding("v", "next_view", N_("View"), show=False),
        Binding("f", "fold_weekend", N_("Weekend"), show=False),
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
        ("p", N_("whose week: a room, specialist, volunteer, case, programme")),
        ("r", N_("directory: the centre, rooms, people, cases, programmes, closed days")),
        ("c", N_("the page of the case whose week is shown")),
        ("/", N_("search events by title")),
        ("v", N_("week, day or the next 14 days")),
        ("f", N_("show or fold the weekend")),
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
        self._pending_select: int | None = None
        self.case_warnings: list[str] = []  # the D-14 / D-7 lines on the status line

    @property
    def coptui(self) -> CoptApp:
        from coptui.app import CoptApp

        assert isinstance(self.app, CoptApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield Static(_("Loading…"), id="planner-title")
        with ContentSwitcher(initial="week-view", id="views"), Vertical(id="week-view"):
            yield WeekGrid(
                day_start=self.coptui.settings.day_start,
                day_end=self.coptui.settings.day_end,
                id="grid",
            )
        yield Static("", id="details")
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
        self.load(self.first, self.resource, self._span_days(), self._shaded)

    def _span_days(self) -> int:
        return 1 if self.view == "day" else 7

    @work(thread=True, exclusive=True, exit_on_error=False, group="week", name="week")
    def load(self, first: date, resource: Choice | None, days: int, shade: bool) -> Shown:
        """Read the days on screen in a thread, on the plain read connection.

        ``shade`` computes holidays and closures too; the very first load leaves them out
        (the holiday tables take a moment to import) and shades right after.
        """
        from coptui.domain.timeutil import local
        from coptui.services.calendar import agenda, calendar_for, centres, rows

        today = self.coptui.today()
        with_list = self.view == "agenda"

        def work(conn: Any) -> Shown:
            found = centres(conn)
            if not found:
                return Shown(
                    first=first, centre_id=None, centre="", resource=Choice(None, None, "")
                )
            centre = found[0]
            chosen = resource
            if chosen is None:
                room = rows(
                    conn,
                    "SELECT id, name FROM room WHERE centre_id = %(c)s AND kind = 'group_room'"
                    " ORDER BY id LIMIT 1",
                    {"c": centre.id},
                )
                chosen = (
                    Choice(kind="room", id=room[0][0], name=room[0][1])
                    if room
                    else Choice(kind=None, id=None, name=centre.name)
                )
            shown_days = [Day(day=first + timedelta(days=n)) for n in range(days)]
            if shade:
                shown_days = _shaded(shown_days, calendar_for(conn, centre.id))

            def events(start: date, span: int) -> list[EventRow]:
                return agenda(
                    conn,
                    centre_id=centre.id,
                    start=local(start, time(0)),
                    end=local(start + timedelta(days=span), time(0)),
                    resource=chosen.kind,
                    resource_id=chosen.id,
                )

            week = events(first, days)
            # The 14-day list is read only while it is the view.
            upcoming = events(today, AGENDA_DAYS) if with_list else []
            return Shown(
                first=first,
                centre_id=centre.id,
                centre=centre.name,
                resource=chosen,
                days=shown_days,
                rows=week,
                agenda=upcoming,
                shaded=shade,
            )

        return self.coptui.read(work)

    @work(thread=True, exclusive=True, exit_on_error=False, group="shade", name="shade")
    def _shade(self, shown: Shown) -> None:
        from coptui.services.calendar import calendar_for

        assert shown.centre_id is not None
        centre_id = shown.centre_id
        calendar = self.coptui.read(lambda conn: calendar_for(conn, centre_id))
        days = _shaded(shown.days, calendar)
        self.app.call_from_thread(self._shaded_now, shown, days)

    def _shaded_now(self, shown: Shown, days: list[Day]) -> None:
        self._shaded = True
        if self.shown is shown:
            self.show(replace(shown, days=days, shaded=True))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "week" or event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        assert isinstance(result, Shown)
        if result.first != self.first:
            return
        self.show(result)

    def show(self, shown: Shown) -> None:
        """Put a load on screen, keeping the cursor."""
        from coptui.domain.timeutil import SOFIA

        self.shown = shown
        self.centre_id = shown.centre_id
        if shown.centre_id is None:
            self.query_one("#planner-title", Static).update(
                _("No centre yet. Load the demo with `coptui demo`.")
            )
            self._first_run()
            return
        if self.resource is None or self.resource.id != shown.resource.id:
            self.resource = shown.resource
        self.sub_title = shown.centre
        days = shown.days if self._show_weekend(shown) else shown.days[:5]
        blocks = [_block(row, SOFIA) for row in shown.rows]
        grid = self.query_one(WeekGrid)
        grid.show(days, blocks, self.coptui.today())
        if self._pending_select is not None:
            grid.select_event(self._pending_select)
            self._pending_select = None
        self._fill_agenda(shown.agenda, SOFIA)
        self._title()
        self._details()
        self._read_case_warnings(shown)
        self.loads += 1
        if not shown.shaded:
            self._shade(shown)
        self.coptui.prepare_writes()

    def _show_weekend(self, shown: Shown) -> bool:
        if self.view == "day" or len(shown.days) < 7:
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
        settings = self.coptui.settings
        day = (settings.day_end.hour * 60 + settings.day_end.minute) - (
            settings.day_start.hour * 60 + settings.day_start.minute
        )
        banner = 1 if self.query_one("#banner", Static).display else 0
        room = self.size.height - 3 - banner  # title, a line of details, footer, banner
        grid.set_slot_minutes(15 if room - 1 >= day // 15 else 30)
        self.query_one("#views").styles.height = max(min(grid.slots + 1, room), 3)

    def _title(self) -> None:
        assert self.first is not None and self.resource is not None
        who = f"{_(KINDS[self.resource.kind])}: {self.resource.name}"
        if self.view == "agenda":
            today = self.coptui.today()
            end = today + timedelta(days=AGENDA_DAYS - 1)
            when = _("Next 14 days {start} – {end}").format(
                start=f"{today:%d.%m}", end=f"{end:%d.%m.%Y}"
            )
        elif self.view == "day":
            when = f"{_(WEEKDAYS[self.first.weekday()])} {self.first:%d.%m.%Y}"
        else:
            last = self.first + timedelta(days=6)
            when = _("Week {start} – {end}").format(
                start=f"{self.first:%d.%m}", end=f"{last:%d.%m.%Y}"
            )
        count = len(self.shown.rows) if self.shown else 0
        events = ngettext("{count} event", "{count} events", count).format(count=count)
        self.query_one("#planner-title", Static).update(f"{who} · {when} · {events}")

    async def _agenda_table(self) -> DataTable[str]:
        """The list of the next 14 days, built the first time it is shown (not at startup)."""
        from textual.widgets import DataTable

        found = self.query("#agenda")
        if found:
            table = found.first(DataTable)
        else:
            table = DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
            await self.query_one(ContentSwitcher).mount(table)
            table.add_columns(_("Day"), _("Time"), _("Title"), _("Room"), _("People"), _("Status"))
            if self.shown is not None:
                self._fill_agenda(self.shown.agenda, _sofia())
        return table

    def _fill_agenda(self, rows: list[EventRow], zone: Any) -> None:
        from textual.widgets import DataTable

        found = self.query("#agenda")
        if not found:
            return
        table = found.first(DataTable)
        table.clear()
        for row in rows:
            start = row.start.astimezone(zone)
            end = row.end.astimezone(zone)
            table.add_row(
                f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m}",
                f"{start:%H:%M}–{end:%H:%M}",
                row.title,
                row.room or "—",
                ", ".join(row.staff + row.cases),
                _(STATUS.get(row.status, row.status)),
                key=str(row.id),
            )

    def on_week_grid_cursor_moved(self, message: WeekGrid.CursorMoved) -> None:
        self._details()

    def _details(self) -> None:
        grid = self.query_one(WeekGrid)
        block = grid.current()
        details = self.query_one("#details", Static)
        if block is None:
            at = grid.cursor_start()
            free = _("{when} free · n: new event").format(when=f"{at:%d.%m %H:%M}") if at else ""
            details.update(with_warnings([free], self.case_warnings, details.size.height))
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
        details.update(with_warnings(lines, self.case_warnings, details.size.height))

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
                "\n".join(new), title=_("Cases ending soon"), severity="warning", markup=False
            )

    # -- live -------------------------------------------------------------------------------

    def changed(self, change: Change) -> None:
        """Another session (or this one) changed the calendar: reload if it touches us."""
        if self.first is None or change.centre_id != self.centre_id:
            return
        from coptui.domain.timeutil import local

        start = local(min(self.first, self.coptui.today()), time(0))
        end = local(
            max(self.first + timedelta(days=7), self.coptui.today() + timedelta(days=AGENDA_DAYS)),
            time(0),
        )
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

    def commands(self) -> list[tuple[str, str, Any]]:
        """Every action, for the command palette."""
        return [
            (_("Next week"), "w", self.action_next_week),
            (_("Previous week"), "W", self.action_previous_week),
            (_("Today"), "t", self.action_today),
            (_("Go to date"), "g", self.action_go_to_date),
            (_("New event"), "n", self.action_new_event),
            (_("Edit event"), "e", self.action_edit_event),
            (_("Move event"), "m", self.action_move_event),
            (_("Cancel event"), "d", self.action_cancel_event),
            (_("Whose week"), "p", self.action_pick),
            (_("Directory"), "r", self.action_directory),
            (_("Case page"), "c", self.action_case_page),
            (_("Search"), "/", self.action_search),
            (_("Week, day or next 14 days"), "v", self.action_next_view),
            (_("Show or fold the weekend"), "f", self.action_fold_weekend),
            (_("Help"), "?", self.action_help),
            (_("Language: English / Български"), "", self.action_switch_language),
        ]

    async def action_switch_language(self) -> None:
        """Switch between Bulgarian and English and draw the planner anew in it."""
        from coptui.i18n import language, set_language, translate_bindings

        set_language("en" if language() == "bg" else "bg")
        translate_bindings(self.app)
        translate_bindings(self)
        shown, cursor = self.shown, self.query_one(WeekGrid).cursor_start()
        await self.recompose()
        self.query_one("#banner", Static).display = not self.coptui.connected
        if self.view == "agenda":
            await self._agenda_table()
            self.query_one(ContentSwitcher).current = "agenda"
        self._fit_grid()
        if shown is not None:
            self.show(shown)
        if cursor is not None:
            self.query_one(WeekGrid).go_to(cursor.date(), cursor.time())
        self.query_one(WeekGrid).focus()

    def _go(self, first: date) -> None:
        self.first = first
        if self.shown is not None:
            self._title()
        self.reload()

    def action_next_week(self) -> None:
        assert self.first is not None
        self._go(self.first + timedelta(days=self._span_days()))

    def action_previous_week(self) -> None:
        assert self.first is not None
        self._go(self.first - timedelta(days=self._span_days()))

    def action_today(self) -> None:
        today = self.coptui.today()
        self._go(today if self.view == "day" else monday_of(today))
        self.query_one(WeekGrid).go_to(today)

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
                self._go(day if self.view == "day" else monday_of(day))
                self.query_one(WeekGrid).go_to(day)

        self.app.push_screen(Ask(_("Go to date"), _("Date:"), check=check), done)

    async def action_next_view(self) -> None:
        order = ["week", "day", "agenda"]
        self.view = order[(order.index(self.view) + 1) % len(order)]
        switcher = self.query_one(ContentSwitcher)
        table = await self._agenda_table() if self.view == "agenda" else None
        switcher.current = "agenda" if self.view == "agenda" else "week-view"
        grid = self.query_one(WeekGrid)
        assert self.first is not None
        if self.view == "day":
            cursor = grid.cursor_start()
            self.first = cursor.date() if cursor else self.coptui.today()
        elif self.view == "week":
            self.first = monday_of(self.first)
        (table if table is not None else grid).focus()
        self.reload()

    def action_fold_weekend(self) -> None:
        shown = self.shown
        self.weekend = not (self._show_weekend(shown) if shown else True)
        if self.shown is not None:
            self.show(self.shown)

    def action_help(self) -> None:
        from coptui.screens.dialogs import Help

        self.app.push_screen(Help([(k, _(d)) for k, d in self.HELP_KEYS]))

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

    def _first_run(self) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.first_run import offer_first_run

        offer_first_run(self, Backend.of(self.app), self.reload)

    def action_pick(self) -> None:
        self._load_choices()

    @work(thread=True, exclusive=True, exit_on_error=False, group="pick", name="pick")
    def _load_choices(self) -> list[Choice]:
        from coptui.db import session_scope
        from coptui.services.directory import entries, only_centre

        engine = self.coptui.wait_engine()
        kinds = {
            "rooms": "room",
            "staff": "staff",
            "volunteers": "volunteer",
            "cases": "case",
            "programmes": "programme",
        }
        with session_scope(engine) as session:
            centre = only_centre(session)
            choices = [Choice(kind=None, id=None, name=self.shown.centre if self.shown else "")]
            for plural, kind in kinds.items():
                for entry in entries(session, centre_id=centre, kind=plural):
                    detail = entry.detail if kind != "case" else ""
                    choices.append(Choice(kind=kind, id=entry.id, name=entry.name, detail=detail))
        self.app.call_from_thread(self._open_picker, choices)
        return choices

    def _open_picker(self, choices: list[Choice]) -> None:
        from coptui.screens.dialogs import Picker

        kinds = {k: _(v) for k, v in KINDS.items()}

        def done(choice: Choice | None) -> None:
            if choice is not None:
                self.resource = choice
                remember(self.coptui.settings.home, choice)
                self.reload()

        self.app.push_screen(Picker(choices, kinds), done)

    def action_search(self) -> None:
        from coptui.screens.dialogs import Ask

        def done(answer: str | None) -> None:
            if answer and answer.strip():
                self._search(answer.strip())

        self.app.push_screen(Ask(_("Search"), _("Title contains:")), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", name="search")
    def _search(self, words: str) -> None:
        from coptui.domain.timeutil import SOFIA
        from coptui.services.calendar import rows

        assert self.centre_id is not None
        params = {"c": self.centre_id, "q": f"%{words}%"}
        found = self.coptui.read(
            lambda conn: rows(
                conn,
                "SELECT id, title, lower(during) FROM event WHERE centre_id = %(c)s"
                " AND title ILIKE %(q)s AND status <> 'cancelled'"
                " ORDER BY abs(extract(epoch FROM lower(during) - now())) LIMIT 30",
                params,
            )
        )
        choices = [
            Choice(kind="event", id=i, name=title, detail=f"{at.astimezone(SOFIA):%d.%m.%Y %H:%M}")
            for i, title, at in found
        ]
        starts = {i: at.astimezone(SOFIA) for i, _t, at in found}
        self.app.call_from_thread(self._show_found, choices, starts)

    def _show_found(self, choices: list[Choice], starts: dict[int, datetime]) -> None:
        from coptui.screens.dialogs import Picker

        if not choices:
            self.notify(_("Nothing found."), timeout=4)
            return

        def done(choice: Choice | None) -> None:
            if choice is not None and choice.id is not None:
                at = starts[choice.id]
                self.resource = Choice(
                    kind=None, id=None, name=self.shown.centre if self.shown else ""
                )
                self._pending_select = choice.id
                self._go(at.date() if self.view == "day" else monday_of(at.date()))

        self.app.push_screen(Picker(choices, {"event": _("Event")}), done)

    # -- editing ----------------------------------------------------------------------------

    def on_week_grid_activated(self, message: WeekGrid.Activated) -> None:
        if message.event_id is None:
            self.action_new_event()
        else:
            self.action_edit_event()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        if message.row_key.value is not None:
            self._open_form(int(message.row_key.value))

    def _current_event(self) -> Block | None:
        if self.view == "agenda":
            from textual.widgets import DataTable

            table = self.query_one("#agenda", DataTable)
            if not table.row_count:
                return None
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            for row in self.shown.agenda if self.shown else []:
                if str(row.id) == key:
                    from coptui.domain.timeutil import SOFIA

                    return _block(row, SOFIA)
            return None
        return self.query_one(WeekGrid).current()

    def action_new_event(self) -> None:
        from coptui.screens.event_form import EventForm

        start = self.query_one(WeekGrid).cursor_start()
        self.app.push_screen(
            EventForm(start=start, resource=self.resource, centre_id=self.centre_id),
            self._after_form,
        )

    def action_edit_event(self) -> None:
        block = self._current_event()
        if block is None:
            self.action_new_event()
            return
        self._open_form(block.id)

    def _open_form(self, event_id: int) -> None:
        from coptui.screens.event_form import EventForm

        self.app.push_screen(
            EventForm(event_id=event_id, resource=self.resource, centre_id=self.centre_id),
            self._after_form,
        )

    def _after_form(self, saved: int | None) -> None:
        if saved is not None:
            self._pending_select = saved
            self.reload()

    def action_move_event(self) -> None:
        from coptui.screens.dialogs import Ask

        block = self._current_event()
        if block is None:
            self.notify(_("Put the cursor on an event first."), timeout=4)
            return
        from coptui.domain.parse import parse_day, parse_time
        from coptui.errors import BadInputError

        today = self.coptui.today()

        def check(answer: str) -> str | None:
            try:
                day_text, _sep, time_text = answer.strip().rpartition(" ")
                parse_day(day_text, today)
                parse_time(time_text)
            except BadInputError as exc:
                return exc.message
            return None

        def done(answer: str | None) -> None:
            if answer:
                day_text, _sep, time_text = answer.strip().rpartition(" ")
                start = datetime.combine(parse_day(day_text, today), parse_time(time_text))
                self._move(block, start)

        self.app.push_screen(
            Ask(
                _("Move „{title}“").format(title=block.title),
                _("New date and start (the length stays):"),
                value=f"{block.start:%d.%m.%Y %H:%M}",
                check=check,
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="move")
    def _move(self, block: Block, start: datetime) -> None:
        from coptui.domain.timeutil import SOFIA
        from coptui.services.booking import load_event
        from coptui.services.edits import move_event
        from coptui.services.transaction import transact

        engine = self.coptui.wait_engine()
        begin = start.replace(tzinfo=SOFIA)
        length = block.end - block.start

        def work(session: Any) -> int:
            version = load_event(session, block.id).version
            moved = move_event(
                session, event_id=block.id, version=version, start=begin, end=begin + length
            )
            return moved.id

        moved = transact(engine, work)
        self.app.call_from_thread(self._after_form, moved)
        self.app.call_from_thread(self.notify, _("Moved."), timeout=3)

    def action_cancel_event(self) -> None:
        from coptui.screens.dialogs import Ask, Choose

        block = self._current_event()
        if block is None:
            self.notify(_("Put the cursor on an event first."), timeout=4)
            return
        if block.status == "cancelled":
            self.notify(_("This event is already cancelled."), timeout=4)
            return

        def check(answer: str) -> str | None:
            return None if answer.strip() else _("Say why the event is cancelled.")

        def ask_reason(scope: str | None) -> None:
            if scope is None:
                return
            self.app.push_screen(
                Ask(
                    _("Cancel „{title}“").format(title=block.title),
                    _("Why is it cancelled?"),
                    check=check,
                ),
                lambda reason: self._cancel_with(block, reason, scope),
            )

        if block.series_id is None:
            ask_reason("this")
            return
        self.app.push_screen(
            Choose(
                _("Part of a series"),
                _("Cancel only this occurrence, this and the following, or the whole series?"),
                [
                    ("this", _("Only this")),
                    ("following", _("This and following")),
                    ("all", _("Whole series")),
                ],
            ),
            ask_reason,
        )

    def _cancel_with(self, block: Block, reason: str | None, scope: str) -> None:
        if reason:
            self._cancel(block, reason, scope)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="cancel")
    def _cancel(self, block: Block, reason: str, scope: str) -> None:
        from coptui.services.edits import cancel_series
        from coptui.services.transaction import transact

        engine = self.coptui.wait_engine()
        transact(engine, lambda s: cancel_series(s, event_id=block.id, reason=reason, scope=scope))
        self.app.call_from_thread(self.notify, _("Cancelled."), timeout=3)
        self.app.call_from_thread(self.reload)


def _shaded(days: list[Day], calendar: Any) -> list[Day]:
    """The days with national holidays and the centre's closures named (weekdays only)."""
    result = []
    for shown in days:
        closed = None
        if not calendar.is_working_day(shown.day) and shown.day.weekday() < 5:
            closed = calendar.holiday_name(shown.day) or _("closed")
        result.append(Day(day=shown.day, closed=closed))
    return result


def _sofia() -> Any:
    from coptui.domain.timeutil import SOFIA

    return SOFIA


def _block(row: EventRow, zone: Any) -> Block:
    return Block(
        id=row.id,
        title=row.title,
        kind=row.kind,
        start=row.start.astimezone(zone),
        end=row.end.astimezone(zone),
        status=row.status,
        room=row.room,
        people=", ".join(row.staff + row.cases),
        series_id=row.series_id,
    )
