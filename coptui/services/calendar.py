"""Read models of the calendar: events of a week, as plain rows.

Every read here runs on a plain psycopg connection (the planner opens one before SQLAlchemy is
even imported) or on a SQLAlchemy session (the CLI, the services, the tests): the SQL is the
driver's own, with ``%(name)s`` parameters, and rows come back as tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from coptui.domain.timeutil import local
from coptui.domain.workdays import WorkCalendar


def rows(db: Any, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Run ``sql`` on a psycopg connection or a SQLAlchemy session; the rows as tuples."""
    connection = getattr(db, "connection", None)
    if callable(connection):  # a SQLAlchemy Session: the same SQL through its driver
        return list(connection().exec_driver_sql(sql, params or {}).all())
    return list(db.execute(sql, params or {}).fetchall())


def calendar_for(db: Any, centre_id: int) -> WorkCalendar:
    """The centre's working days: national holidays plus its own overrides."""
    found = rows(
        db,
        "SELECT day, kind, note FROM holiday_override WHERE centre_id = %(c)s",
        {"c": centre_id},
    )
    return WorkCalendar(overrides={day: (kind, note) for day, kind, note in found})


class EventRow(NamedTuple):
    """One event as a screen shows it (a named tuple: a week can hold thousands)."""

    id: int
    title: str
    kind: str
    start: datetime
    end: datetime
    status: str
    room: str | None
    staff: tuple[str, ...]
    version: int
    room_id: int | None = None
    staff_ids: tuple[int, ...] = ()
    cases: tuple[str, ...] = ()
    case_ids: tuple[int, ...] = ()
    series_id: int | None = None
    programme_id: int | None = None


@dataclass(frozen=True)
class CentreRow:
    """A centre the user can see."""

    id: int
    name: str
    town: str


def centres(db: Any) -> list[CentreRow]:
    """Every centre in the database, by name."""
    found = rows(db, "SELECT id, name, town FROM centre ORDER BY name")
    return [CentreRow(id=i, name=name, town=town) for i, name, town in found]


def centre_week(db: Any, *, centre_id: int, monday: date) -> list[EventRow]:
    """All events of one centre in the week starting ``monday`` (cancelled ones included).

    Args:
        session: an open session.
        centre_id: the centre.
        monday: the first day of the week (local time, Europe/Sofia).

    Returns:
        Events ordered by start, with room name and staff names.
    """
    return agenda(
        db,
        centre_id=centre_id,
        start=local(monday, time(0)),
        end=local(monday + timedelta(days=7), time(0)),
    )


# One resource's live events are read through its exclusion constraint's GiST index
# (int4range(id, id, '[]') = …, during && …): a week costs the same with a thousand events
# of history or a million. The predicates repeat the constraints' WHERE so the index applies.
RESOURCE_SOURCES = {
    "room": "SELECT e.id FROM event e WHERE int4range(e.room_id, e.room_id, '[]')"
    " = int4range(%(rid)s, %(rid)s, '[]') AND e.during && tstzrange(%(a)s, %(b)s)"
    " AND e.status <> 'cancelled' AND e.room_id IS NOT NULL",
    "staff": "SELECT l.event_id FROM event_staff l WHERE int4range(l.staff_id, l.staff_id, '[]')"
    " = int4range(%(rid)s, %(rid)s, '[]') AND l.during && tstzrange(%(a)s, %(b)s)"
    " AND l.event_status <> 'cancelled'",
    "case": "SELECT l.event_id FROM event_case l WHERE int4range(l.case_id, l.case_id, '[]')"
    " = int4range(%(rid)s, %(rid)s, '[]') AND l.during && tstzrange(%(a)s, %(b)s)"
    " AND l.event_status <> 'cancelled'",
    "volunteer": "SELECT l.event_id FROM roster_slot l"
    " WHERE int4range(l.volunteer_id, l.volunteer_id, '[]') = int4range(%(rid)s, %(rid)s, '[]')"
    " AND l.during && tstzrange(%(a)s, %(b)s) AND l.event_status <> 'cancelled'"
    " AND l.status <> 'declined'",
    "programme": "SELECT e.id FROM event e WHERE e.programme_id = %(rid)s"
    " AND e.during && tstzrange(%(a)s, %(b)s)",
}
RESOURCES = tuple(RESOURCE_SOURCES)

# Times travel as epoch seconds and people as ids, named from the centre's small directories
# in Python; the week's staff and children come in one second query over the same events.
# Parsing 10,000 timestamps, or joining names and sub-selecting people per row, cost more
# than the query itself at 5,000 events a week.
_ROWS_SQL = """
SELECT e.id, e.title, e.kind, extract(epoch FROM lower(e.during))::bigint AS s,
       extract(epoch FROM upper(e.during))::bigint AS u, e.status, e.room_id, e.version,
       e.series_id, e.programme_id
  FROM event e {where}
"""

# The people are fetched per event through the link tables' primary keys (LATERAL with
# OFFSET 0 keeps the planner from hashing the whole link table: with a million rows of
# history that was 900 ms instead of 15).
_LINKS_SQL = """
WITH ev AS MATERIALIZED (SELECT e.id FROM event e {where})
SELECT 1 AS kind, ev.id, p.who, p.rank
  FROM ev CROSS JOIN LATERAL (
       SELECT l.staff_id AS who, NOT l.is_lead AS rank FROM event_staff l
        WHERE l.event_id = ev.id OFFSET 0) AS p
UNION ALL
SELECT 2, ev.id, p.who, false
  FROM ev CROSS JOIN LATERAL (
       SELECT l.case_id AS who FROM event_case l WHERE l.event_id = ev.id OFFSET 0) AS p
ORDER BY 1, 2, 4, 3
"""

# Names by primary key per link (a join here made the planner hash the whole staff table for
# every event of the week).
_ONE_SQL = """
SELECT e.id, e.title, e.kind, lower(e.during), upper(e.during), e.status, r.name, e.version,
       e.room_id, e.series_id, e.programme_id,
       ARRAY(SELECT l.staff_id FROM event_staff l WHERE l.event_id = e.id
             ORDER BY l.is_lead DESC, l.staff_id),
       ARRAY(SELECT (SELECT st.full_name FROM staff st WHERE st.id = l.staff_id)
             FROM event_staff l WHERE l.event_id = e.id ORDER BY l.is_lead DESC, l.staff_id),
       ARRAY(SELECT l.case_id FROM event_case l WHERE l.event_id = e.id ORDER BY l.case_id),
       ARRAY(SELECT (SELECT c.code FROM case_file c WHERE c.id = l.case_id)
             FROM event_case l WHERE l.event_id = e.id ORDER BY l.case_id)
  FROM event e LEFT JOIN room r ON r.id = e.room_id {where}
"""


def _row(r: Any) -> EventRow:
    return EventRow(
        id=r[0],
        title=r[1],
        kind=r[2],
        start=r[3],
        end=r[4],
        status=r[5],
        room=r[6],
        staff=tuple(r[12]),
        version=r[7],
        room_id=r[8],
        staff_ids=tuple(r[11]),
        cases=tuple(r[14]),
        case_ids=tuple(r[13]),
        series_id=r[9],
        programme_id=r[10],
    )


_NAMES_SQL = """
SELECT 'room', id, name FROM room WHERE centre_id = %(c)s
UNION ALL SELECT 'staff', id, full_name FROM staff WHERE centre_id = %(c)s
UNION ALL SELECT 'case', id, code FROM case_file WHERE centre_id = %(c)s
"""


def agenda(
    db: Any,
    *,
    centre_id: int,
    start: datetime,
    end: datetime,
    resource: str | None = None,
    resource_id: int | None = None,
) -> list[EventRow]:
    """Events of the centre, or of one resource, overlapping ``[start, end)``, as plain rows.

    The whole centre's view includes cancelled events (a screen shows them struck out); one
    resource's view shows what holds that resource, so cancelled events are left out.

    Args:
        resource: ``room``, ``staff``, ``case``, ``volunteer`` or ``programme``; ``None`` for
            the whole centre.

    Returns:
        Rows ordered by start; times are aware datetimes in UTC.
    """
    params = {"c": centre_id, "a": start, "b": end, "rid": resource_id}
    if resource is not None:
        # One resource's week is a few dozen rows: one round trip, names joined per row.
        where = f" WHERE e.centre_id = %(c)s AND e.id IN ({RESOURCE_SOURCES[resource]})"
        found = [_row(r) for r in rows(db, _ONE_SQL.format(where=where), params)]
        found.sort(key=lambda row: (row.start, row.id))
        return found
    where = " WHERE e.centre_id = %(c)s AND e.during && tstzrange(%(a)s, %(b)s)"
    names: dict[str, dict[int, str]] = {"room": {}, "staff": {}, "case": {}}
    for kind, key, name in rows(db, _NAMES_SQL, {"c": centre_id}):
        names[kind][key] = name
    events = rows(db, _ROWS_SQL.format(where=where), params)
    staff_of: dict[int, list[int]] = {}
    cases_of: dict[int, list[int]] = {}
    for kind, event_id, who, _rank in rows(db, _LINKS_SQL.format(where=where), params):
        (staff_of if kind == 1 else cases_of).setdefault(event_id, []).append(who)
    moments: dict[int, datetime] = {}  # a week has few distinct start and end times

    def moment(epoch: int) -> datetime:
        found = moments.get(epoch)
        if found is None:
            found = moments[epoch] = datetime.fromtimestamp(epoch, UTC)
        return found

    rooms, staff, cases = names["room"], names["staff"], names["case"]
    result = []
    for r in events:
        staff_ids = tuple(staff_of.get(r[0], ()))
        case_ids = tuple(cases_of.get(r[0], ()))
        result.append(
            EventRow(
                r[0],
                r[1],
                r[2],
                moment(r[3]),
                moment(r[4]),
                r[5],
                rooms.get(r[6]) if r[6] is not None else None,
                tuple([staff.get(i, "?") for i in staff_ids]),
                r[7],
                r[6],
                staff_ids,
                tuple([cases.get(i, "?") for i in case_ids]),
                case_ids,
                r[8],
                r[9],
            )
        )
    result.sort(key=lambda row: (row.start, row.id))
    return result


def resource_week(
    db: Any, *, centre_id: int, resource: str, resource_id: int, monday: date
) -> list[EventRow]:
    """The live events of one room, staff member, volunteer, case or programme in a week."""
    return agenda(
        db,
        centre_id=centre_id,
        start=local(monday, time(0)),
        end=local(monday + timedelta(days=7), time(0)),
        resource=resource,
        resource_id=resource_id,
    )
