"""The event form: a new event, or an existing one, checked against the calendar as you type.

Nothing typed is lost by accident: a stale save reloads the event field by field (what you
changed stays, what someone else changed comes in and is named), a refusal goes away when a
field behind it changes, and Esc asks before it throws typing away. Stored text is shown as
plain text with control characters made harmless. Saving lives in ``event_save``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from coptui.domain.text import clean
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.choice import Choice
from coptui.screens.event_fields import (
    EVENT_KINDS,
    FIELDS,
    PLACEHOLDERS,
    Typed,
    event_values,
    slots_text,
)
from coptui.screens.event_save import EventSaving
from coptui.screens.host import forward_failure


class EventForm(EventSaving):
    """New or existing event; returns the id of the event saved, or ``None``."""

    CSS_PATH = ["dialogs.tcss", "event_form.tcss"]  # noqa: RUF012 (Textual reads it as is)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "close", N_("Back")),
        Binding("f2", "take_slot(0)", N_("1st free time"), show=False),
        Binding("f3", "take_slot(1)", N_("2nd free time"), show=False),
        Binding("f4", "take_slot(2)", N_("3rd free time"), show=False),
    ]

    def __init__(
        self,
        *,
        start: datetime | None = None,
        event_id: int | None = None,
        resource: Choice | None = None,
        centre_id: int | None = None,
        scope: str = "this",
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.start = start
        self.event_id = event_id
        self.scope = scope  # for an occurrence of a series: this, following or all
        self.skip_blocked = False  # the person agreed to save without the dates in the way
        self.version: int | None = None
        self.resource = resource
        self.centre_id = centre_id
        self.free: list[Any] = []
        self._timer: Timer | None = None
        self.checks = 0  # finished checks, for tests
        self.allow_non_working_day = False
        self.base = None  # the event's fields as last read (a new one: as the form started)
        self._saving: Typed | None = None  # the form as it was sent to be saved
        self._refused: Typed | None = None  # the form a refusal on screen is about
        self.waitlist_extra = False  # save what fits a programme's seats, the rest waits

    def compose(self) -> ComposeResult:
        from coptui.screens.series_preview import scope_words

        title = _("New event") if self.event_id is None else _("Event")
        if self.scope != "this":
            title += " · " + scope_words(self.scope)
        with Vertical(classes="form"):
            yield Label(title, id="form-title", classes="dialog-title")
            yield Static("", id="series", markup=False)
            with VerticalScroll(), Grid(classes="fields"):
                yield Label(_("Kind"))
                yield Select(
                    [(_(label), key) for key, label in EVENT_KINDS],
                    value="individual",
                    allow_blank=False,
                    id="kind",
                )
                for key, label in FIELDS:
                    yield Label(_(label))
                    placeholder = _(PLACEHOLDERS[key]) if key in PLACEHOLDERS else ""
                    yield Input(id=key, placeholder=placeholder)
            yield Static("", id="check", markup=False)
            yield Static("", id="slots", markup=False)
            yield Static("", id="note", markup=False)
            yield Static(_("Ctrl+S: save · Esc: back · F2 F3 F4: take a free time"), classes="hint")

    def on_mount(self) -> None:
        if self.event_id is None and self.start is not None:
            self._set("day", f"{self.start:%d.%m.%Y}")
            self._set("start", f"{self.start:%H:%M}")
            self._set("duration", "60")
            if self.resource is not None and self.resource.kind in (
                "room",
                "staff",
                "case",
                "volunteer",
            ):
                field = {"room": "room", "staff": "staff", "case": "cases"}.get(
                    self.resource.kind, "volunteers"
                )
                self._set(field, clean(self.resource.name))
        self.query_one("#title", Input).focus()
        if self.event_id is None:
            self.base = self.typed().fields()
        self.query_one("#series", Static).display = False
        self._prepare()
        if self.event_id is not None:
            self._read_series(self.event_id)

    def _set(self, key: str, value: str) -> None:
        self.query_one(f"#{key}", Input).value = value

    def typed(self) -> Typed:
        """Everything typed so far."""
        kind = self.query_one("#kind", Select).value
        return Typed(
            kind=str(kind),
            values={key: self.query_one(f"#{key}", Input).value for key, _l in FIELDS},
        )

    # -- loading ----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="form", name="prepare")
    def _prepare(self) -> None:
        from coptui.db import session_scope
        from coptui.services.directory import entries, only_centre

        engine = self.coptui.wait_engine()
        with session_scope(engine) as session:
            centre = only_centre(session)
            names = {
                kind: [clean(e.name) for e in entries(session, centre_id=centre, kind=kind)]
                for kind in ("rooms", "staff", "volunteers", "cases", "programmes")
            }
            event = None
            if self.event_id is not None:
                event = event_values(session, self.event_id, centre)
        self.centre_id = centre
        self.app.call_from_thread(self._prepared, names, event)

    def _prepared(
        self, names: dict[str, list[str]], event: tuple[int, dict[str, str]] | None
    ) -> None:
        self.query_one("#room", Input).suggester = SuggestFromList(
            names["rooms"], case_sensitive=False
        )
        self.query_one("#programme", Input).suggester = SuggestFromList(
            names["programmes"], case_sensitive=False
        )
        if event is not None:
            self.version, loaded = event
            self.fill(loaded)
            self.query_one("#repeat", Input).disabled = True
            self.base = self.typed().fields()
        self._schedule_check()

    @work(thread=True, exit_on_error=False, group="series", name="series")
    def _read_series(self, event_id: int) -> None:
        from coptui.db import session_scope
        from coptui.services.series import series_info

        with session_scope(self.coptui.wait_engine()) as session:
            info = series_info(session, event_id=event_id)
        if info is not None:
            line = _("Part of a series: {rule} · occurrence {n} of {total}").format(
                rule=info.rule, n=info.position, total=info.total
            )
            self.app.call_from_thread(self._show_series, line)

    def _show_series(self, line: str) -> None:
        series = self.query_one("#series", Static)
        series.update(line)
        series.display = True

    def fill(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            if key == "kind":
                self.query_one("#kind", Select).value = value
            else:
                self._set(key, value)

    # -- checking as you type ---------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        # A refusal is about the fields as they were saved: once one of them changes it no
        # longer holds, and the check as you type says what holds now.
        self.skip_blocked = False
        if self._refused is not None and self.typed() != self._refused:
            self._refused = None
            self.waitlist_extra = False  # agreed for the children as they were typed
            note = self.query_one("#note", Static)
            note.update("")
            note.remove_class("problem")
        self._schedule_check()

    def _schedule_check(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.25, self._run_check)

    def _run_check(self) -> None:
        if self.centre_id is not None:
            self._check(self.typed())

    @work(thread=True, exclusive=True, exit_on_error=False, group="check", name="check")
    def _check(self, typed: Typed) -> tuple[str, str, list[Any]]:
        from coptui.db import session_scope
        from coptui.domain.timeutil import SOFIA
        from coptui.errors import CoptError
        from coptui.services.calendar import calendar_for
        from coptui.services.clashes import clashes_of
        from coptui.services.seats import programme_seats, seat_line
        from coptui.services.slots import WorkingHours, free_slots

        engine = self.coptui.wait_engine()
        with session_scope(engine) as session:
            try:
                request = self.request(session, typed)
            except CoptError as exc:
                return exc.message, "", []
            exclude = [self.event_id] if self.event_id else []
            clashes = clashes_of(session, request, exclude)
            lines = [c.describe() for c in clashes[:3]]
            seats = programme_seats(session, request)  # counted as clashes are
            if seats is not None and seats.over:
                lines.append(seat_line(seats))
            day = request.start.astimezone(SOFIA).date()
            calendar = calendar_for(session, request.centre_id)
            if not calendar.is_working_day(day):
                name = calendar.holiday_name(day)
                lines.append(
                    _("{day} is not a working day{name}.").format(
                        day=f"{day:%d.%m.%Y}", name=f" ({name})" if name else ""
                    )
                )
            repeat = typed.values["repeat"].strip()
            if repeat and self.event_id is None:
                from coptui.screens.series_preview import check_series

                message, series_free = check_series(
                    session,
                    request=request,
                    repeat=repeat,
                    hours=(self.coptui.settings.day_start, self.coptui.settings.day_end),
                    include_holidays=self.allow_non_working_day,
                )
                return message, slots_text(series_free), series_free
            free: list[Any] = []
            if clashes:
                settings = self.coptui.settings
                free = free_slots(
                    session,
                    centre_id=request.centre_id,
                    duration=request.end - request.start,
                    first_day=day,
                    days=28,
                    staff_ids=request.staff_ids,
                    case_ids=request.case_ids,
                    volunteer_ids=request.volunteer_ids,
                    room_id=request.room_id,
                    hours=WorkingHours(settings.day_start, settings.day_end),
                    not_before=request.start,
                    exclude_event_id=self.event_id,
                )
            slots = slots_text(free)
            if seats is not None and not seats.over:
                slots = "\n".join(p for p in (seat_line(seats), slots) if p)
            return "\n".join(lines) or _("No clashes."), slots, free

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "save":
            forward_failure(self, event)
        if event.worker.name == "check" and event.state is WorkerState.SUCCESS:
            result = event.worker.result
            assert result is not None
            message, slots, free = result
            self.free = free
            check = self.query_one("#check", Static)
            check.update(message)
            check.set_class(message != _("No clashes."), "problem")
            self.query_one("#slots", Static).update(slots)
            self.checks += 1
        elif event.worker.name == "save" and event.state is WorkerState.ERROR:
            self._save_failed(event.worker.error)

    def action_take_slot(self, n: int) -> None:
        """Use the n-th free time the check found."""
        from coptui.domain.timeutil import SOFIA

        if n >= len(self.free):
            return
        slot = self.free[n]
        start = slot.start.astimezone(SOFIA)
        end = slot.end.astimezone(SOFIA)
        self._set("day", f"{start:%d.%m.%Y}")
        self._set("start", f"{start:%H:%M}")
        self._set("end", f"{end:%H:%M}")
        if slot.room:
            self._set("room", slot.room)
