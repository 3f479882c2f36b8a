"""A case's own page: its details, the days left of its service, its sessions and attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker, WorkerState

from coptui.domain.fields import FIELDS
from coptui.i18n import N_, _, ngettext, translate_bindings
from coptui.screens.directory import case_status
from coptui.screens.host import forward_failure, permits
from coptui.screens.record_form import RecordForm, shown_value
from coptui.widgets.footer import Footer
from coptui.widgets.table import Table

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.case_reads import CaseRow
    from coptui.services.case_sessions import CaseSession

ATTENDANCE = {
    "expected": N_("not marked yet"),
    "present": N_("present"),
    "absent": N_("absent"),
    "excused": N_("excused"),
    "late": N_("late"),
}
EVENT_STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}


@dataclass(frozen=True)
class CaseShown:
    """A case and its sessions, read together."""

    case: CaseRow
    sessions: list[CaseSession]


def _field_text(name: str, value: str) -> str:
    """A case field's stored value as words (a choice by its label)."""
    for spec in FIELDS["case"]:
        if spec.name == name:
            return shown_value(spec, value)
    return value


def _day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value is not None else ""


def days_left_text(case: CaseRow) -> str:
    """«остават 45 дни (до 30.04.2027)», or that the time is over, or nothing to say."""
    if case.ends_on is None:
        return ""
    end = _day(case.ends_on)
    if case.days_left is None:
        return _("until {end}").format(end=end)
    if case.days_left < 0:
        return _("ended on {end}").format(end=end)
    return ngettext(
        "{n} day left (until {end})", "{n} days left (until {end})", case.days_left
    ).format(n=case.days_left, end=end)


def details(case: CaseRow) -> list[str]:
    """The lines of the case's details, for a person (text from the database made safe)."""
    from coptui.domain.text import clean

    lines = []
    who = [
        _("Child") + ": " + clean(case.child_name) if case.child_name else "",
        _("Family") + ": " + clean(case.family_name) if case.family_name else "",
        _("born {year}").format(year=case.birth_year) if case.birth_year else "",
    ]
    lines.append(" · ".join(w for w in who if w) or _("No name recorded (pseudonymous case)."))
    service = _field_text("service", case.service_kind)
    if case.service_types:
        service += " (" + clean(", ".join(case.service_types)) + ")"
    lines.append(_("Service") + ": " + service)
    referral = _field_text("referral", case.referral_source)
    if case.referral_number:
        referral += " " + _("no. {number}").format(number=clean(case.referral_number))
    if case.referral_date:
        referral += " " + _("of {day}").format(day=_day(case.referral_date))
    lines.append(_("Referral") + ": " + referral)
    if case.contract_number or case.contract_start or case.contract_end:
        contract = clean(case.contract_number)
        span = f"{_day(case.contract_start)} – {_day(case.contract_end)}".strip(" –")
        lines.append(_("Contract") + ": " + " · ".join(p for p in (contract, span) if p))
    lines.append(_("Key worker") + ": " + (clean(case.key_worker) or "—"))
    status = [case_status(case), _("registered {day}").format(day=_day(case.registered_on))]
    if case.active_from:
        status.append(_("started {day}").format(day=_day(case.active_from)))
    if case.closed_on:
        status.append(
            _("closed {day}: {reason}").format(
                day=_day(case.closed_on), reason=clean(case.close_reason)
            )
        )
    lines.append(_("Status") + ": " + " · ".join(status))
    return lines


def close_question(backend: Backend, case_id: int) -> str:
    """The question before a case is closed today, with what becomes of its later sessions
    (read from the database: call it from a worker thread)."""
    from coptui.db import session_scope
    from coptui.services.case_closing import later_sessions, later_text

    today = backend.today()
    with session_scope(backend.engine()) as session:
        freed = later_sessions(session, case_id=case_id, on=today)
    return later_text(freed, today) + " " + _("Why is the case closed?")


class CasePage(Screen[None]):
    """One case: who, which service, until when, and every session with its attendance."""

    CSS_PATH = "case_page.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", N_("Edit")),
        Binding("x", "close_case", N_("Close case")),
        Binding("h,H", "history", N_("History")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, *, case_id: int, centre_id: int, backend: Backend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.case_id = case_id
        self.centre_id = centre_id
        self.backend = backend
        self.shown: CaseShown | None = None
        self.loads = 0  # finished loads, for tests
        self.closed_notice = ""  # what the last close did, as the notice said it (for tests)
        self._logged = False  # the opening is in the access log (once per opening)

    def compose(self) -> ComposeResult:
        yield Static(_("Loading…"), id="case-title", markup=False)
        yield Static("", id="case-details", markup=False)
        yield Label(_("Upcoming sessions"), classes="case-heading")
        yield Table(id="upcoming", cursor_type="row", zebra_stripes=True)
        yield Label(_("Past sessions and attendance"), classes="case-heading", id="past-heading")
        yield Table(id="past", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        # What matters first comes first: on a narrow terminal the room and people scroll.
        for table_id, mark in (("#upcoming", _("Status")), ("#past", _("Attendance"))):
            table = self.query_one(table_id, DataTable)
            table.add_columns(_("Day"), _("Time"), mark, _("Title"), _("Specialists"), _("Room"))
        self.query_one("#upcoming", DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.shown is not None:
            self.reload()

    def reload(self) -> None:
        """Read the case and its sessions again."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case", name="case")
    def _load(self) -> CaseShown:
        from coptui.db import session_scope
        from coptui.services.access import log_case_access
        from coptui.services.case_reads import get_case
        from coptui.services.case_sessions import case_sessions

        today = self.backend.today()
        with session_scope(self.backend.engine()) as session:
            if not self._logged:
                # Who opened which child's page, and when (GDPR Art. 5(2), accountability).
                log_case_access(session, case_id=self.case_id, what="case page")
            case = get_case(session, case_id=self.case_id, today=today)
            sessions = case_sessions(session, centre_id=self.centre_id, case_id=self.case_id)
        self._logged = True
        return CaseShown(case=case, sessions=sessions)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)
        if event.worker.name == "case" and event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, CaseShown)
            self.show(result)

    def show(self, shown: CaseShown) -> None:
        """Put the case and its sessions on screen."""
        from coptui.domain.text import clean
        from coptui.domain.timeutil import SOFIA
        from coptui.widgets.weekgrid import WEEKDAYS

        self.shown = shown
        case = shown.case
        head = [_("Case {code}").format(code=clean(case.code)), case_status(case)]
        left = days_left_text(case) if case.status != "closed" else ""
        if left:
            head.append(left)
        title = self.query_one("#case-title", Static)
        title.update(" · ".join(head))
        title.set_class(case.days_left is not None and case.days_left <= 14, "warning")
        self.query_one("#case-details", Static).update("\n".join(details(case)))
        today = self.backend.today()
        upcoming = self.query_one("#upcoming", DataTable)
        past = self.query_one("#past", DataTable)
        upcoming.clear()
        past.clear()
        counts: dict[str, int] = {}
        for session in shown.sessions:
            start = session.start.astimezone(SOFIA)
            end = session.end.astimezone(SOFIA)
            # A session marked today is attendance already, not an upcoming one.
            gone = start.date() < today or session.attendance != "expected"
            if session.status == "cancelled" or not gone:
                mark = _(EVENT_STATUS.get(session.status, session.status))
            else:
                mark = _(ATTENDANCE.get(session.attendance, session.attendance))
                if session.attendance_note:
                    mark += f": {clean(session.attendance_note)}"
                counts[session.attendance] = counts.get(session.attendance, 0) + 1
            row = (
                f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m.%Y}",
                f"{start:%H:%M}–{end:%H:%M}",
                mark,
                clean(session.title),
                clean(", ".join(session.staff)),
                clean(session.room),
            )
            (past if gone else upcoming).add_row(*row, key=str(session.event_id))
        if upcoming.row_count == 0:
            upcoming.add_row("", "", "", _("No sessions booked."), "", "")
        if past.row_count:
            past.move_cursor(row=past.row_count - 1)  # the most recent first in view
        tally = ", ".join(
            f"{_(ATTENDANCE[mark])}: {counts[mark]}"
            for mark in ("present", "late", "absent", "excused", "expected")
            if counts.get(mark)
        )
        heading = _("Past sessions and attendance")
        self.query_one("#past-heading", Label).update(f"{heading} ({tally})" if tally else heading)
        self.loads += 1

    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys this person's role cannot use are neither shown nor run."""
        if action == "history":
            return permits(self.backend.identity, "history")
        return True

    def action_history(self) -> None:
        """Who changed the case and its attendance, when, and from what to what."""
        from coptui.domain.text import clean
        from coptui.screens.history import HistoryScreen

        name = clean(self.shown.case.code) if self.shown else str(self.case_id)
        self.app.push_screen(
            HistoryScreen(subject="case", record_id=self.case_id, name=name, backend=self.backend)
        )

    def action_edit(self) -> None:
        self._open_form()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-form", name="case-form")
    def _open_form(self) -> None:
        from coptui.db import session_scope
        from coptui.services.setup import get_record

        with session_scope(self.backend.engine()) as session:
            record = get_record(
                session,
                centre_id=self.centre_id,
                kind="case",
                record_id=self.case_id,
                today=self.backend.today(),
            )
        self.app.call_from_thread(
            self.app.push_screen,
            RecordForm(kind="case", backend=self.backend, centre_id=self.centre_id, record=record),
        )

    def action_close_case(self) -> None:
        """Ask why the case is closed, saying first what becomes of its later sessions."""
        if self.shown is None:
            return
        case = self.shown.case
        if case.status == "closed":
            self.notify(_("The case is already closed."), timeout=4)
            return
        self._ask_close(case)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-close", name="ask-close")
    def _ask_close(self, case: CaseRow) -> None:
        from coptui.screens.dialogs import Ask

        prompt = close_question(self.backend, case.id)

        def check(answer: str) -> str | None:
            return None if answer.strip() else _("Say why the case is closed.")

        def done(reason: str | None) -> None:
            if reason:
                self._close(case, reason.strip())

        self.app.call_from_thread(
            self.app.push_screen,
            Ask(_("Close case {code}").format(code=case.code), prompt, check=check),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="close-case")
    def _close(self, case: CaseRow, reason: str) -> None:
        from coptui.services.case_closing import freed_text
        from coptui.services.setup import close_case_record
        from coptui.services.transaction import transact

        today = self.backend.today()
        _record, freed = transact(
            self.backend.engine(),
            lambda s: close_case_record(
                s, case_id=case.id, version=case.version, today=today, reason=reason
            ),
        )
        self.closed_notice = _("Case closed.") + " " + freed_text(freed)
        self.app.call_from_thread(self.notify, self.closed_notice, timeout=8, markup=False)
        self.app.call_from_thread(self.reload)
