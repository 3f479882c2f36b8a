"""The attendance register of one session: Space marks each child, Ctrl+S saves and holds it.

The register is read on the plain read connection (it opens fast, even with 30 children) and
saved through one service call; nothing is written before Ctrl+S. Case codes and names are
stored text and are shown as plain, cleaned text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from coptui.domain.attendance import WITH_REASON, next_mark
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.host import forward_failure
from coptui.widgets.footer import Footer
from coptui.widgets.table import Table

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.attendance import Register, RegisterRow

# The words of each mark (the same as ``services.attendance.MARK_WORDS``, kept here so that
# opening the register does not import the services before its first frame).
MARK_WORDS = {
    "expected": N_("not marked yet"),
    "present": N_("present"),
    "absent": N_("absent"),
    "excused": N_("excused"),
    "late": N_("late"),
}
STATUS_WORDS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}


def now_for(today: date) -> datetime:
    """The moment the register is opened at: now, or the end of the day shown as today.

    The app can be started on another day (a demo, a test); its sessions up to that day's end
    are then the ones that have begun.
    """
    from coptui.domain.timeutil import SOFIA, local

    real = datetime.now(SOFIA)
    return real if real.date() == today else local(today, time(23, 59))


@dataclass(frozen=True)
class Marked:
    """A row as shown: the mark and reason typed, over the row as read."""

    row: RegisterRow
    attendance: str
    note: str

    @property
    def changed(self) -> bool:
        return (self.attendance, self.note) != (self.row.attendance, self.row.note)


class AttendanceScreen(Screen[bool]):
    """The children expected at a session; returns True when the register was saved."""

    CSS_PATH = "attendance.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "cycle", N_("Mark")),
        Binding("n", "reason", N_("Reason")),
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, *, event_id: int, backend: Backend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.event_id = event_id
        self.backend = backend
        self.register: Register | None = None
        self.marked: list[Marked] = []
        self.loads = 0  # finished loads, for tests and benchmarks
        self._saving = False

    def compose(self) -> ComposeResult:
        yield Static(_("Loading…"), id="attendance-title", markup=False)
        yield Table(id="register", cursor_type="row", zebra_stripes=True)
        yield Static("", id="attendance-summary", markup=False)
        yield Static(
            _("Space: present → absent → excused → late · n: reason · Ctrl+S: save · Esc: back"),
            id="attendance-hint",
            markup=False,
        )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Case"), key="code")
        table.add_column(_("Attendance"), key="mark", width=20)
        table.add_column(_("Child"), key="name")
        table.add_column(_("Reason"), key="note")
        table.focus()
        self._load()

    # -- loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="register", name="register")
    def _load(self) -> Register:
        from coptui.services.attendance import open_register

        now = now_for(self.backend.today())
        event_id = self.event_id
        register: Register = self.backend.read(
            lambda conn: open_register(conn, event_id=event_id, now=now)
        )
        return register

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "save":
            if event.state is WorkerState.ERROR:
                self._save_failed(event.worker.error)
            return
        forward_failure(self, event)
        if event.worker.name != "register":
            return
        if event.state is WorkerState.ERROR and self.register is None:
            self.dismiss(False)  # the app says why (cancelled, not started, gone)
        elif event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert result is not None
            self.show(result)

    def show(self, register: Register, keep: list[Marked] | None = None) -> None:
        """Put the register on screen; ``keep`` holds marks typed before a reload."""
        from coptui.domain.timeutil import SOFIA
        from coptui.widgets.weekgrid import WEEKDAYS

        mine = {m.row.case_id: m for m in keep or [] if m.changed}
        self.register = register
        self.marked = []
        for row in register.rows:
            typed = mine.get(row.case_id)
            if typed is not None and typed.row.version == row.version:
                self.marked.append(replace(typed, row=row))
            else:
                self.marked.append(Marked(row=row, attendance=row.attendance, note=row.note))
        start = register.start.astimezone(SOFIA)
        end = register.end.astimezone(SOFIA)
        parts = [
            _("Attendance"),
            register.title,
            "" if register.programme in register.title else register.programme,
            f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m.%Y %H:%M}–{end:%H:%M}",
            _(STATUS_WORDS.get(register.status, register.status)),
        ]
        self.query_one("#attendance-title", Static).update(" · ".join(p for p in parts if p))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for marked in self.marked:
            table.add_row(*self._cells(marked), key=str(marked.row.case_id))
        if self.marked:
            table.move_cursor(row=min(cursor, len(self.marked) - 1))
        self._summary()
        self.loads += 1

    @staticmethod
    def _cells(marked: Marked) -> tuple[Text, Text, Text, Text]:
        # Rich Text, never a str: DataTable reads a str as markup, and these are stored text.
        word = _(MARK_WORDS.get(marked.attendance, marked.attendance))
        if marked.changed:
            word += " •"
        return (
            Text(marked.row.code),
            Text(word, style="bold" if marked.attendance == "absent" else ""),
            Text(marked.row.name),
            Text(marked.note),
        )

    def _summary(self) -> None:
        counts: dict[str, int] = {}
        for marked in self.marked:
            counts[marked.attendance] = counts.get(marked.attendance, 0) + 1
        parts = [
            f"{_(MARK_WORDS[mark])}: {counts[mark]}"
            for mark in ("present", "late", "absent", "excused", "expected")
            if counts.get(mark)
        ]
        changed = sum(1 for m in self.marked if m.changed)
        if changed:
            parts.append(_("{n} not saved").format(n=changed))
        if not self.marked:
            parts = [_("No children are booked for this session.")]
        self.query_one("#attendance-summary", Static).update(" · ".join(parts))

    # -- marking ----------------------------------------------------------------------------

    def _current(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.marked or table.cursor_row < 0:
            return None
        return min(table.cursor_row, len(self.marked) - 1)

    def _put(self, index: int, marked: Marked) -> None:
        self.marked[index] = marked
        table = self.query_one(DataTable)
        key = str(marked.row.case_id)
        for column, value in zip(
            ("code", "mark", "name", "note"), self._cells(marked), strict=True
        ):
            table.update_cell(key, column, value)
        self._summary()

    def action_cycle(self) -> None:
        """The next mark of the child under the cursor; an absence asks a short reason."""
        index = self._current()
        if index is None:
            return
        marked = self.marked[index]
        mark = next_mark(marked.attendance)
        note = marked.note if mark in WITH_REASON else ""
        self._put(index, replace(marked, attendance=mark, note=note))
        if mark == "absent":
            self.action_reason()

    def action_reason(self) -> None:
        """Ask the reason of the absence under the cursor (blank when it is not known)."""
        from coptui.domain.text import check_line
        from coptui.errors import BadInputError
        from coptui.screens.dialogs import Ask

        index = self._current()
        if index is None:
            return
        marked = self.marked[index]
        if marked.attendance not in WITH_REASON:
            self.notify(_("Only an absence has a reason."), timeout=3)
            return

        def check(answer: str) -> str | None:
            try:
                check_line(answer, _("the reason"), max_length=200)
            except BadInputError as exc:
                return exc.message
            return None

        def done(answer: str | None) -> None:
            if answer is not None:
                self._put(index, replace(self.marked[index], note=answer.strip()))

        title = marked.row.code + (f" · {marked.row.name}" if marked.row.name else "")
        self.app.push_screen(
            Ask(
                title,
                _("Why absent? A few words (Enter with nothing: not known)."),
                value=marked.note,
                check=check,
            ),
            done,
        )

    # -- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.register is None or self._saving:
            return
        self._saving = True
        self.query_one("#attendance-summary", Static).update(_("Saving…"))
        self._save([m for m in self.marked if m.changed])

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="save")
    def _save(self, marked: list[Marked]) -> None:
        from coptui.services.attendance import Mark, save_attendance
        from coptui.services.transaction import transact

        now = now_for(self.backend.today())
        marks = [
            Mark(case_id=m.row.case_id, attendance=m.attendance, note=m.note, version=m.row.version)
            for m in marked
        ]
        saved = transact(
            self.backend.engine(),
            lambda s: save_attendance(s, event_id=self.event_id, marks=marks, now=now),
        )
        message = _("Attendance saved.")
        if saved.held_now:
            message += " " + _("The session is marked held.")
        self.app.call_from_thread(self.app.notify, message, timeout=4)
        self.app.call_from_thread(self.dismiss, True)

    def _save_failed(self, error: BaseException | None) -> None:
        from coptui.errors import CoptError, StaleEditError
        from coptui.screens.dialogs import Choose

        self._saving = False
        self._summary()
        message = error.message if isinstance(error, CoptError) else str(error)
        if not isinstance(error, StaleEditError):
            self.notify(message, title=_("Not saved"), severity="error", timeout=8, markup=False)
            return

        def answered(answer: str | None) -> None:
            if answer == "reload":
                self._reload_keeping(list(self.marked))

        self.app.push_screen(
            Choose(
                error.title,
                message + "\n" + _("Reload shows their marks; yours stay on the other children."),
                [("reload", _("Reload")), ("back", _("Back"))],
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="register", name="reload")
    def _reload_keeping(self, keep: list[Marked]) -> None:
        from coptui.services.attendance import open_register

        now = now_for(self.backend.today())
        event_id = self.event_id
        register = self.backend.read(lambda c: open_register(c, event_id=event_id, now=now))
        self.app.call_from_thread(self.show, register, keep)

    def action_back(self) -> None:
        """Back to the planner; marks not saved are lost only after asking."""
        from coptui.screens.form_flow import ask_discard

        if not any(m.changed for m in self.marked):
            self.dismiss(False)
            return
        ask_discard(self, lambda: self.dismiss(False))
