"""Booking an event: every write goes through the same checks (clashes, day, room, seats)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.enums import EventKind
from coptui.domain.text import check_line, check_notes, clean
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
from coptui.i18n import _, ngettext
from coptui.services.caseterms import check_case_terms
from coptui.services.driver import fetch_one
from coptui.services.transaction import sqlstate

T = TypeVar("T")


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
    """Somebody or something already booked for part of the time.

    Its words (the resource, the title, the people) are stored text, cleaned when the clash
    is made: it is shown in forms and in refusals on stderr (``coptui.domain.text``).
    """

    kind: str  # room / staff / case / volunteer
    resource: str
    event_id: int
    title: str
    start: datetime
    end: datetime
    people: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "resource", clean(self.resource))
        object.__setattr__(self, "title", clean(self.title))
        object.__setattr__(self, "people", tuple(clean(p) for p in self.people))

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


def _fmt_time(moment: datetime) -> str:
    return moment.astimezone(SOFIA).strftime("%H:%M")


def span(start: datetime, end: datetime) -> Range[datetime]:
    return Range(start, end, bounds="[)")


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
            "during": span(start, end),
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


def validate_request(request: BookingRequest) -> BookingRequest:
    """Refuse a request that cannot be booked as given; the request with its text checked.

    Returns:
        ``request`` with its title and notes as they are stored (stripped, line ends and
        tabs of the notes normalised); book that one.

    Raises:
        BadInputError: no title, a control character or a line break in the title, a
            control character in the notes, text too long, times out of order, nobody.
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
        "people": _headcount(request),
    }
    row = _Booked(*fetch_one(session, _BOOK_SQL, params))
    if row.outcome == "day":
        overrides = {day: (row.override_kind, row.override_note or "")} if row.override_kind else {}
        refuse_non_working_day(WorkCalendar(overrides=overrides), day)
        # A local override makes it a working day after all.
        row = _Booked(*fetch_one(session, _BOOK_SQL, {**params, "check_day": False}))
    if row.outcome == "room":
        _refuse_over_headcount(request, row.room_name, row.max_people)
    if row.outcome == "taken":
        # Each kind's holders come in time order (migration 0012); merged here, stably.
        found = [_clash(one) for one in row.clashes or ()]
        return sorted(found, key=lambda c: (c.start, c.event_id))
    assert row.event_id is not None and row.event_version is not None
    return BookedEvent(
        id=row.event_id,
        version=row.event_version,
        start=request.start,
        end=request.end,
        status=str(row.event_status),
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


def translate_integrity(
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


def refuse_non_working_day(calendar: WorkCalendar, day: Any) -> None:
    if not calendar.is_working_day(day):
        name = clean(calendar.holiday_name(day) or "")
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
                room=clean(room_name), limit=max_people, people=people
            ),
            title=_("Room full"),
        )


def check_programme_seats(session: Session, request: BookingRequest) -> None:
    """A session of a programme holds at most its seats (a new event: nobody else can join it
    before it is written, so no lock is needed).

    Raises:
        CapacityError: more children than the programme has seats.
    """
    if request.programme_id is None or not request.case_ids:
        return
    programme = session.execute(
        text("SELECT title, capacity FROM programme WHERE id = :p AND centre_id = :c"),
        {"p": request.programme_id, "c": request.centre_id},
    ).one_or_none()
    if programme is None:
        raise NotFoundError(_("No such programme."))
    if programme.capacity is not None and len(request.case_ids) > programme.capacity:
        raise CapacityError(
            ngettext(
                "„{title}“ has {seats} place; this session has {n} children.",
                "„{title}“ has {seats} places; this session has {n} children.",
                programme.capacity,
            ).format(
                title=clean(programme.title), seats=programme.capacity, n=len(request.case_ids)
            ),
            title=_("Session full"),
        )


def check_room_headcount(session: Session, request: BookingRequest) -> None:
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


def stale_error(session: Session, table: str, row_id: int) -> StaleEditError:
    last = session.execute(
        text(
            # coptui_person_name: a specialist or a volunteer may not read others' logins.
            "SELECT a.login, a.at, coptui_person_name(a.login) AS full_name FROM audit_log a"
            " WHERE a.table_name = :t AND a.row_id = :id ORDER BY a.id DESC LIMIT 1"
        ),
        {"t": table, "id": str(row_id)},
    ).one_or_none()
    if last is None:
        return StaleEditError(_("Someone else changed this record; reload it and try again."))
    who = clean(last.full_name or last.login)
    when = last.at.astimezone(SOFIA).strftime("%d.%m.%Y %H:%M")
    return StaleEditError(
        _("{who} changed this record at {when}; reload it and try again.").format(
            who=who, when=when
        ),
        title=_("Changed by someone else"),
    )
