"""The monthly report on screen: the same figures as `coptui report month`, a month at a time."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from textual.worker import Worker, WorkerState

from coptui.i18n import N_, _, translate_bindings

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.report_rows import MonthReport


# The years a month may be asked for (as ``services.hours.parse_month`` takes them).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def shifted(year: int, month: int, by: int) -> tuple[int, int]:
    """The month ``by`` months after (before, when negative) ``month`` of ``year``."""
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


class ReportScreen(ModalScreen[None]):
    """The month's report of the centre; ``[`` and ``]`` go to the month before and after.

    Args:
        backend: where to read from (the report is read through the engine, in one snapshot).
        year, month: the month shown first (default: the month of the backend's today).
    """

    CSS_PATH = ["dialogs.tcss", "report.tcss"]  # noqa: RUF012 (Textual reads it as is)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Close")),
        Binding("left_square_bracket", "month(-1)", N_("Previous month")),
        Binding("right_square_bracket", "month(1)", N_("Next month")),
    ]

    def __init__(
        self, *, backend: Backend, year: int | None = None, month: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.backend = backend
        today = backend.today()
        self.year, self.month = year or today.year, month or today.month
        self.report: MonthReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog report"):
            yield Label("", id="report-title", classes="dialog-title", markup=False)
            yield Static(_("Loading…"), id="report-note", markup=False)
            with ScrollableContainer(id="report-scroll", can_focus=True):
                yield Static("", id="report-body", markup=False, expand=False)

    def on_mount(self) -> None:
        self.query_one("#report-scroll").focus()
        self._load_month()

    def _load_month(self) -> None:
        title = _("Monthly report {month:02d}.{year}").format(month=self.month, year=self.year)
        hint = _("[ ]: month before / after · Esc: close")
        self.query_one("#report-title", Label).update(f"{title} · {hint}")
        note = self.query_one("#report-note", Static)
        note.update(_("Loading…"))
        note.display = True
        self._load(self.year, self.month)

    @work(thread=True, exclusive=True, exit_on_error=False, group="report", name="report")
    def _load(self, year: int, month: int) -> MonthReport:
        from coptui.services.report import read_month_report
        from coptui.services.transaction import transact

        today: date = self.backend.today()
        engine = self.backend.engine()
        return transact(engine, lambda s: read_month_report(s, year=year, month=month, today=today))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "report":
            return
        note = self.query_one("#report-note", Static)
        if event.state is WorkerState.ERROR:
            from coptui.errors import CoptError

            error = event.worker.error
            note.update(error.message if isinstance(error, CoptError) else str(error))
            note.display = True
            self.report = None
            self.query_one("#report-body", Static).update("")
        elif event.state is WorkerState.SUCCESS:
            result = event.worker.result
            if result is None or (result.year, result.month) != (self.year, self.month):
                return  # a month the person has already left
            self.show(result)

    def show(self, report: MonthReport) -> None:
        """Draw the report as `coptui report month` prints it."""
        from coptui.export.report_text import render_text

        self.report = report
        self.query_one("#report-note", Static).display = False
        self.query_one("#report-body", Static).update(render_text(report))

    def action_month(self, by: int) -> None:
        """Go ``by`` months forward (or back), within the years `coptui report month` takes."""
        year, month = shifted(self.year, self.month, by)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return
        self.year, self.month = year, month
        self._load_month()

    def action_close(self) -> None:
        self.dismiss(None)
