"""Hours worked: each volunteer's and each specialist's time in the sessions held in a month.

Only sessions marked held count (a planned session nobody marked held, or a cancelled one,
does not). A session belongs to the month it starts in, in the centre's time (Europe/Sofia);
its length is elapsed time, so a session across the autumn clock change counts as it lasted.
A volunteer counts for the places they held (assigned or confirmed), not one they declined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import local
from coptui.errors import BadInputError
from coptui.i18n import _


@dataclass(frozen=True)
class HoursRow:
    """One person's held sessions in a month and their length in minutes."""

    role: str  # "specialist" or "volunteer"
    person_id: int
    name: str
    sessions: int
    minutes: int

    @property
    def hours(self) -> str:
        """The time as hours and minutes, «7:30»."""
        return f"{self.minutes // 60}:{self.minutes % 60:02d}"


def parse_month(value: str) -> tuple[int, int]:
    """``MM.YYYY`` (``11.2026``, ``1.2027``) as (year, month); raises BadInputError."""
    month_text, sep, year_text = value.strip().partition(".")
    if not (sep and month_text.isdigit() and year_text.isdigit() and len(year_text) == 4):
        raise BadInputError(_("Write the month as MM.YYYY, e.g. 11.2026."))
    month, year = int(month_text), int(year_text)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise BadInputError(_("Write the month as MM.YYYY, e.g. 11.2026."))
    return year, month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first moment of the month and of the next one, in the centre's time."""
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return local(first, time(0)), local(following, time(0))


_HOURS_SQL = text(
    "SELECT 'specialist' AS role, p.id, p.full_name, count(*) AS sessions,"
    " sum(extract(epoch FROM upper(l.during) - lower(l.during))) AS seconds"
    " FROM event_staff l JOIN staff p ON p.id = l.staff_id"
    " WHERE l.centre_id = :c AND l.event_status = 'held'"
    " AND lower(l.during) >= :a AND lower(l.during) < :b GROUP BY p.id, p.full_name"
    " UNION ALL"
    " SELECT 'volunteer', p.id, p.full_name, count(DISTINCT l.event_id),"
    " sum(extract(epoch FROM upper(l.during) - lower(l.during)))"
    " FROM roster_slot l JOIN volunteer p ON p.id = l.volunteer_id"
    " WHERE l.centre_id = :c AND l.event_status = 'held'"
    " AND l.status IN ('assigned', 'confirmed')"
    " AND lower(l.during) >= :a AND lower(l.during) < :b GROUP BY p.id, p.full_name"
)


def month_hours(session: Session, *, centre_id: int, year: int, month: int) -> list[HoursRow]:
    """Each specialist's and each volunteer's held sessions and minutes in one month.

    Returns:
        Specialists first, then volunteers, each by name; people with no held session in
        the month are left out.
    """
    start, end = month_bounds(year, month)
    found = session.execute(_HOURS_SQL, {"c": centre_id, "a": start, "b": end}).all()
    result = [
        HoursRow(
            role=row.role,
            person_id=int(row.id),
            name=clean(row.full_name),
            sessions=int(row.sessions),
            minutes=round(float(row.seconds) / 60),
        )
        for row in found
    ]
    return sorted(result, key=lambda r: (r.role != "specialist", r.name, r.person_id))
