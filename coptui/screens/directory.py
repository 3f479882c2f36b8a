"""The directory: the centre, its rooms, people, cases, programmes and non-working days."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane
from textual.widgets.data_table import RowDoesNotExist
from textual.worker import Worker, WorkerState

from coptui.domain.fields import FIELDS
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.dialogs import to_latin
from coptui.screens.directory_edits import DirectoryEdits
from coptui.screens.host import forward_failure, permits
from coptui.screens.record_form import shown_value
from coptui.widgets.footer import Footer
from coptui.widgets.table import Table

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.case_reads import CaseRow
    from coptui.services.setup import Record

TABS = (
    ("centre", N_("Centre")),
    ("room", N_("Rooms")),
    ("staff", N_("Specialists")),
    ("volunteer", N_("Volunteers")),
    ("case", N_("Cases")),
    ("programme", N_("Programmes")),
    ("closure", N_("Non-working days")),
)
# The fields shown as columns, in order (the form shows them all).
COLUMNS = {
    "centre": ("name", "town", "capacity", "capacity_from", "address"),
    "room": ("name", "kind", "seats", "area"),
    "staff": ("name", "profession", "role", "phone", "email"),
    "volunteer": ("name", "skills", "phone", "agreement_ends"),
    "case": ("code", "service", "key_worker"),
    "programme": ("name", "kind", "lead", "room", "seats"),
    "closure": ("day", "kind", "reason"),
}
CASE_STATUS = {"waiting": N_("waiting"), "active": N_("active"), "closed": N_("closed")}


def case_status(row: CaseRow) -> str:
    """A case's status as the register says it: «чака (2-ри)», «активен», «закрит»."""
    status = _(CASE_STATUS.get(row.status, row.status))
    if row.status == "waiting" and row.queue_position is not None:
        return _("{status} (no. {n} in the queue)").format(status=status, n=row.queue_position)
    return status


@dataclass(frozen=True)
class Loaded:
    """Everything the directory shows, read in one go."""

    centre_id: int | None
    centre: str
    records: dict[str, list[Record]] = field(default_factory=dict)
    cases: dict[int, CaseRow] = field(default_factory=dict)


class DirectoryScreen(DirectoryEdits):
    """One tab per kind: a list to filter by typing, with keys to add, edit and deactivate."""

    CSS_PATH = "directory.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,a", "add", N_("Add")),
        Binding("e", "edit", N_("Edit")),
        Binding("x,d", "deactivate", N_("Deactivate")),
        Binding("i", "toggle_inactive", N_("Inactive")),
        Binding("H", "history", N_("History"), show=False),
        Binding("slash", "filter", N_("Filter"), show=False),
        Binding("question_mark", "help", N_("Help")),
        Binding("escape", "back", N_("Back")),
        *(
            Binding(str(n), f"tab('{kind}')", show=False)
            for n, (kind, _label) in enumerate(TABS, start=1)
        ),
    ]
    HELP_KEYS = (
        ("1 … 7", N_("centre, rooms, specialists, volunteers, cases, programmes, closed days")),
        (N_("letters"), N_("filter the list by what you type (Latin letters find Cyrillic)")),
        ("/", N_("go to the filter")),
        ("↑ ↓", N_("choose a row")),
        ("n  a", N_("add")),
        ("e", N_("edit the chosen row")),
        ("Enter", N_("edit; for a case: its own page; for a programme: its sessions")),
        ("x  d", N_("deactivate (asks first; it stays in the history)")),
        ("i", N_("show or hide the inactive")),
        ("H", N_("a case's history: who changed what, when")),
        ("Esc", N_("clear the filter, then back to the planner")),
        ("?", N_("this help")),
    )

    def __init__(self, *, backend: Backend, kind: str = "room", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.backend = backend
        self.initial_kind = kind
        self.loaded: Loaded | None = None
        self.hide_inactive = False
        self.loads = 0  # finished loads, for tests
        self._select: tuple[str, int] | None = None  # the row to put the cursor on after a load

    def compose(self) -> ComposeResult:
        yield Static(_("Directory"), id="directory-title", markup=False)
        with TabbedContent(initial=f"tab-{self.initial_kind}", id="tabs"):
            for kind, label in TABS:
                with TabPane(_(label), id=f"tab-{kind}"):
                    yield Input(
                        placeholder=_("Type to filter…"),
                        id=f"filter-{kind}",
                        classes="filter",
                        compact=True,
                        select_on_focus=False,
                    )
                    yield Table(
                        id=f"table-{kind}", cursor_type="row", zebra_stripes=True, classes="list"
                    )
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys this person's role cannot use are neither shown nor run."""
        identity = self.backend.identity
        if action in {"add", "edit", "deactivate"}:
            return self.may(action)
        if action == "history":
            return permits(identity, "history") and permits(identity, "cases")
        if action == "tab" and parameters == ("case",):
            return permits(identity, "cases")
        return True

    def on_mount(self) -> None:
        if not permits(self.backend.identity, "cases"):
            # No case in the directory at all for a role without a right to cases.
            self.query_one(TabbedContent).hide_tab("tab-case")
        for kind, _label in TABS:
            table = self.query_one(f"#table-{kind}", DataTable)
            specs = {s.name: s for s in FIELDS[kind]}
            for name in COLUMNS[kind]:
                if name in specs:
                    table.add_column(_(specs[name].label), key=name)
                if kind == "case" and name == "service":
                    table.add_column(_("Status"), key="status")
                    table.add_column(_("Days left"), key="days_left")
        self.reload()

    def on_screen_resume(self) -> None:
        if self.loaded is not None:
            self.reload()

    def filter_input(self, kind: str | None = None) -> Input:
        return self.query_one(f"#filter-{kind or self.kind}", Input)

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.table().focus()
        self.refresh_bindings()  # what may be added or changed depends on the tab

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every list again (after a change here or in a form)."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="directory", name="directory")
    def _load(self) -> Loaded:
        from coptui.db import session_scope
        from coptui.services.case_reads import case_rows
        from coptui.services.setup import current_centre, list_records

        today = self.backend.today()
        with session_scope(self.backend.engine()) as session:
            centre = current_centre(session, today=today)
            if centre is None:
                return Loaded(centre_id=None, centre="")
            records = {"centre": [centre]}
            see_cases = permits(self.backend.identity, "cases")
            for kind, _label in TABS[1:]:
                if kind == "case" and not see_cases:
                    continue
                records[kind] = list_records(session, centre_id=centre.id, kind=kind, today=today)
            cases = (
                {row.id: row for row in case_rows(session, centre_id=centre.id, today=today)}
                if see_cases
                else {}
            )
        return Loaded(centre_id=centre.id, centre=centre.name, records=records, cases=cases)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)
        if event.worker.name == "directory" and event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, Loaded)
            self.show(result)

    def show(self, loaded: Loaded) -> None:
        """Put a load on screen, keeping each list's cursor on the same record."""
        from coptui.domain.text import clean

        self.loaded = loaded
        title = _("Directory")
        self.query_one("#directory-title", Static).update(
            f"{title} · {clean(loaded.centre)}" if loaded.centre else title
        )
        for kind, _label in TABS:
            self._fill(kind)
        self.loads += 1

    def _fill(self, kind: str) -> None:
        from coptui.domain.text import clean

        table = self.table(kind)
        keep = None
        if self._select is not None and self._select[0] == kind:
            keep = str(self._select[1])
            self._select = None
        elif table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        wanted = self.filter_input(kind).value.strip().casefold()
        specs = {s.name: s for s in FIELDS[kind]}
        records = self.loaded.records.get(kind, []) if self.loaded else []
        for record in records:
            if not record.active and self.hide_inactive:
                continue
            cells = []
            for key in table.columns:
                name = str(key.value)
                if name == "status":
                    cells.append(self._case_cell(record.id, "status"))
                elif name == "days_left":
                    cells.append(self._case_cell(record.id, "days_left"))
                else:
                    cells.append(clean(shown_value(specs[name], record.values.get(name, ""))))
            if not record.active:
                cells[0] += " " + _("(inactive)")
            if wanted:
                line = " ".join(cells).casefold()
                if wanted not in line and wanted not in to_latin(line):
                    continue
            style = "dim" if not record.active else ""
            table.add_row(*(Text(c, style=style) for c in cells), key=str(record.id))
        if keep is not None:
            with contextlib.suppress(RowDoesNotExist):  # gone or filtered out: stay at the top
                table.move_cursor(row=table.get_row_index(keep))

    def _case_cell(self, case_id: int, what: str) -> str:
        row = self.loaded.cases.get(case_id) if self.loaded else None
        if row is None:
            return ""
        if what == "status":
            return case_status(row)
        return "" if row.days_left is None else str(row.days_left)

    # -- typing to filter -------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and event.is_printable and event.character:
            if event.key in self.active_bindings:
                return
            box = self.filter_input()
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()
        elif isinstance(focused, Input) and event.key == "down":
            self.table().focus()
            event.stop()

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        assert event.input.id is not None
        self._fill(event.input.id.removeprefix("filter-"))

    @on(Input.Submitted, ".filter")
    def _filter_done(self) -> None:
        self.table().focus()

    def action_filter(self) -> None:
        self.filter_input().focus()

    def action_tab(self, kind: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{kind}"
        self.table(kind).focus()

    def action_toggle_inactive(self) -> None:
        self.hide_inactive = not self.hide_inactive
        for kind, _label in TABS:
            self._fill(kind)
        self.notify(
            _("Inactive records hidden.") if self.hide_inactive else _("Inactive records shown."),
            timeout=3,
        )

    def action_back(self) -> None:
        box = self.filter_input()
        if box.value:
            box.value = ""
            self.table().focus()
            return
        self.dismiss(None)

    def action_help(self) -> None:
        from coptui.screens.dialogs import Help

        changes = {"n  a": "add", "e": "edit", "x  d": "deactivate"}
        keys = [
            (_(k), _(d))
            for k, d in self.HELP_KEYS
            if (self.may(changes[k]) if k in changes else True)
            and (k != "H" or self.check_action("history", ()))
        ]
        self.app.push_screen(Help(keys))
