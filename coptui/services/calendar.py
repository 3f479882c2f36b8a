"""Read models of the calendar: events of a week, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from coptui.domain.timeutil import local
from coptui.models import Centre, table_of


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
    c = table_of(Centre).c
    rows = session.execute(select(c.id, c.name, c.town).order_by(c.name))
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
    return agenda(
        session,
        centre_id=centre_id,
        start=local(monday, time(0)),
        end=local(monday + timedelta(days=7), time(0)),
    )


RESOURCE_FILTERS = {
    "room": "e.room_id = :rid",
    "staff": "EXISTS (SELECT 1 FROM event_staff l WHERE l.event_id = e.id AND l.staff_id = :rid)",
    "case": "EXISTS (SELECT 1 FROM event_case l WHERE l.event_id = e.id AND l.case_id = :rid)",
    "volunteer": "EXISTS (SELECT 1 FROM roster_slot l WHERE l.event_id = e.id"
    " AND l.volunteer_id = :rid AND l.status <> 'declined')",
    "programme": "e.programme_id = :rid",
}


def agenda(
    session: Session,
    *,
    centre_id: int,
    start: datetime,
    end: datetime,
    resource: str | None = None,
    resource_id: int | None = None,
) -> list[EventRow]:
    """Events of the centre, or of one resource, overlapping ``[start, end)``, as plain rows.

    Args:
        resource: ``room``, ``staff``, ``case``, ``volunteer`` or ``programme``; ``None`` for
            the whole centre.
    """
    condition = f" AND {RESOURCE_FILTERS[resource]}" if resource else ""
    rows = session.execute(
        text(
            "SELECT e.id, e.title, e.kind, lower(e.during) AS s, upper(e.during) AS u, e.status,"
            " r.name AS room, e.version,"
            " ARRAY(SELECT st.full_name FROM event_staff l JOIN staff st ON st.id = l.staff_id"
            "       WHERE l.event_id = e.id ORDER BY l.is_lead DESC, st.full_name) AS staff"
            " FROM event e LEFT JOIN room r ON r.id = e.room_id"
            " WHERE e.centre_id = :c AND e.during && tstzrange(:a, :b)"
            + condition
            + " ORDER BY lower(e.during), e.id"
        ),
        {"c": centre_id, "a": start, "b": end, "rid": resource_id},
    )
    return [
        EventRow(
            id=r.id,
            title=r.title,
            kind=r.kind,
            start=r.s,
            end=r.u,
            status=r.status,
            room=r.room,
            staff=tuple(r.staff),
            version=r.version,
        )
        for r in rows
    ]
