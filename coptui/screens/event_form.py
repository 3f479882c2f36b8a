"""The event form: a new event, or an existing one, checked against the calendar as you type.

Nothing typed is lost by accident: a stale save reloads the event field by field (what you
changed stays, what someone else changed comes in and is named), a refusal goes away when a
field behind it changes, and Esc asks before it throws typing away. Stored text is shown as
plain text with control characters made harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from coptui.domain.text import clean
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.choice import Choice
from coptui.screens.dialogs import Choose
from coptui.screens.event_fields import (
    EVENT_KINDS,
    FIELDS,
    FREE_KEYS,
    PLACEHOLDERS,
    Typed,
    event_values,
    merge,
)
from coptui.screens.event_fields import (
    open_places as _count,
)
from coptui.screens.host import Host, forward_failure, host_of


def _slots_text(free: list[Any]) -> str:
    """«Свободно: F2: пт 27.11 10:00 …», or nothing."""
    from coptui.domain.timeutil import SOFIA
    from coptui.widgets.weekgrid import WEEKDAYS

    slots = "  ".join(
        f"{key.upper()}: {_(WEEKDAYS[s.start.astimezone(SOFIA).weekday()])}"
        f" {s.start.astimezone(SOFIA):%d.%m %H:%M}"
        for key, s in zip(FREE_KEYS, free, strict=False)
    )
    return _("Free: ") + slots if free else ""


class EventForm(ModalScreen[int | None]):
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
        self.loaded: dict[str, str] = {}  # the event's fields as last read from the database
        self._untouched: Typed | None = None  # the form before anyone typed
        self._saving: Typed | None = None  # the form as it was sent to be saved
        self._refused: Typed | None = None  # the form a refusal on screen is about
        self.waitlist_extra = False  # save what fits a programme's seats, the rest waits

    @property
    def coptui(self) -> Host:
        """The app, as far as a screen needs it."""
        return host_of(self)

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
            self._untouched = self.typed()
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
            self.version, self.loaded = event
            self._fill(self.loaded)
            self.query_one("#repeat", Input).disabled = True
            self._untouched = self.typed()
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

    def _fill(self, fields: dict[str, str]) -> None:
        for key, value in fields.items():
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

    def _request(self, session: Any, typed: Typed) -> Any:
        """The booking the form describes, with names resolved; raises BadInputError."""
        from coptui.domain.enums import EventKind
        from coptui.domain.parse import parse_day, parse_minutes, parse_time
        from coptui.domain.timeutil import end_after, local_checked
        from coptui.errors import BadInputError
        from coptui.services.booking import BookingRequest
        from coptui.services.directory import resolve

        values = typed.values
        centre_id = self.centre_id
        assert centre_id is not None
        today = self.coptui.today()
        if not values["day"].strip():
            raise BadInputError(_("Write the date."))
        if not values["start"].strip():
            raise BadInputError(_("Write the start time."))
        day = parse_day(values["day"], today)
        start = local_checked(day, parse_time(values["start"]))
        if values["end"].strip():
            end = local_checked(day, parse_time(values["end"]))
        elif values["duration"].strip():
            end = end_after(start, parse_minutes(values["duration"]))
        else:
            raise BadInputError(_("Write the end time or the length in minutes."))

        def names(kind: str, text: str) -> tuple[int, ...]:
            parts = [p.strip() for p in text.split(",") if p.strip()]
            new = self.event_id is None  # a new event takes only people and rooms in use
            return tuple(
                resolve(session, centre_id=centre_id, kind=kind, name=p, for_booking=new).id
                for p in parts
            )

        room = values["room"].strip()
        programme = values["programme"].strip()
        return BookingRequest(
            centre_id=centre_id,
            title=values["title"].strip() or _("(no title)"),
            start=start,
            end=end,
            kind=EventKind(typed.kind),
            room_id=names("rooms", room)[0] if room else None,
            staff_ids=names("staff", values["staff"]),
            case_ids=names("cases", values["cases"]),
            volunteer_ids=names("volunteers", values["volunteers"]),
            open_slots=_count(values["open_slots"]),
            programme_id=names("programmes", programme)[0] if programme else None,
            notes=values["notes"].strip(),
            allow_non_working_day=self.allow_non_working_day,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="check", name="check")
    def _check(self, typed: Typed) -> tuple[str, str, list[Any]]:
        from coptui.db import session_scope
        from coptui.domain.timeutil import SOFIA
        from coptui.errors import CoptError
        from coptui.services.booking import clashes_of
        from coptui.services.calendar import calendar_for
        from coptui.services.seats import programme_seats, seat_line
        from coptui.services.slots import WorkingHours, free_slots

        engine = self.coptui.wait_engine()
        with session_scope(engine) as session:
            try:
                request = self._request(session, typed)
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
                return message, _slots_text(series_free), series_free
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
            slots = _slots_text(free)
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

    # -- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        note = self.query_one("#note", Static)
        note.update(_("Saving…"))
        note.remove_class("problem")
        self._refused = None
        self._saving = self.typed()
        self._save(self._saving)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save", name="save")
    def _save(self, typed: Typed) -> None:
        from coptui.domain.recurrence import RecurrenceError, parse_repeat
        from coptui.errors import BadInputError
        from coptui.screens.series_preview import raise_if_blocked
        from coptui.services.booking import book_event
        from coptui.services.edits import EventChanges, edit_event
        from coptui.services.rosters import set_open_places
        from coptui.services.seats import fit_request, put_on_waiting_lists
        from coptui.services.series import book_series, preview_series
        from coptui.services.transaction import transact

        engine = self.coptui.wait_engine()
        repeat = typed.values["repeat"].strip()

        def work(session: Any) -> tuple[int, str]:
            request, extra = fit_request(
                session,
                request=self._request(session, typed),
                event_id=self.event_id,
                waitlist=self.waitlist_extra,
            )
            saved, message = save(session, request)
            if extra:
                put_on_waiting_lists(session, event_ids=saved, case_ids=extra)
            return saved[0], message

        def save(session: Any, request: Any) -> tuple[list[int], str]:
            if self.event_id is not None:
                assert self.version is not None
                version = self.version
                if request.open_slots != _count(self.loaded.get("open_slots", "")):
                    version = set_open_places(
                        session, event_id=self.event_id, version=version, count=request.open_slots
                    )
                changes = EventChanges(
                    title=request.title,
                    kind=request.kind,
                    notes=request.notes,
                    start=request.start,
                    end=request.end,
                    set_room=True,
                    room_id=request.room_id,
                    staff_ids=request.staff_ids,
                    case_ids=request.case_ids,
                    volunteer_ids=request.volunteer_ids,
                    set_programme=True,
                    programme_id=request.programme_id,
                )
                if self.scope != "this":
                    from coptui.screens.series_preview import save_series_edit

                    first, said = save_series_edit(
                        session,
                        event_id=self.event_id,
                        version=version,
                        changes=changes,
                        scope=self.scope,
                        allow_non_working_day=self.allow_non_working_day,
                        skip_blocked=self.skip_blocked,
                    )
                    return [first], said
                saved = edit_event(
                    session,
                    event_id=self.event_id,
                    version=version,
                    changes=changes,
                    allow_non_working_day=self.allow_non_working_day,
                )
                return [saved.id], _("Saved.")
            if repeat:
                try:
                    rule = parse_repeat(repeat)
                except RecurrenceError as exc:
                    raise BadInputError(str(exc)) from exc
                if not self.skip_blocked:
                    raise_if_blocked(
                        preview_series(session, request=request, rule=rule),
                        holidays_too=not self.allow_non_working_day,
                    )
                result = book_series(
                    session,
                    request=request,
                    rule=rule,
                    include_holidays=self.allow_non_working_day,
                )
                if not result.booked:
                    raise BadInputError(_("No occurrence of the series is free."))
                return [b.id for b in result.booked], _(
                    "Saved {n} occurrences; skipped {c} with clashes and {h} on non-working days."
                ).format(
                    n=len(result.booked),
                    c=len(result.skipped_clashes),
                    h=len(result.skipped_holidays),
                )
            return [book_event(session, request=request).id], _("Saved.")

        saved, message = transact(engine, work)
        self.app.call_from_thread(self.app.notify, message, timeout=4)
        self.app.call_from_thread(self.dismiss, saved)

    def _save_failed(self, error: BaseException | None) -> None:
        from coptui.errors import CoptError, HolidayError, StaleEditError
        from coptui.screens.series_preview import DatesBlocked, SkipDates
        from coptui.services.seats import SeatsOverError

        check = self.query_one("#note", Static)
        if isinstance(error, DatesBlocked):
            check.update(_("Some dates are in the way; choose what to do."))

            def chosen(answer: str | None) -> None:
                if answer is None:
                    check.update("")
                    return
                self.skip_blocked = True
                if answer == "holidays":
                    self.allow_non_working_day = True
                self.action_save()

            self.app.push_screen(SkipDates(error), chosen)
            return
        check.add_class("problem")
        # Every refusal but a stale one is about the fields as saved (a stale one holds
        # until the event is reloaded).
        if not isinstance(error, StaleEditError):
            self._refused = self._saving
        if isinstance(error, HolidayError):
            check.update(error.message)

            def confirmed(answer: str | None) -> None:
                if answer == "yes":
                    self.allow_non_working_day = True
                    self.action_save()

            self.app.push_screen(
                Choose(error.title, error.message, [("yes", _("Book anyway")), ("no", _("Back"))]),
                confirmed,
            )
            return
        if isinstance(error, SeatsOverError):
            check.update(error.message)

            def waitlist(answer: str | None) -> None:
                if answer == "wait":
                    self.waitlist_extra = True
                    self.action_save()

            self.app.push_screen(
                Choose(
                    error.title,
                    error.message,
                    [("wait", _("Save; the rest on the waiting list")), ("back", _("Back"))],
                ),
                waitlist,
            )
            return
        if isinstance(error, StaleEditError):
            check.update(error.message)

            def reload(answer: str | None) -> None:
                if answer == "reload":
                    self._reload_version()

            self.app.push_screen(
                Choose(
                    error.title,
                    error.message
                    + "\n"
                    + _("Reload takes their version as the base; what you typed stays."),
                    [("reload", _("Reload")), ("back", _("Back"))],
                ),
                reload,
            )
            return
        check.update(error.message if isinstance(error, CoptError) else str(error))

    @work(thread=True, exclusive=True, exit_on_error=False, group="form", name="reload")
    def _reload_version(self) -> None:
        from coptui.db import session_scope

        engine = self.coptui.wait_engine()
        assert self.event_id is not None and self.centre_id is not None
        with session_scope(engine) as session:
            current = event_values(session, self.event_id, self.centre_id)
        self.app.call_from_thread(self._reloaded, *current)

    def _reloaded(self, version: int, theirs: dict[str, str]) -> None:
        """The event as it is now, with what this person changed kept on top of it."""
        base = self.loaded
        fields = merge(self.typed().fields(), base, theirs)
        self.version, self.loaded = version, theirs
        self._fill(fields)
        lines = [_("Reloaded. Your changes are still in the form; save again to keep them.")]
        changes = [
            f"{self._label(key)} {self._shown(key, base.get(key, ''))} → {self._shown(key, value)}"
            for key, value in theirs.items()
            if value != base.get(key, "")
        ]
        if changes:
            lines.append(_("Changed by someone else: {changes}").format(changes="; ".join(changes)))
        note = self.query_one("#note", Static)
        note.remove_class("problem")
        note.update("\n".join(lines))

    @staticmethod
    def _label(key: str) -> str:
        labels = dict(FIELDS, kind=N_("Kind"))
        return _(labels[key]).lower()

    @staticmethod
    def _shown(key: str, value: str) -> str:
        if key == "kind":
            return _(dict(EVENT_KINDS).get(value, value))
        return clean(value) if value else "—"

    def action_close(self) -> None:
        """Back to the planner; if something was typed, ask first."""
        if self._untouched is None or self.typed() == self._untouched:
            self.dismiss(None)
            return

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self.dismiss(None)

        self.app.push_screen(
            Choose(
                _("Unsaved changes"),
                _("Discard your changes?"),
                [("yes", _("Yes")), ("no", _("No"))],
                focus="no",
            ),
            answered,
        )
