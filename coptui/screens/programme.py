"""A programme: its sessions, who is enrolled and who waits, and the keys to enrol and withdraw."""

from __future__ import annotations

import contextlib
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Label, Static
from textual.widgets.data_table import RowDoesNotExist
from textual.worker import Worker, WorkerState

from coptui.domain.fields import PROGRAMME_KINDS
from coptui.i18n import N_, _, ngettext, translate_bindings
from coptui.screens.host import forward_failure
from coptui.screens.programme_keys import ProgrammeKeys
from coptui.widgets.footer import Footer
from coptui.widgets.table import Table

if TYPE_CHECKING:
    from coptui.change_feed import Change
    from coptui.screens.backend import Backend
    from coptui.services.programmes import ProgrammeSession, ProgrammeView, Seat

STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}


def kind_label(kind: str) -> str:
    """A programme's kind as people say it (арт ателие, еко ваканция, …)."""
    for choice in PROGRAMME_KINDS:
        if choice.value == kind:
            return _(choice.label)
    return kind


def seat_state(seat: Seat) -> str:
    """«записан», «предложено място», «чака (№ 2)»."""
    if seat.position is not None:
        return _("waiting (no. {n})").format(n=seat.position)
    return _("place offered, to confirm") if seat.offered else _("enrolled")


class ProgrammeScreen(ProgrammeKeys):
    """One programme: sessions above, the children of the session under the cursor below."""

    CSS_PATH = "programme.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a,n", "enrol", N_("Enrol")),
        Binding("x,d", "withdraw", N_("Withdraw")),
        Binding("y", "confirm", N_("Confirm place")),
        Binding("question_mark", "help", N_("Help")),
        Binding("escape", "back", N_("Back")),
    ]
    HELP_KEYS = (
        ("↑ ↓", N_("choose a session (above) or a child (below)")),
        ("Tab", N_("between the sessions and the children")),
        ("a  n", N_("enrol a case: in this session or in every upcoming one")),
        ("x  d", N_("take the child under the cursor out (a freed place is offered)")),
        ("y", N_("the family took the offered place: confirm it")),
        ("Esc", N_("back")),
        ("?", N_("this help")),
    )

    def __init__(
        self, *, programme_id: int, centre_id: int, backend: Backend, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.programme_id = programme_id
        self.centre_id = centre_id
        self.backend = backend
        self.shown: ProgrammeView | None = None
        self.loads = 0  # finished loads, for tests
        self._first_load = True

    def compose(self) -> ComposeResult:
        yield Static(_("Loading…"), id="programme-title", markup=False)
        yield Static("", id="programme-info", markup=False)
        yield Table(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Label("", id="children-heading", markup=False)
        yield Table(id="children", cursor_type="row", zebra_stripes=True)
        yield Static("", id="session-helpers", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", DataTable)
        sessions.add_columns(
            _("Day"),
            _("Time"),
            _("Places"),
            _("Waiting"),
            _("Volunteers"),
            _("Room"),
            _("Status"),
            _("Title"),
        )
        children = self.query_one("#children", DataTable)
        children.add_columns(_("Case"), _("Place"))
        sessions.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.shown is not None:
            self.reload()

    def reload(self) -> None:
        """Read the programme and its sessions again."""
        self._load()

    def changed(self, change: Change) -> None:
        """Another session (or this one) changed something: reload if it may be ours."""
        if change.centre_id == self.centre_id and change.table in (
            "event",
            "event_case",
            "waitlist_entry",
            "roster_slot",
            "event_staff",
        ):
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="programme", name="programme")
    def _load(self) -> ProgrammeView:
        from coptui.db import session_scope
        from coptui.services.programmes import programme_view

        with session_scope(self.backend.engine()) as session:
            return programme_view(session, programme_id=self.programme_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)
        if event.worker.name == "programme" and event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert result is not None
            self.show(result)

    # -- showing ----------------------------------------------------------------------------

    def upcoming_from(self) -> datetime:
        """Where "upcoming" starts: now, or the start of the day the app shows as today."""
        from coptui.domain.timeutil import SOFIA, local

        today = self.backend.today()
        now = datetime.now(SOFIA)
        return now if now.date() == today else local(today, time(0))

    def show(self, view: ProgrammeView) -> None:
        """Put the programme on screen, keeping the cursor on the same session."""
        from coptui.domain.timeutil import SOFIA
        from coptui.widgets.weekgrid import WEEKDAYS

        self.shown = view
        title = f"{_('Programme')}: {view.title} · {kind_label(view.kind)}"
        if not view.active:
            title += " " + _("(inactive)")
        self.query_one("#programme-title", Static).update(Content(title))
        info = [
            _("Lead: {name}").format(name=view.lead) if view.lead else _("No lead"),
            *([view.room] if view.room else []),
            ngettext("{n} place", "{n} places", view.capacity).format(n=view.capacity)
            if view.capacity
            else _("places not limited"),
            ngettext(
                "{n} volunteer per session",
                "{n} volunteers per session",
                view.volunteers_per_session,
            ).format(n=view.volunteers_per_session),
        ]
        if view.starts_on or view.ends_on:
            first = f"{view.starts_on:%d.%m.%Y}" if view.starts_on else ""
            last = f"{view.ends_on:%d.%m.%Y}" if view.ends_on else ""
            info.append(f"{first} – {last}".strip(" –"))
        after = self.upcoming_from()
        enrolled, waiting = view.enrolled(after), view.waiting(after)
        info.append(
            _("upcoming: {e} enrolled, {w} waiting").format(e=len(enrolled), w=len(waiting))
        )
        self.query_one("#programme-info", Static).update(" · ".join(info))
        table = self.query_one("#sessions", DataTable)
        keep = self._current_key(table)
        table.clear()
        first_upcoming: str | None = None
        for s in view.sessions:
            start, end = s.start.astimezone(SOFIA), s.end.astimezone(SOFIA)
            places = f"{len(s.children)}/{s.seats}" if s.seats is not None else str(len(s.children))
            helpers = f"{len(s.volunteers)}/{view.volunteers_per_session}"
            if s.open_places:
                helpers += " " + ngettext(
                    "({n} open place)", "({n} open places)", s.open_places
                ).format(n=s.open_places)
            row = (
                f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m.%Y}",
                f"{start:%H:%M}–{end:%H:%M}",
                places + (" " + _("full") if s.full and s.status == "planned" else ""),
                str(len(s.waiting)) if s.waiting else "",
                helpers,
                s.room or "—",
                _(STATUS.get(s.status, s.status)),
                s.title,
            )
            table.add_row(*row, key=str(s.event_id))
            if first_upcoming is None and s.start >= after:
                first_upcoming = str(s.event_id)
        if not view.sessions:
            table.add_row("", "", "", "", "", _("No sessions yet."), "", "")
        wanted = keep if keep is not None and not self._first_load else first_upcoming
        if wanted is not None:
            with contextlib.suppress(RowDoesNotExist):
                table.move_cursor(row=table.get_row_index(wanted))
        self._first_load = False
        self._show_session()
        self.loads += 1

    @staticmethod
    def _current_key(table: DataTable[Any]) -> str | None:
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def current_session(self) -> ProgrammeSession | None:
        """The session under the cursor of the sessions' list."""
        key = self._current_key(self.query_one("#sessions", DataTable))
        for s in self.shown.sessions if self.shown else ():
            if str(s.event_id) == key:
                return s
        return None

    def current_child(self) -> Seat | None:
        """The child under the cursor of the children's list."""
        session = self.current_session()
        key = self._current_key(self.query_one("#children", DataTable))
        if session is None or key is None:
            return None
        for seat in session.children + session.waiting:
            if str(seat.case_id) == key:
                return seat
        return None

    @on(DataTable.RowHighlighted, "#sessions")
    def _session_moved(self) -> None:
        self._show_session()

    def _show_session(self) -> None:
        from coptui.domain.timeutil import SOFIA

        session = self.current_session()
        children = self.query_one("#children", DataTable)
        keep = self._current_key(children)
        children.clear()
        heading = self.query_one("#children-heading", Label)
        helpers = self.query_one("#session-helpers", Static)
        if session is None:
            heading.update("")
            helpers.update("")
            return
        start = session.start.astimezone(SOFIA)
        heading.update(
            _("Children on {day}: {n} enrolled, {w} waiting").format(
                day=f"{start:%d.%m.%Y %H:%M}", n=len(session.children), w=len(session.waiting)
            )
        )
        for seat in session.children + session.waiting:
            children.add_row(seat.code, seat_state(seat), key=str(seat.case_id))
        if keep is not None:
            with contextlib.suppress(RowDoesNotExist):
                children.move_cursor(row=children.get_row_index(keep))
        people = [_("Lead: {names}").format(names=", ".join(session.staff) or "—")]
        people.append(_("Volunteers: {names}").format(names=", ".join(session.volunteers) or "—"))
        if session.open_places:
            people.append(
                ngettext("{n} place open", "{n} places open", session.open_places).format(
                    n=session.open_places
                )
            )
        helpers.update(" · ".join(people))

    def action_help(self) -> None:
        from coptui.screens.dialogs import Help

        self.app.push_screen(Help([(k, _(d)) for k, d in self.HELP_KEYS]))

    def action_back(self) -> None:
        self.dismiss(None)
