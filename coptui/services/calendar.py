"""Read models of the calendar: events of a week, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import Range
from sqlmodel import Session

from coptui.domain.timeutil import local
from coptui.models import Centre, Event, EventStaff, Room, Staff


@dataclass(frozen=True)
class EventRow:
    """One event as a screen shows it."""

    id: int
    title: str
    kind: str
    start: datetime
    end: datetime
    status: str
    room: str | None
    staff: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class CentreRow:
    """A centre the user can see."""

    id: int
    name: str
    town: str


def centres(session: Session) -> list[CentreRow]:
    """Every centre in the database, by name."""
    rows = session.execute(select(Centre.id, Centre.name, Centre.town).order_by(Centre.name))
    return [CentreRow(id=r.id, name=r.name, town=r.town) for r in rows]


def centre_week(session: Session, *, centre_id: int, monday: date) -> list[EventRow]:
    """All events of one centre in the week starting ``monday`` (cancelled ones included).

    Args:
        session: an open session.
        centre_id: the centre.
        monday: the first day of the week (local time, Europe/Sofia).

    Returns:
        Events ordered by start, with room name and staff names.
    """
    window = Range(
        local(monday, datetime.min.time()),
        local(monday + timedelta(days=7), datetime.min.time()),
        bounds="[)",
    )
    names = (
        select(func.coalesce(func.array_agg(Staff.full_name), text("'{}'::text[]")))
        .select_from(EventStaff)
        .join(Staff, Staff.id == EventStaff.staff_id)  # type: ignore[arg-type]
        .where(EventStaff.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )
    query = (
        select(
            Event.id,
            Event.title,
            Event.kind,
            func.lower(Event.during).label("start"),
            func.upper(Event.during).label("end"),
            Event.status,
            Room.name.label("room"),  # type: ignore[attr-defined]
            names.label("staff"),
            Event.version,
        )
        .outerjoin(Room, Room.id == Event.room_id)  # type: ignore[arg-type]
        .where(Event.centre_id == centre_id, Event.during.op("&&")(window))  # type: ignore[attr-defined]
        .order_by(text("start"), Event.id)
    )
    return [
        EventRow(
            id=r.id,
            title=r.title,
            kind=str(r.kind),
            start=r.start,
            end=r.end,
            status=str(r.status),
            room=r.room,
            staff=tuple(r.staff),
            version=r.version,
        )
        for r in session.execute(query)
    ]
