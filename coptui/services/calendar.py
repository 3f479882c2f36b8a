"""Read models of the calendar: events of a week, as plain rows.

Every read here runs on a plain psycopg connection (the planner opens one before SQLAlchemy is
even imported) or on a SQLAlchemy session (the CLI, the services, the tests): the SQL is the
driver's own, with ``%(name)s`` parameters, and rows come back as tuples.

These are display read models: every stored text in them (titles, names, codes, notes of
closures) has passed through ``coptui.domain.text.clean``, so a screen, a text line or a
message can show it as it is. A form that edits an event reads the stored values themselves
(``services.event_reads.load_event``), which the CHECKs of migration 0006 keep clean too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from coptui.domain.text import clean, clean_optional
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
    return WorkCalendar(overrides={day: (kind, clean(note)) for day, kind, note in found})


class EventRow(NamedTuple):
    """One event as a screen shows it (a named tuple: a week can hold thousands).

    ``title``, ``room``, ``staff`` and ``cases`` are cleaned stored text (see the module).
    """

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
    return [CentreRow(id=i, name=clean(name), town=clean(town)) for i, name, town in found]


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

# The whole centre's week is one btree range scan of one table: events by (centre, start)
# (migration 0005), each with copies of its staff and case ids (migration 0004; the link
# tables stay the truth, a trigger keeps the copies). Events that start up to a day before
# the week are read too (none lasts longer) and those that end before it are dropped. Times
# travel as epoch seconds and people as ids in text, named in Python from the centre's small
# directories; decoding 10,000 timestamps or arrays cost more than the query itself at 5,000
# events a week.
_WEEK_SQL = """
SELECT e.id, e.title, e.kind, date_part('epoch', lower(e.during))::bigint,
       date_part('epoch', upper(e.during))::bigint, e.status, e.room_id, e.version,
       e.series_id, e.programme_id, nullif(array_to_string(e.staff_ids, ','), ''),
       nullif(array_to_string(e.case_ids, ','), '')
  FROM event e
 WHERE e.centre_id = %(c)s AND lower(e.during) >= %(early)s AND lower(e.during) < %(b)s
   AND upper(e.during) > %(a)s
 ORDER BY lower(e.during), e.id
"""

# One resource's events with their people's ids (the event's own copies, migration 0004);
# the names of those few people come in a second query by primary key. Naming them per row
# in SQL (a sub-select per id) cost as much as the rest of the query.
_ONE_SQL = """
SELECT e.id, e.title, e.kind, lower(e.during), upper(e.during), e.status, r.name, e.version,
       e.room_id, e.series_id, e.programme_id, e.staff_ids, e.case_ids
  FROM event e LEFT JOIN room r ON r.id = e.room_id {where}
 ORDER BY lower(e.during), e.id
"""

_PEOPLE_SQL = """
SELECT 1, id, full_name FROM staff WHERE id = ANY(%(staff)s)
UNION ALL SELECT 2, id, code FROM case_file WHERE id = ANY(%(cases)s)
"""


def _resource_rows(db: Any, found: list[Any]) -> list[EventRow]:
    """Rows of ``_ONE_SQL`` as EventRows, their people named in one query by key."""
    staff_ids = {i for r in found for i in r[11]}
    case_ids = {i for r in found for i in r[12]}
    names: dict[tuple[int, int], str] = {}
    if staff_ids or case_ids:
        params = {"staff": sorted(staff_ids), "cases": sorted(case_ids)}
        names = {(kind, key): clean(name) for kind, key, name in rows(db, _PEOPLE_SQL, params)}
    return [
        EventRow(
            id=r[0],
            title=clean(r[1]),
            kind=r[2],
            start=r[3],
            end=r[4],
            status=r[5],
            room=clean_optional(r[6]),
            staff=tuple(names.get((1, i), "?") for i in r[11]),
            version=r[7],
            room_id=r[8],
            staff_ids=tuple(r[11]),
            cases=tuple(names.get((2, i), "?") for i in r[12]),
            case_ids=tuple(r[12]),
            series_id=r[9],
            programme_id=r[10],
        )
        for r in found
    ]


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
        # One resource's week is a few dozen rows, and a handful of people to name.
        where = f" WHERE e.centre_id = %(c)s AND e.id IN ({RESOURCE_SOURCES[resource]})"
        return _resource_rows(db, rows(db, _ONE_SQL.format(where=where), params))
    names: dict[str, dict[int, str]] = {"room": {}, "staff": {}, "case": {}}
    for kind, key, name in rows(db, _NAMES_SQL, {"c": centre_id}):
        names[kind][key] = clean(name)
    events = rows(db, _WEEK_SQL, {**params, "early": start - timedelta(days=1)})
    # The loop below runs 5,000 times for a busy week: a week has few distinct times and few
    # distinct sets of people, so each is converted once and looked up after that.
    rooms = names["room"]
    moments: dict[int, datetime] = {}
    staff_sets: dict[str | None, tuple[tuple[int, ...], tuple[str, ...]]] = {None: ((), ())}
    case_sets: dict[str | None, tuple[tuple[int, ...], tuple[str, ...]]] = {None: ((), ())}
    result: list[EventRow] = []
    append = result.append
    make = EventRow._make  # skips the keyword handling of EventRow(...)
    for event_id, title, kind, s, u, status, room_id, version, series, programme, st, ca in events:
        start_at = moments.get(s)
        if start_at is None:
            start_at = moments[s] = datetime.fromtimestamp(s, UTC)
        end_at = moments.get(u)
        if end_at is None:
            end_at = moments[u] = datetime.fromtimestamp(u, UTC)
        staff = staff_sets.get(st)
        if staff is None:
            staff = staff_sets[st] = _named(st, names["staff"])
        cases = case_sets.get(ca)
        if cases is None:
            cases = case_sets[ca] = _named(ca, names["case"])
        append(
            make(
                (
                    event_id,
                    title if title.isprintable() else clean(title),  # clean()'s fast path
                    kind,
                    start_at,
                    end_at,
                    status,
                    rooms.get(room_id) if room_id is not None else None,
                    staff[1],
                    version,
                    room_id,
                    staff[0],
                    cases[1],
                    cases[0],
                    series,
                    programme,
                )
            )
        )
    return result


def _named(ids_text: str, directory: dict[int, str]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Ids as the query sends them ("3,1") and their names."""
    ids = tuple(int(i) for i in ids_text.split(","))
    return ids, tuple(directory.get(i, "?") for i in ids)


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
