"""The directory's editing keys: add, edit and deactivate the record under the cursor, and
open a case's or a programme's own page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.screen import Screen
from textual.widgets import DataTable, TabbedContent

from coptui.i18n import _
from coptui.screens.host import permits
from coptui.screens.record_form import RecordForm

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.screens.directory import Loaded
    from coptui.services.setup import Record


class DirectoryEdits(Screen[None]):
    """The editing half of the directory (``DirectoryScreen`` builds on it).

    Every write runs in a thread worker through one service call; the lists reload after it.
    """

    backend: Backend
    initial_kind: str
    loaded: Loaded | None
    _select: tuple[str, int] | None  # the row to put the cursor on after a load

    def reload(self) -> None:
        """Read every list again (the directory reads them)."""
        raise NotImplementedError

    @property
    def kind(self) -> str:
        """The kind of the tab on screen."""
        active = self.query_one(TabbedContent).active
        return active.removeprefix("tab-") if active else self.initial_kind

    def table(self, kind: str | None = None) -> DataTable[Any]:
        """The list of ``kind`` (default: the tab on screen)."""
        return self.query_one(f"#table-{kind or self.kind}", DataTable)

    def current(self) -> Record | None:
        """The record under the cursor of the tab on screen."""
        table = self.table()
        if self.loaded is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        for record in self.loaded.records.get(self.kind, []):
            if str(record.id) == key:
                return record
        return None

    def may(self, action: str, kind: str | None = None) -> bool:
        """This person may ``action`` (add, edit, deactivate) records of ``kind`` (default:
        the tab on screen): the centre and its people are the manager's, rooms, programmes
        and closed days are for whoever plans, a case is edited by whoever may see it."""
        if kind is None:
            if not self.is_mounted:
                return permits(self.backend.identity, "plan")
            kind = self.kind
        identity = self.backend.identity
        if kind in {"centre", "staff", "volunteer"}:
            return permits(identity, "manage_people")
        if kind == "case" and action != "add":
            return permits(identity, "cases")
        return permits(identity, "plan")

    def _centre_id(self) -> int | None:
        return self.loaded.centre_id if self.loaded else None

    def action_add(self) -> None:
        kind = self.kind
        centre_id = self._centre_id()
        if kind == "centre" and centre_id is not None:
            self.notify(_("The centre exists; press e to edit it."), timeout=4)
            return
        if kind != "centre" and centre_id is None:
            self.notify(_("Create the centre first (tab 1)."), severity="warning", timeout=4)
            return
        self.app.push_screen(
            RecordForm(kind=kind, backend=self.backend, centre_id=centre_id),
            lambda saved: self._after_form(kind, saved),
        )

    def action_edit(self) -> None:
        record = self.current()
        if record is None:
            self.action_add()
            return
        kind = self.kind
        self.app.push_screen(
            RecordForm(kind=kind, backend=self.backend, centre_id=self._centre_id(), record=record),
            lambda saved: self._after_form(kind, saved),
        )

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        if self.kind == "case":
            self.open_case()
        elif self.kind == "programme":
            self.open_programme()
        elif self.may("edit"):
            self.action_edit()

    def action_history(self) -> None:
        """The history of the case under the cursor (other records: their case's page)."""
        from coptui.domain.text import clean
        from coptui.screens.history import HistoryScreen

        record = self.current()
        if self.kind != "case":
            self.notify(_("History is kept for events and cases (tab 5)."), timeout=4)
            return
        if record is None:
            return
        self.app.push_screen(
            HistoryScreen(
                subject="case", record_id=record.id, name=clean(record.name), backend=self.backend
            )
        )

    def open_case(self) -> None:
        """The page of the case under the cursor."""
        from coptui.screens.case_page import CasePage

        record = self.current()
        centre_id = self._centre_id()
        if record is None or centre_id is None:
            return
        self.app.push_screen(CasePage(case_id=record.id, centre_id=centre_id, backend=self.backend))

    def open_programme(self) -> None:
        """The programme under the cursor: its sessions, enrolled children, waiting list."""
        from coptui.screens.programme import ProgrammeScreen

        record = self.current()
        centre_id = self._centre_id()
        if record is None or centre_id is None:
            return
        self.app.push_screen(
            ProgrammeScreen(programme_id=record.id, centre_id=centre_id, backend=self.backend)
        )

    def _after_form(self, kind: str, saved: Record | None) -> None:
        if saved is not None:
            self._select = (kind, saved.id)
            self.reload()

    def action_deactivate(self) -> None:
        from coptui.domain.text import clean
        from coptui.screens.dialogs import Choose

        record = self.current()
        kind = self.kind
        if record is None:
            return
        name = clean(record.name)
        if kind == "centre":
            self.notify(_("The centre itself cannot be deactivated."), timeout=4)
            return
        if not record.active:
            self.notify(_("{name} is already inactive.").format(name=name), timeout=4, markup=False)
            return
        if kind == "case":
            self._ask_close(record)
            return
        if kind == "closure":
            title = _("Remove the non-working day {day}?").format(day=name)
            message = _("The centre works on that day again.")
            button = _("Remove")
        else:
            title = _("Deactivate {name}?").format(name=name)
            message = _(
                "It stays in the history: past events keep it."
                " It is no longer offered for new ones."
            )
            button = _("Deactivate")
        self.app.push_screen(
            Choose(title, message, [("no", _("Back")), ("yes", button)]),
            lambda answer: self._confirmed(kind, record, "" if answer == "yes" else None),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-close", name="ask-close")
    def _ask_close(self, record: Record) -> None:
        """Ask why the case is closed, saying first what becomes of its later sessions."""
        from coptui.domain.text import clean
        from coptui.screens.case_page import close_question
        from coptui.screens.dialogs import Ask

        prompt = close_question(self.backend, record.id)

        def check(answer: str) -> str | None:
            return None if answer.strip() else _("Say why the case is closed.")

        self.app.call_from_thread(
            self.app.push_screen,
            Ask(_("Close case {code}").format(code=clean(record.name)), prompt, check=check),
            lambda reason: self._confirmed("case", record, reason),
        )

    def _confirmed(self, kind: str, record: Record, reason: str | None) -> None:
        """Deactivate once confirmed (``reason`` is ``None`` when the person went back)."""
        if reason is not None:
            self._deactivate(kind, record, reason.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="deactivate")
    def _deactivate(self, kind: str, record: Record, reason: str) -> None:
        from coptui.services.case_closing import freed_text
        from coptui.services.setup import close_case_record, deactivate_record
        from coptui.services.transaction import transact

        centre_id = self._centre_id()
        assert centre_id is not None
        today = self.backend.today()
        if kind == "case":
            _record, freed = transact(
                self.backend.engine(),
                lambda s: close_case_record(
                    s, case_id=record.id, version=record.version, today=today, reason=reason
                ),
            )
            done = _("Case closed.") + " " + freed_text(freed)
        else:
            transact(
                self.backend.engine(),
                lambda s: deactivate_record(
                    s,
                    centre_id=centre_id,
                    kind=kind,
                    record_id=record.id,
                    version=record.version,
                    today=today,
                    reason=reason,
                ),
            )
            done = _("Done.")
        self.app.call_from_thread(self.notify, done, timeout=8, markup=False)
        self.app.call_from_thread(self.reload)
