"""Booking, moving, cancelling and holding events: every write goes through the same checks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.enums import EventKind
from coptui.domain.recurrence import Recurrence, expand
from coptui.domain.timeutil import SOFIA
from coptui.domain.workdays import WorkCalendar
from coptui.errors import (
    BadInputError,
    CapacityError,
    HolidayError,
    NotFoundError,
    SlotTakenError,
    StaleEditError,
)
from coptui.i18n import _
from coptui.services.calendar import calendar_for

T = TypeVar("T")
RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock
MAX_ATTEMPTS = 4  # the first try and three retries


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
class Clash:
    """Somebody or something already booked for part of the time."""

    kind: str  # room / staff / case / volunteer
    resource: str
    event_id: int
    title: str
    start: datetime
    end: datetime
    people: tuple[str, ...] = ()

    def describe(self) -> str:
        """The clash in words a person understands."""
        when = f"{_fmt_time(self.start)}–{_fmt_time(self.end)}"
        day = self.start.astimezone(SOFIA).strftime("%d.%m.%Y")
        holder = f"„{self.title}“"
        others = [p for p in self.people if p != self.resource]  # not "Анна has … (Анна)"
        if others:
            holder += f" ({', '.join(others)})"
        templates = {
            "room": _("{resource} is taken on {day} {when} by {holder}"),
            "staff": _("{resource} already has {holder} on {day} {when}"),
            "case": _("Case {resource} is already in {holder} on {day} {when}"),
            "volunteer": _("Volunteer {resource} is already in {holder} on {day} {when}"),
        }
        return templates[self.kind].format(
            resource=self.resource, day=day, when=when, holder=holder
        )


@dataclass(frozen=True)
class BookedEvent:
    """An event as it was written."""

    id: int
    version: int
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class Occurrence:
    """One occurrence in a series preview."""

    start: datetime
    end: datetime
    clashes: tuple[Clash, ...] = ()
    holiday: str | None = None


@dataclass(frozen=True)
class SeriesResult:
    """What ``book_series`` wrote and what it left out."""

    series_id: int | None
    booked: tuple[BookedEvent, ...] = ()
    skipped_clashes: tuple[Occurrence, ...] = ()
    skipped_holidays: tuple[Occurrence, ...] = ()
    preview: tuple[Occurrence, ...] = field(default=(), repr=False)


def _fmt_time(moment: datetime) -> str:
    return moment.astimezone(SOFIA).strftime("%H:%M")


def sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return orig.sqlstate if isinstance(orig, psycopg.Error) else None


def _span(start: datetime, end: datetime) -> Range[datetime]:
    return Range(start, end, bounds="[)")


def transact(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction; retry serialization failures, deadlocks and a
    connection the server dropped before the work was done.

    Clashes and every other refusal are never retried: they are answers, not accidents.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        committing = False
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.begin()
                result = work(session)
                committing = True
                session.commit()
                return result
        except DBAPIError as exc:
            # A connection the server dropped is retried on a new one, unless it was lost
            # during COMMIT: then nobody knows whether the work was written.
            lost = exc.connection_invalidated and not committing
            if (sqlstate(exc) not in RETRYABLE and not lost) or attempt == MAX_ATTEMPTS:
                raise
            # Jitter, so that the transactions that deadlocked do not meet again at once.
            time.sleep(random.uniform(0, 0.05 * attempt))
    raise AssertionError("unreachable")


# coptui_clashes() (migration 0004) keeps its plan across transactions; see there why.
_CLASH_SQL = text(
    "SELECT * FROM coptui_clashes(:during, :room_id, CAST(:staff AS int[]),"
    " CAST(:cases AS int[]), CAST(:volunteers AS int[]), CAST(:exclude AS int[]))"
).bindparams(bindparam("during", type_=TSTZRANGE))


def find_clashes(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    room_id: int | None = None,
    staff_ids: Sequence[int] = (),
    case_ids: Sequence[int] = (),
    volunteer_ids: Sequence[int] = (),
    exclude_event_ids: Sequence[int] = (),
) -> list[Clash]:
    """Everything that already holds one of these resources for part of ``[start, end)``."""
    rows = session.execute(
        _CLASH_SQL,
        {
            "room_id": room_id,
            "staff": list(staff_ids),
            "cases": list(case_ids),
            "volunteers": list(volunteer_ids),
            "exclude": list(exclude_event_ids),
            "during": _span(start, end),
        },
    ).all()
    return [
        Clash(
            kind=r.kind,
            resource=r.resource,
            event_id=r.event_id,
            title=r.title,
            start=r.starts,
            end=r.ends,
            people=tuple(r.people),
        )
        for r in rows
    ]


def clashes_of(
    session: Session, request: BookingRequest, exclude: Sequence[int] = ()
) -> list[Clash]:
    return find_clashes(
        session,
        start=request.start,
        end=request.end,
        room_id=request.room_id,
        staff_ids=request.staff_ids,
        case_ids=request.case_ids,
        volunteer_ids=request.volunteer_ids,
        exclude_event_ids=exclude,
    )


def slot_taken_error(clashes: list[Clash]) -> SlotTakenError:
    if not clashes:
        # The database refused, but the holder was gone by the time we looked.
        return SlotTakenError(_("The time was just taken by someone else; try another time."))
    message = "; ".join(c.describe() for c in clashes[:3])
    if len(clashes) > 3:
        message += " " + _("(and {n} more)").format(n=len(clashes) - 3)
    return SlotTakenError(message, title=_("Slot taken"))


def _validate(request: BookingRequest) -> None:
    if not request.title.strip():
        raise BadInputError(_("The event needs a title."))
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


def _lock_resources(session: Session, request: BookingRequest) -> None:
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
# migration 0004). It answers with an outcome; the words for a refusal are made here.
_BOOK_SQL = text(
    "SELECT * FROM coptui_book(:centre, :kind, :title, :during, :room, :programme, :series,"
    " :notes, CAST(:staff AS int[]), CAST(:cases AS int[]), CAST(:volunteers AS int[]),"
    " :day, :check_day, :working, :people)"
).bindparams(bindparam("during", type_=TSTZRANGE))


def _insert_event(
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
        "during": _span(request.start, request.end),
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
        "people": _headcount(request),
    }
    row = session.connection().execute(_BOOK_SQL, params).one()
    if row.outcome == "day":
        overrides = {day: (row.override_kind, row.override_note)} if row.override_kind else {}
        _refuse_non_working_day(WorkCalendar(overrides=overrides), day)
        # A local override makes it a working day after all.
        row = session.execute(_BOOK_SQL, {**params, "check_day": False}).one()
    if row.outcome == "room":
        _refuse_over_headcount(request, row.room_name, row.max_people)
    if row.outcome == "taken":
        return [_clash(found) for found in row.clashes]
    return BookedEvent(
        id=row.event_id,
        version=row.event_version,
        start=request.start,
        end=request.end,
        status=row.event_status,
    )


def _clash(found: dict[str, Any]) -> Clash:
    """A row of coptui_clashes() as JSON."""
    return Clash(
        kind=found["kind"],
        resource=found["resource"],
        event_id=found["event_id"],
        title=found["title"],
        start=datetime.fromisoformat(found["starts"]),
        end=datetime.fromisoformat(found["ends"]),
        people=tuple(found["people"]),
    )


def _translate_integrity(
    session: Session, exc: IntegrityError, request: BookingRequest, exclude: Sequence[int] = ()
) -> Exception:
    state = sqlstate(exc)
    if state == "23P01":
        return slot_taken_error(clashes_of(session, request, exclude))
    if state == "23503":
        return NotFoundError(_("A room, person, case or programme of this event does not exist."))
    return BadInputError(
        _("The event was refused by the database: {reason}").format(
            reason=str(exc.orig).splitlines()[0]
        )
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
    _validate(request)
    try:
        booked = _insert_event(
            session, request, series_id=None, check_day=not request.allow_non_working_day
        )
    except IntegrityError as exc:
        raise _translate_integrity(session, exc, request) from exc
    if isinstance(booked, list):
        raise slot_taken_error(booked)
    return booked


def _refuse_non_working_day(calendar: WorkCalendar, day: Any) -> None:
    if not calendar.is_working_day(day):
        name = calendar.holiday_name(day)
        raise HolidayError(
            _("{day} is not a working day{name}; confirm to book it anyway.").format(
                day=f"{day:%d.%m.%Y}", name=f" ({name})" if name else ""
            ),
            title=_("Non-working day"),
        )


def _headcount(request: BookingRequest) -> int:
    return (
        len(request.staff_ids)
        + len(request.case_ids)
        + len(request.volunteer_ids)
        + request.open_slots
    )


def _refuse_over_headcount(
    request: BookingRequest, room_name: str | None, max_people: int | None
) -> None:
    """The room holds everyone: children, staff, volunteers and open volunteer places."""
    if room_name is None:
        raise NotFoundError(_("No such room."))
    people = _headcount(request)
    if max_people is not None and people > max_people:
        raise CapacityError(
            _("{room} holds at most {limit} people; this event has {people}.").format(
                room=room_name, limit=max_people, people=people
            ),
            title=_("Room full"),
        )


def _check_room_headcount(session: Session, request: BookingRequest) -> None:
    if request.room_id is None:
        return
    room = session.execute(
        text("SELECT name, max_people FROM room WHERE id = :r AND centre_id = :c"),
        {"r": request.room_id, "c": request.centre_id},
    ).one_or_none()
    name, max_people = room if room is not None else (None, None)
    _refuse_over_headcount(request, name, max_people)


def load_event(session: Session, event_id: int, *, lock: bool = False) -> Any:
    if lock:
        # Lock first, read after, in two statements: under READ COMMITTED a statement that
        # waited for the lock would still read the link rows as they were before it waited.
        session.execute(text("SELECT 1 FROM event WHERE id = :id FOR UPDATE"), {"id": event_id})
    row = session.execute(
        text(
            "SELECT e.id, e.centre_id, e.version, e.status, lower(e.during) AS s,"
            " upper(e.during) AS u, e.room_id, e.title, e.kind, e.notes, e.series_id,"
            " e.programme_id,"
            " ARRAY(SELECT staff_id FROM event_staff WHERE event_id = e.id"
            "       ORDER BY is_lead DESC, staff_id) AS staff,"
            " ARRAY(SELECT case_id FROM event_case WHERE event_id = e.id"
            "       ORDER BY case_id) AS cases,"
            " ARRAY(SELECT volunteer_id FROM roster_slot WHERE event_id = e.id"
            "       AND volunteer_id IS NOT NULL AND status <> 'declined'"
            "       ORDER BY id) AS volunteers,"
            " (SELECT count(*) FROM roster_slot WHERE event_id = e.id"
            "       AND volunteer_id IS NULL AND status = 'open') AS open_slots"
            " FROM event e WHERE e.id = :id"
        ),
        {"id": event_id},
    ).one_or_none()
    if row is None:
        raise NotFoundError(_("Event {id} does not exist.").format(id=event_id))
    return row


def _stale(session: Session, table: str, row_id: int) -> StaleEditError:
    last = session.execute(
        text(
            "SELECT a.login, a.at, st.full_name FROM audit_log a"
            " LEFT JOIN staff st ON st.login = a.login"
            " WHERE a.table_name = :t AND a.row_id = :id ORDER BY a.id DESC LIMIT 1"
        ),
        {"t": table, "id": str(row_id)},
    ).one_or_none()
    if last is None:
        return StaleEditError(_("Someone else changed this record; reload it and try again."))
    who = last.full_name or last.login
    when = last.at.astimezone(SOFIA).strftime("%d.%m.%Y %H:%M")
    return StaleEditError(
        _("{who} changed this record at {when}; reload it and try again.").format(
            who=who, when=when
        ),
        title=_("Changed by someone else"),
    )


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
        raise _stale(session, "event", event_id)
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


def _merged(current: Any, changes: EventChanges, allow_non_working_day: bool) -> BookingRequest:
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
        programme_id=current.programme_id,
        notes=pick(changes.notes, current.notes),
        allow_non_working_day=allow_non_working_day,
    )


def _check_working_day(session: Session, request: BookingRequest) -> None:
    if request.allow_non_working_day:
        return
    day = request.start.astimezone(SOFIA).date()
    _refuse_non_working_day(calendar_for(session, request.centre_id), day)


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
    request = _merged(current, changes, allow_non_working_day)
    _validate(request)
    if request.start.astimezone(SOFIA).date() != current.s.astimezone(SOFIA).date():
        _check_working_day(session, request)
    _check_room_headcount(session, request)
    savepoint = session.begin_nested()
    try:
        _lock_resources(session, request)
        booked = _update_event(
            session,
            event_id,
            version,
            "title = :title, kind = :kind, notes = :notes, room_id = :room, during = :during",
            {
                "title": request.title.strip(),
                "kind": request.kind.value,
                "notes": request.notes,
                "room": request.room_id,
                "during": _span(request.start, request.end),
            },
        )
        _replace_people(session, current, request, booked)
        _check_seats(session, event_id, request.programme_id, len(request.case_ids))
    except IntegrityError as exc:
        savepoint.rollback()
        raise _translate_integrity(session, exc, request, exclude=[event_id]) from exc
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return booked


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
        "d": _span(booked.start, booked.end),
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
                title=programme.title, capacity=programme.capacity
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


def _scope_ids(session: Session, current: Any, scope: str) -> list[int]:
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
                + " ORDER BY lower(during) FOR UPDATE"
            ),
            {"series": current.series_id, "start": current.s},
        ).scalars()
    )


def edit_series(
    session: Session,
    *,
    event_id: int,
    version: int,
    changes: EventChanges,
    scope: str = "this",
    allow_non_working_day: bool = False,
) -> list[BookedEvent]:
    """Edit an occurrence, it and the following ones, or the whole series, all or nothing.

    A new time is applied to every occurrence as the same shift on the wall clock: moving
    Tuesday 10:00 to Thursday 11:00 moves each occurrence two days on, to 11:00. Other
    occurrences keep their own dates. ``version`` is the one of the occurrence the user
    opened; the others are locked and edited as they are now.
    """
    current = load_event(session, event_id)
    if current.version != version:
        raise _stale(session, "event", event_id)
    ids = _scope_ids(session, current, scope)
    first_local = current.s.astimezone(SOFIA)
    new_start = (changes.start or current.s).astimezone(SOFIA)
    new_end = (changes.end or current.u).astimezone(SOFIA)
    day_shift = new_start.date() - first_local.date()
    length = new_end - new_start
    results = []
    for one in ids:
        row = load_event(session, one, lock=True)
        own = changes
        if changes.start is not None or changes.end is not None:
            local_day = row.s.astimezone(SOFIA).date() + day_shift
            start = datetime.combine(local_day, new_start.time(), tzinfo=SOFIA)
            own = replace(changes, start=start, end=start + length)
        results.append(
            edit_event(
                session,
                event_id=one,
                version=row.version,
                changes=own,
                allow_non_working_day=allow_non_working_day,
            )
        )
    return results


def cancel_event(session: Session, *, event_id: int, version: int, reason: str) -> BookedEvent:
    """Cancel an event with a reason; its room and people are free again at once.

    Raises:
        BadInputError: no reason was given.
        StaleEditError: someone saved the event after ``version`` was read.
    """
    if not reason.strip():
        raise BadInputError(_("Say why the event is cancelled."))
    return _update_event(
        session,
        event_id,
        version,
        "status = 'cancelled', cancel_reason = :reason",
        {"reason": reason.strip()},
    )


def mark_held(session: Session, *, event_id: int, version: int) -> BookedEvent:
    """Mark a planned event as held.

    Raises:
        StaleEditError: someone saved the event after ``version`` was read.
    """
    current = load_event(session, event_id)
    if current.status == "cancelled":
        raise BadInputError(_("A cancelled event cannot be marked as held."))
    return _update_event(session, event_id, version, "status = 'held'", {})


def preview_series(
    session: Session, *, request: BookingRequest, rule: Recurrence, zone: ZoneInfo = SOFIA
) -> list[Occurrence]:
    """Every occurrence of a series with its clashes and holidays, before anything is written."""
    _validate(request)
    first_local = request.start.astimezone(zone)
    duration = request.end - request.start
    calendar = calendar_for(session, request.centre_id)
    result = []
    for start in expand(rule.rrule(first_local), first_local, zone):
        end = start + duration
        day = start.date()
        holiday = None
        if not calendar.is_working_day(day):
            holiday = calendar.holiday_name(day) or _("non-working day")
        clashes = clashes_of(session, replace(request, start=start, end=end))
        result.append(Occurrence(start=start, end=end, clashes=tuple(clashes), holiday=holiday))
    return result


def book_series(
    session: Session,
    *,
    request: BookingRequest,
    rule: Recurrence,
    zone: ZoneInfo = SOFIA,
    include_holidays: bool = False,
) -> SeriesResult:
    """Book a recurring series: the rule is stored and every occurrence is its own event.

    Occurrences that clash are skipped (and reported); so are non-working days unless
    ``include_holidays``. The caller aborts by rolling back when the result is not wanted.
    """
    preview = preview_series(session, request=request, rule=rule, zone=zone)
    first_local = request.start.astimezone(zone)
    series_id = session.execute(
        text(
            "INSERT INTO series (centre_id, rrule, timezone, local_start, duration_minutes)"
            " VALUES (:c, :rule, :tz, :start, :minutes) RETURNING id"
        ),
        {
            "c": request.centre_id,
            "rule": rule.rrule(first_local),
            "tz": zone.key,
            "start": first_local.replace(tzinfo=None),
            "minutes": int((request.end - request.start).total_seconds() // 60),
        },
    ).scalar_one()
    _check_room_headcount(session, request)
    booked: list[BookedEvent] = []
    skipped_clashes: list[Occurrence] = []
    skipped_holidays: list[Occurrence] = []
    for occurrence in preview:
        if occurrence.holiday and not include_holidays:
            skipped_holidays.append(occurrence)
            continue
        one = replace(request, start=occurrence.start, end=occurrence.end)
        try:
            booked_one = _insert_event(session, one, series_id=series_id, check_day=False)
        except IntegrityError as exc:
            raise _translate_integrity(session, exc, one) from exc
        if isinstance(booked_one, list):
            skipped_clashes.append(replace(occurrence, clashes=tuple(booked_one)))
        else:
            booked.append(booked_one)
    return SeriesResult(
        series_id=series_id,
        booked=tuple(booked),
        skipped_clashes=tuple(skipped_clashes),
        skipped_holidays=tuple(skipped_holidays),
        preview=tuple(preview),
    )


def cancel_series(
    session: Session, *, event_id: int, reason: str, scope: str = "this"
) -> list[int]:
    """Cancel an occurrence, it and the following ones, or the whole series.

    Args:
        scope: ``this``, ``following`` or ``all``.

    Returns:
        The ids of the events cancelled.
    """
    if not reason.strip():
        raise BadInputError(_("Say why the event is cancelled."))
    ids = _scope_ids(session, load_event(session, event_id), scope)
    session.execute(
        text(
            "UPDATE event SET status = 'cancelled', cancel_reason = :reason,"
            " version = version + 1, updated_at = now() WHERE id = ANY(:ids)"
            " AND status <> 'cancelled'"
        ),
        {"reason": reason.strip(), "ids": ids},
    )
    return ids
