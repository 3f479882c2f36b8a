"""Editing, moving and cancelling events (one, or part of a series), through booking checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.enums import EventKind
from coptui.domain.text import check_line, clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import (
    BadInputError,
    CapacityError,
    RefusedError,
)
from coptui.i18n import _
from coptui.services.booking import BookedEvent, BookingRequest, lock_resources, validate_request
from coptui.services.booking_checks import check_room_headcount, refuse_non_working_day
from coptui.services.calendar import calendar_for
from coptui.services.caseterms import check_case_terms
from coptui.services.clashes import span, translate_integrity
from coptui.services.event_reads import load_event, refuse_busy_time
from coptui.services.stale import stale_error

T = TypeVar("T")


def _update_event(
    session: Session, event_id: int, version: int, assignments: str, params: dict[str, Any]
) -> BookedEvent:
    statement = text(
        f"UPDATE event SET {assignments}, version = version + 1, updated_at = now()"
        " WHERE id = :id AND version = :version"
        " RETURNING id, version, status, lower(during) AS s, upper(during) AS u"
    )
    if "during" in params:
        statement = statement.bindparams(bindparam("during", type_=TSTZRANGE))
    row = session.execute(statement, {"id": event_id, "version": version, **params}).one_or_none()
    if row is None:
        load_event(session, event_id)  # raises NotFoundError when it is gone
        raise stale_error(session, "event", event_id)
    return BookedEvent(id=row.id, version=row.version, start=row.s, end=row.u, status=row.status)


@dataclass(frozen=True)
class EventChanges:
    """What an edit changes; ``None`` (and ``set_room`` false) leaves a field as it is."""

    title: str | None = None
    kind: EventKind | None = None
    notes: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    set_room: bool = False
    room_id: int | None = None
    staff_ids: tuple[int, ...] | None = None
    case_ids: tuple[int, ...] | None = None
    volunteer_ids: tuple[int, ...] | None = None
    set_programme: bool = False  # with ``programme_id``: link to it (``None``: unlink)
    programme_id: int | None = None


def merged(current: Any, changes: EventChanges, allow_non_working_day: bool) -> BookingRequest:
    def pick(new: T | None, old: T) -> T:
        return old if new is None else new

    return BookingRequest(
        centre_id=current.centre_id,
        title=pick(changes.title, current.title),
        start=pick(changes.start, current.s),
        end=pick(changes.end, current.u),
        kind=pick(changes.kind, EventKind(current.kind)),
        room_id=changes.room_id if changes.set_room else current.room_id,
        staff_ids=pick(changes.staff_ids, tuple(current.staff)),
        case_ids=pick(changes.case_ids, tuple(current.cases)),
        volunteer_ids=pick(changes.volunteer_ids, tuple(current.volunteers)),
        open_slots=current.open_slots,
        programme_id=changes.programme_id if changes.set_programme else current.programme_id,
        notes=pick(changes.notes, current.notes),
        allow_non_working_day=allow_non_working_day,
    )


def _check_working_day(session: Session, request: BookingRequest) -> None:
    if request.allow_non_working_day:
        return
    day = request.start.astimezone(SOFIA).date()
    refuse_non_working_day(calendar_for(session, request.centre_id), day)


def edit_event(
    session: Session,
    *,
    event_id: int,
    version: int,
    changes: EventChanges,
    allow_non_working_day: bool = False,
) -> BookedEvent:
    """Change an event's time, room, people, title or notes through the booking checks.

    Everything is checked as for a new booking (clashes, holidays, the room's headcount, the
    programme's seats); on any refusal nothing changes.

    Raises:
        StaleEditError: someone saved the event after ``version`` was read.
        SlotTakenError: the new time, room or people clash; the message names the holder.
        HolidayError: the new day is not a working day and was not confirmed.
        CapacityError: the room or the programme session would be over its limit.
    """
    current = load_event(session, event_id)
    if current.status == "cancelled":
        raise BadInputError(_("A cancelled event cannot be changed."))
    request = merged(current, changes, allow_non_working_day)
    if _unchanged(current, request):
        # Saving a form nobody changed writes nothing: no new version (a colleague editing
        # the same event is not told it changed), no audit row.
        return BookedEvent(
            id=current.id,
            version=current.version,
            start=current.s,
            end=current.u,
            status=current.status,
        )
    request = validate_request(request)
    if request.case_ids and (changes.case_ids, changes.start, changes.end) != (None, None, None):
        check_case_terms(session, case_ids=request.case_ids, start=request.start, end=request.end)
    if request.start.astimezone(SOFIA).date() != current.s.astimezone(SOFIA).date():
        _check_working_day(session, request)
    check_room_headcount(session, request)
    savepoint = session.begin_nested()
    try:
        lock_resources(session, request)
        booked = _update_event(
            session,
            event_id,
            version,
            "title = :title, kind = :kind, notes = :notes, room_id = :room, during = :during,"
            " programme_id = :programme",
            {
                "title": request.title.strip(),
                "kind": request.kind.value,
                "notes": request.notes,
                "room": request.room_id,
                "during": span(request.start, request.end),
                "programme": request.programme_id,
            },
        )
        _replace_people(session, current, request, booked)
        _check_seats(session, event_id, request.programme_id, len(request.case_ids))
    except IntegrityError as exc:
        savepoint.rollback()
        raise translate_integrity(session, exc, request, exclude=[event_id]) from exc
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return booked


def _unchanged(current: Any, request: BookingRequest) -> bool:
    """True when saving ``request`` over the ``current`` row would change nothing."""
    return (
        request.title.strip() == current.title
        and request.kind.value == current.kind
        and (request.notes or "") == (current.notes or "")
        and request.room_id == current.room_id
        and request.programme_id == current.programme_id
        and request.start.astimezone(UTC) == current.s.astimezone(UTC)
        and request.end.astimezone(UTC) == current.u.astimezone(UTC)
        and tuple(request.staff_ids) == tuple(current.staff)  # the first one leads
        and set(request.case_ids) == set(current.cases)
        and set(request.volunteer_ids) == set(current.volunteers)
    )


# How each kind of person is linked to an event: table, id column, extra columns on insert.
_LINKS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("event_staff", "staff_id", {"is_lead": "false"}),
    ("event_case", "case_id", {}),
    ("roster_slot", "volunteer_id", {"status": "'assigned'"}),
)


def _replace_people(
    session: Session, current: Any, request: BookingRequest, booked: BookedEvent
) -> None:
    """Bring the event's staff, cases and volunteers to those of ``request``."""
    link = {
        "e": current.id,
        "c": current.centre_id,
        "d": span(booked.start, booked.end),
        "st": booked.status,
    }
    range_param = bindparam("d", type_=TSTZRANGE)
    wanted_lists = (request.staff_ids, request.case_ids, request.volunteer_ids)
    current_lists = (current.staff, current.cases, current.volunteers)
    for (table, column, extra), wanted, now in zip(
        _LINKS, wanted_lists, current_lists, strict=True
    ):
        gone = set(now) - set(wanted)
        new = [p for p in wanted if p not in set(now)]
        if gone:
            session.execute(
                text(f"DELETE FROM {table} WHERE event_id = :e AND {column} = ANY(:ids)"),
                {"e": current.id, "ids": list(gone)},
            )
        if new:
            names = "".join(f", {name}" for name in extra)
            values = "".join(f", {value}" for value in extra.values())
            session.execute(
                text(
                    f"INSERT INTO {table} (event_id, centre_id, during, event_status, {column}"
                    f"{names}) VALUES (:e, :c, :d, :st, :p{values})"
                ).bindparams(range_param),
                [{**link, "p": person} for person in new],
            )
        if table == "event_staff" and wanted and (gone or new):
            session.execute(
                text("UPDATE event_staff SET is_lead = (staff_id = :lead) WHERE event_id = :e"),
                {"e": current.id, "lead": wanted[0]},
            )


def _check_seats(session: Session, event_id: int, programme_id: int | None, cases: int) -> None:
    if programme_id is None:
        return
    programme = session.execute(
        text("SELECT title, capacity FROM programme WHERE id = :p"), {"p": programme_id}
    ).one()
    if programme.capacity is not None and cases > programme.capacity:
        raise CapacityError(
            _("„{title}“ has {capacity} places and all are taken.").format(
                title=clean(programme.title), capacity=programme.capacity
            ),
            title=_("Session full"),
        )


def move_event(
    session: Session,
    *,
    event_id: int,
    version: int,
    start: datetime,
    end: datetime,
    allow_non_working_day: bool = False,
) -> BookedEvent:
    """Move or resize an event (with its people) to ``[start, end)``.

    Raises:
        StaleEditError: someone saved the event after ``version`` was read.
        SlotTakenError: the new time clashes; the message names the holder.
        HolidayError: the new day is not a working day and was not confirmed.
    """
    return edit_event(
        session,
        event_id=event_id,
        version=version,
        changes=EventChanges(start=start, end=end),
        allow_non_working_day=allow_non_working_day,
    )


def scope_ids(session: Session, current: Any, scope: str, *, lock: bool = True) -> list[int]:
    if scope not in ("this", "following", "all"):
        raise BadInputError(_("The scope is this, following or all."))
    if scope == "this" or current.series_id is None:
        return [current.id]
    condition = "" if scope == "all" else " AND lower(during) >= :start"
    return list(
        session.execute(
            text(
                "SELECT id FROM event WHERE series_id = :series AND status <> 'cancelled'"
                + condition
                + " ORDER BY lower(during)"
                + (" FOR UPDATE" if lock else "")
            ),
            {"series": current.series_id, "start": current.s},
        ).scalars()
    )


def _cancel_reason(reason: str) -> str:
    """The reason as stored: one line, no control character, not blank."""
    checked = check_line(reason, _("the reason"))
    if not checked:
        raise BadInputError(_("Say why the event is cancelled."))
    return checked


def cancel_event(session: Session, *, event_id: int, version: int, reason: str) -> BookedEvent:
    """Cancel an event with a reason; its room and people are free again at once.

    Raises:
        BadInputError: no reason, or one with a control character or too long.
        RefusedError: the event is already cancelled (its reason stays as it is).
        StaleEditError: someone saved the event after ``version`` was read.
    """
    reason = _cancel_reason(reason)
    _refuse_cancelled(load_event(session, event_id))
    return _update_event(
        session,
        event_id,
        version,
        "status = 'cancelled', cancel_reason = :reason",
        {"reason": reason},
    )


def _refuse_cancelled(current: Any) -> None:
    if current.status == "cancelled":
        raise RefusedError(
            _("Event {id} is already cancelled; nothing changed.").format(id=current.id),
            title=_("Already cancelled"),
        )


def mark_held(session: Session, *, event_id: int, version: int) -> BookedEvent:
    """Mark a planned event as held.

    Raises:
        StaleEditError: someone saved the event after ``version`` was read.
        RefusedError: the event is busy time, which is never held.
    """
    current = load_event(session, event_id)
    if current.status == "cancelled":
        raise BadInputError(_("A cancelled event cannot be marked as held."))
    refuse_busy_time(current)
    return _update_event(session, event_id, version, "status = 'held'", {})


def cancel_series(
    session: Session, *, event_id: int, reason: str, scope: str = "this"
) -> list[int]:
    """Cancel an occurrence, it and the following ones, or the whole series.

    Args:
        scope: ``this``, ``following`` or ``all``.

    Returns:
        The ids of the events cancelled.

    Raises:
        BadInputError: no reason, or one with a control character or too long.
        RefusedError: the occurrence chosen is already cancelled.
    """
    reason = _cancel_reason(reason)
    current = load_event(session, event_id)
    _refuse_cancelled(current)
    ids = scope_ids(session, current, scope)
    session.execute(
        text(
            "UPDATE event SET status = 'cancelled', cancel_reason = :reason,"
            " version = version + 1, updated_at = now() WHERE id = ANY(:ids)"
            " AND status <> 'cancelled'"
        ),
        {"reason": reason, "ids": ids},
    )
    return ids
