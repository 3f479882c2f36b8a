"""The history of an event or a case in a modal: who changed what, when, from what to what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker, WorkerState

from coptui.i18n import N_, _, translate_bindings
from coptui.widgets.table import Table

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.history import HistoryEntry


class HistoryScreen(ModalScreen[None]):
    """Every change this person may see, newest first: when, who, what, from → to.

    Args:
        subject: ``"event"`` or ``"case"``.
        record_id: the event's or the case's id.
        name: what the title calls the record (a title, a case code), already cleaned.
        backend: where to read from.
    """

    CSS_PATH = ["dialogs.tcss", "history.tcss"]  # noqa: RUF012 (Textual reads it as is)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Close")),
    ]

    def __init__(
        self, *, subject: str, record_id: int, name: str, backend: Backend, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.subject = subject
        self.record_id = record_id
        self.name_shown = name
        self.backend = backend
        self.entries: list[HistoryEntry] | None = None

    def compose(self) -> ComposeResult:
        title = _("History of „{name}“").format(name=self.name_shown)
        hint = _("Esc: close")
        with Vertical(classes="dialog history"):
            yield Label(f"{title} · {hint}", classes="dialog-title", markup=False)
            yield Static(_("Loading…"), id="history-note", markup=False)
            yield Table(id="history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("When"), key="at")
        table.add_column(_("Who"), key="who")
        table.add_column(_("What"), key="what")
        table.add_column(_("Was"), key="old")
        table.add_column(_("Became"), key="new")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history", name="history")
    def _load(self) -> list[HistoryEntry]:
        from coptui.services.history import history

        subject, record_id = self.subject, self.record_id
        return list(
            self.backend.read(lambda conn: history(conn, subject=subject, record_id=record_id))
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "history":
            return
        note = self.query_one("#history-note", Static)
        if event.state is WorkerState.ERROR:
            from coptui.errors import CoptError

            error = event.worker.error
            note.update(error.message if isinstance(error, CoptError) else str(error))
        elif event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, list)
            self.show(result)

    def show(self, entries: list[HistoryEntry]) -> None:
        """One line per changed field; when and who only on the first line of a change."""
        self.entries = entries
        note = self.query_one("#history-note", Static)
        note.update("" if entries else _("No changes recorded."))
        note.display = not entries
        table = self.query_one(DataTable)
        table.clear()
        for n, entry in enumerate(entries):
            when = f"{entry.at:%d.%m.%Y %H:%M}"
            lines = [(f.field, f.old, f.new) for f in entry.fields] or [("", "", "")]
            for i, (field, old, new) in enumerate(lines):
                what = entry.what if not field else f"{entry.what}: {field}"
                if i:
                    what = field
                table.add_row(
                    when if i == 0 else "",
                    entry.who if i == 0 else "",
                    what,
                    old,
                    new,
                    key=f"{n}.{i}",
                )

    def action_close(self) -> None:
        self.dismiss(None)
