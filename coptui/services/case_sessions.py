"""A case's sessions with its attendance, for the case's own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coptui.services.calendar import rows


@dataclass(frozen=True)
class CaseSession:
    """One event the case takes part in, with the case's attendance."""

    event_id: int
    title: str
    kind: str
    start: datetime
    end: datetime
    status: str  # planned / held / cancelled
    room: str  # "" when the event has no room
    staff: tuple[str, ...]
    attendance: str  # expected / present / absent / excused / late
    attendance_note: str


def case_sessions(db: Any, *, centre_id: int, case_id: int) -> list[CaseSession]:
    """Every event of one case, oldest first, cancelled ones included.

    Args:
        db: a psycopg connection or a SQLAlchemy session (see ``calendar.rows``).
        centre_id: the centre the case belongs to.
        case_id: the case.

    Returns:
        The case's events with room, staff names and the case's attendance.
    """
    found = rows(
        db,
        "SELECT e.id, e.title, e.kind::text, lower(e.during), upper(e.during), e.status::text,"
        " coalesce(r.name, ''),"
        " coalesce((SELECT array_agg(s.full_name ORDER BY l.is_lead DESC, s.full_name)"
        "   FROM event_staff l JOIN staff s ON s.id = l.staff_id WHERE l.event_id = e.id),"
        "   '{}'),"
        " ec.attendance::text, coalesce(ec.attendance_note, '')"
        " FROM event_case ec"
        " JOIN event e ON e.id = ec.event_id AND e.centre_id = ec.centre_id"
        " LEFT JOIN room r ON r.id = e.room_id"
        " WHERE ec.case_id = %(k)s AND ec.centre_id = %(c)s"
        " ORDER BY lower(e.during), e.id",
        {"k": case_id, "c": centre_id},
    )
    return [
        CaseSession(
            event_id=i,
            title=title,
            kind=kind,
            start=start,
            end=end,
            status=status,
            room=room,
            staff=tuple(staff),
            attendance=attendance,
            attendance_note=note,
        )
        for i, title, kind, start, end, status, room, staff, attendance, note in found
    ]
