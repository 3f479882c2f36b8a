"""The event form's saving: one transaction per save, and what a refusal asks next (dates in
the way, a holiday, seats over, someone else's newer version)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Static

from coptui.i18n import _
from coptui.screens.dialogs import Choose
from coptui.screens.event_fields import (
    Typed,
    booking_request,
    event_values,
    label_of,
    open_places,
    shown,
)
from coptui.screens.form_flow import FormFlow
from coptui.screens.host import Host, host_of

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coptui.services.booking import BookingRequest


def save_event(
    session: Any,
    request: BookingRequest,
    *,
    event_id: int | None,
    version: int | None,
    open_before: int,
    scope: str,
    repeat: str,
    allow_non_working_day: bool,
    skip_blocked: bool,
) -> tuple[list[int], str]:
    """Book ``request``, or save it over the event ``event_id`` (in ``scope`` of its series).

    Returns:
        The ids of the events saved and a line that says so.
    """
    from coptui.domain.recurrence import RecurrenceError, parse_repeat
    from coptui.errors import BadInputError
    from coptui.screens.series_preview import raise_if_blocked, save_series_edit
    from coptui.services.booking import book_event
    from coptui.services.edits import EventChanges, edit_event
    from coptui.services.rosters import set_open_places
    from coptui.services.series import book_series, preview_series

    if event_id is not None:
        assert version is not None
        if request.open_slots != open_before:
            version = set_open_places(
                session, event_id=event_id, version=version, count=request.open_slots
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
        if scope != "this":
            first, said = save_series_edit(
                session,
                event_id=event_id,
                version=version,
                changes=changes,
                scope=scope,
                allow_non_working_day=allow_non_working_day,
                skip_blocked=skip_blocked,
            )
            return [first], said
        saved = edit_event(
            session,
            event_id=event_id,
            version=version,
            changes=changes,
            allow_non_working_day=allow_non_working_day,
        )
        return [saved.id], _("Saved.")
    if repeat:
        try:
            rule = parse_repeat(repeat)
        except RecurrenceError as exc:
            raise BadInputError(str(exc)) from exc
        if not skip_blocked:
            raise_if_blocked(
                preview_series(session, request=request, rule=rule),
                holidays_too=not allow_non_working_day,
            )
        result = book_series(
            session, request=request, rule=rule, include_holidays=allow_non_working_day
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


class EventSaving(FormFlow[int | None]):
    """The saving half of the event form (``EventForm`` builds on it)."""

    event_id: int | None
    centre_id: int | None
    version: int | None
    scope: str
    skip_blocked: bool
    allow_non_working_day: bool
    waitlist_extra: bool
    base: dict[str, str] | None  # the fields as last read from the database (or as started)
    _saving: Typed | None  # the form as it was sent to be saved
    _refused: Typed | None  # the form a refusal on screen is about

    @property
    def coptui(self) -> Host:
        """The app, as far as a screen needs it."""
        return host_of(self)

    def typed(self) -> Typed:
        """Everything typed so far (the form reads its fields)."""
        raise NotImplementedError

    def request(self, session: Any, typed: Typed) -> BookingRequest:
        """The booking the form describes, with names resolved; raises BadInputError."""
        assert self.centre_id is not None
        return booking_request(
            session,
            typed,
            centre_id=self.centre_id,
            today=self.coptui.today(),
            new=self.event_id is None,
            allow_non_working_day=self.allow_non_working_day,
        )

    def action_save(self) -> None:
        note = self.query_one("#note", Static)
        note.update(_("Saving…"))
        note.remove_class("problem")
        self._refused = None
        self._saving = self.typed()
        self._save(self._saving)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save", name="save")
    def _save(self, typed: Typed) -> None:
        from coptui.services.seats import fit_request, put_on_waiting_lists
        from coptui.services.transaction import transact

        engine = self.coptui.wait_engine()

        def work(session: Any) -> tuple[int, str]:
            request, extra = fit_request(
                session,
                request=self.request(session, typed),
                event_id=self.event_id,
                waitlist=self.waitlist_extra,
            )
            saved, message = save_event(
                session,
                request,
                event_id=self.event_id,
                version=self.version,
                open_before=open_places((self.base or {}).get("open_slots", "")),
                scope=self.scope,
                repeat=typed.values["repeat"].strip(),
                allow_non_working_day=self.allow_non_working_day,
                skip_blocked=self.skip_blocked,
            )
            if extra:
                put_on_waiting_lists(session, event_ids=saved, case_ids=extra)
            return saved[0], message

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
        if isinstance(error, StaleEditError):
            # It holds until the event is reloaded, whatever is typed meanwhile.
            self.offer_reload(error)
            return
        check.add_class("problem")
        # Every other refusal is about the fields as saved.
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
        check.update(error.message if isinstance(error, CoptError) else str(error))

    # -- the reload after a stale save (see FormFlow) ---------------------------------------

    def form_values(self) -> dict[str, str]:
        return self.typed().fields()

    def base_values(self) -> dict[str, str] | None:
        return self.base

    def form_engine(self) -> Engine:
        return self.coptui.wait_engine()

    def read_current(self, session: Any) -> tuple[int, dict[str, str]]:
        assert self.event_id is not None and self.centre_id is not None
        return event_values(session, self.event_id, self.centre_id)

    def rebase(self, current: tuple[int, dict[str, str]]) -> dict[str, str]:
        self.version, theirs = current
        self.base = {**(self.base or {}), **theirs}
        return theirs

    def changes_named(self, base: dict[str, str], theirs: dict[str, str]) -> list[str]:
        return [
            f"{label_of(key)} {shown(key, base.get(key, ''))} → {shown(key, value)}"
            for key, value in theirs.items()
            if value != base.get(key, "")
        ]
