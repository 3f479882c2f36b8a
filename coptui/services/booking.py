"""Booking an event: the request, its checks in order, and the one call that writes it.

Who holds a slot is in ``clashes``; the day, room and seat checks in ``booking_checks``;
changing a booked event in ``edits`` and a series in ``series``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.enums import EventKind
from coptui.domain.text import check_line, check_notes
from coptui.domain.timeutil import SOFIA
from coptui.domain.workdays import WorkCalendar
from coptui.errors import BadInputError
from coptui.i18n import _
from coptui.services.booking_checks import (
    check_programme_seats,
    headcount,
    refuse_non_working_day,
    refuse_over_headcount,
)
from coptui.services.caseterms import check_case_terms
from coptui.services.clashes import Clash, clash_from_json, slot_taken_error, translate_integrity
from coptui.services.driver import fetch_one


@dataclass(frozen=True)
class BookingRequest:
    """What to book: a time range and at least one of a room, staff, cases, volunteer slots."""

    centre_id: int
    title: str
    start: datetime
    end: datetime
    kind: EventKind = EventKind.INDIVIDUAL
    room_id: int | None = None
    staff_ids: tuple[int, ...] = ()
    case_ids: tuple[int, ...] = ()
    volunteer_ids: tuple[int, ...] = ()
    open_slots: int = 0
    programme_id: int | None = None
    notes: str = ""
    allow_non_working_day: bool = False


@dataclass(frozen=True)
class BookedEvent:
    """An event as it was written."""

    id: int
    version: int
    start: datetime
    end: datetime
    status: str


def validate_request(request: BookingRequest) -> BookingRequest:
    """Refuse a request that cannot be booked as given; the request with its text checked.

    Returns:
        ``request`` with its title and notes as they are stored (stripped, line ends and
        tabs of the notes normalised); book that one.

    Raises:
        BadInputError: no title, a control character or a line break in the title, a
            control character in the notes, text too long, times out of order, nobody,
            busy time (kind ``block``) with cases, volunteers or a programme.
    """
    title = check_line(request.title, _("the title"))
    if not title:
        raise BadInputError(_("The event needs a title."))
    notes = check_notes(request.notes, _("the notes"))
    if request.start.tzinfo is None or request.end.tzinfo is None:
        raise BadInputError(_("Times must carry a time zone."))
    if request.end <= request.start:
        raise BadInputError(_("The end must be after the start."))
    if request.end - request.start > timedelta(days=1):
        raise BadInputError(_("An event cannot last more than a day."))
    if not (
        request.room_id
        or request.staff_ids
        or request.case_ids
        or request.volunteer_ids
        or request.open_slots
    ):
        raise BadInputError(_("Book at least a room, a staff member, a case or a volunteer."))
    for ids in (request.staff_ids, request.case_ids, request.volunteer_ids):
        if len(set(ids)) != len(ids):
            raise BadInputError(_("The same person is listed twice."))
    if request.kind == EventKind.BLOCK and (
        request.case_ids or request.volunteer_ids or request.open_slots or request.programme_id
    ):
        raise BadInputError(
            _(
                "Busy time holds only a room or staff: no cases, volunteers or programme."
                " Choose another kind for the centre's own work."
            )
        )
    if (title, notes) == (request.title, request.notes):
        return request
    return replace(request, title=title, notes=notes)


def lock_resources(session: Session, request: BookingRequest) -> None:
    keys = _lock_keys(request)
    if keys:
        session.execute(
            text("SELECT count(pg_advisory_xact_lock(k, i)) FROM unnest(:ks, :ids) AS t(k, i)"),
            {"ks": [k for k, _i in keys], "ids": [i for _k, i in keys]},
        )


def _lock_keys(request: BookingRequest) -> list[tuple[int, int]]:
    # Writers that want the same room or person queue in one global order. Without it,
    # exclusion checks on two tables (say the room and a child) wait on each other's
    # uncommitted rows in opposite orders and deadlock. The constraints still decide.
    # coptui_book() (migration 0004) takes the same locks in the same order.
    room = [(1, request.room_id)] if request.room_id is not None else []
    return sorted(
        room
        + [(2, s) for s in request.staff_ids]
        + [(3, c) for c in request.case_ids]
        + [(4, v) for v in request.volunteer_ids]
    )


# One round trip books the event with all its people: coptui_book() checks the day, the room
# and visible clashes, takes the advisory locks, and inserts in its own subtransaction (see
# migration 0004). It answers with an outcome; the words for a refusal are made here. It is
# sent to the driver as it is (``coptui.services.driver``): the hottest statement of all.
_BOOK_SQL = (
    "SELECT outcome, event_id, event_version, event_status, override_kind, override_note,"
    " room_name, max_people, clashes FROM coptui_book(%(centre)s, %(kind)s, %(title)s,"
    " tstzrange(%(start)s, %(end)s, '[)'), %(room)s, %(programme)s, %(series)s, %(notes)s,"
    " %(staff)s::int[], %(cases)s::int[], %(volunteers)s::int[], %(day)s, %(check_day)s,"
    " %(working)s, %(people)s)"
)


@dataclass(frozen=True)
class _Booked:
    """A row of coptui_book(), by name."""

    outcome: str
    event_id: int | None
    event_version: int | None
    event_status: str | None
    override_kind: str | None
    override_note: str | None
    room_name: str | None
    max_people: int | None
    clashes: list[dict[str, Any]] | None


def insert_event(
    session: Session, request: BookingRequest, series_id: int | None, *, check_day: bool
) -> BookedEvent | list[Clash]:
    """Book ``request``, or say who holds part of it (the holders, not written).

    Raises:
        HolidayError: ``check_day`` and the day is not a working day.
        CapacityError, NotFoundError: the room is too small, or not in this centre.
    """
    day = request.start.astimezone(SOFIA).date()
    params = {
        "centre": request.centre_id,
        "kind": request.kind.value,
        "title": request.title.strip(),
        "start": request.start,
        "end": request.end,
        "room": request.room_id,
        "programme": request.programme_id,
        "series": series_id,
        "notes": request.notes,
        "staff": list(request.staff_ids),
        "cases": list(request.case_ids),
        "volunteers": list(request.volunteer_ids) + [None] * request.open_slots,
        "day": day,
        "check_day": check_day,
        "working": WorkCalendar().is_working_day(day) if check_day else True,
        "people": headcount(request),
    }
    row = _Booked(*fetch_one(session, _BOOK_SQL, params))
    if row.outcome == "day":
        overrides = {day: (row.override_kind, row.override_note or "")} if row.override_kind else {}
        refuse_non_working_day(WorkCalendar(overrides=overrides), day)
        # A local override makes it a working day after all.
        row = _Booked(*fetch_one(session, _BOOK_SQL, {**params, "check_day": False}))
    if row.outcome == "room":
        refuse_over_headcount(request, row.room_name, row.max_people)
    if row.outcome == "taken":
        # Each kind's holders come in time order (migration 0012); merged here, stably.
        found = [clash_from_json(one) for one in row.clashes or ()]
        return sorted(found, key=lambda c: (c.start, c.event_id))
    assert row.event_id is not None and row.event_version is not None
    return BookedEvent(
        id=row.event_id,
        version=row.event_version,
        start=request.start,
        end=request.end,
        status=str(row.event_status),
    )


def book_event(session: Session, *, request: BookingRequest) -> BookedEvent:
    """Book one event with its room, staff, cases and volunteer slots, all or nothing.

    Args:
        session: the caller's transaction.
        request: what to book.

    Returns:
        The event written.

    Raises:
        BadInputError: the request cannot be booked as given.
        HolidayError: the day is not a working day and ``allow_non_working_day`` is false.
        SlotTakenError: a room or person is taken; the message names the holder.
    """
    request = validate_request(request)
    if request.case_ids:
        check_case_terms(session, case_ids=request.case_ids, start=request.start, end=request.end)
    check_programme_seats(session, request)
    try:
        booked = insert_event(
            session, request, series_id=None, check_day=not request.allow_non_working_day
        )
    except IntegrityError as exc:
        raise translate_integrity(session, exc, request) from exc
    if isinstance(booked, list):
        raise slot_taken_error(booked)
    return booked
