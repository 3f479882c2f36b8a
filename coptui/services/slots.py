"""The free-slot finder: the earliest times (of one event, or of a whole series) when everyone
asked for, and a room, is free."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import BadInputError
from coptui.i18n import _
from coptui.services.calendar import calendar_for

if TYPE_CHECKING:
    from coptui.domain.recurrence import Recurrence

MAX_DAYS = 92  # a quarter: beyond that, nobody plans by free slots
STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class FreeSlot:
    """A time when every person asked for and the room are free."""

    start: datetime
    end: datetime
    room_id: int | None = None
    room: str | None = None


@dataclass(frozen=True)
class WorkingHours:
    """The centre's working hours (a setting; default Monday to Friday 08:00–18:00)."""

    start: time = time(8, 0)
    end: time = time(18, 0)


_BUSY_SQL = text(
    """
    SELECT 'staff' AS kind, staff_id AS rid, lower(during) AS s, upper(during) AS u
      FROM event_staff WHERE staff_id = ANY(:staff) AND event_status <> 'cancelled'
       AND during && :window AND event_id <> :exclude
    UNION ALL
    SELECT 'case', case_id, lower(during), upper(during)
      FROM event_case WHERE case_id = ANY(:cases) AND event_status <> 'cancelled'
       AND during && :window AND event_id <> :exclude
    UNION ALL
    SELECT 'volunteer', volunteer_id, lower(during), upper(during)
      FROM roster_slot WHERE volunteer_id = ANY(:volunteers) AND event_status <> 'cancelled'
       AND status <> 'declined' AND during && :window AND event_id <> :exclude
    UNION ALL
    SELECT 'room', room_id, lower(during), upper(during)
      FROM event WHERE room_id = ANY(:rooms) AND status <> 'cancelled'
       AND during && :window AND id <> :exclude
    """
).bindparams(bindparam("window", type_=TSTZRANGE))


Busy = dict[date, list[tuple[datetime, datetime]]]  # busy intervals under each local day


def _overlaps(busy: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(s < end and start < u for s, u in busy)


def _by_day(intervals: Sequence[tuple[datetime, datetime]]) -> Busy:
    """Busy intervals under every local day they touch, so a check looks at one day only."""
    found: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s, u in intervals:
        day = s.astimezone(SOFIA).date()
        last = (u - timedelta(microseconds=1)).astimezone(SOFIA).date()
        while day <= last:
            found[day].append((s, u))
            day += timedelta(days=1)
    return found


def _rooms(
    session: Session, centre_id: int, room_id: int | None, room_kind: str | None
) -> dict[int, str]:
    """The rooms a slot may take: the one asked for, or every active one of a kind."""
    if room_id is not None:
        rooms = {
            r.id: clean(r.name)
            for r in session.execute(
                text("SELECT id, name FROM room WHERE id = :r AND centre_id = :c"),
                {"r": room_id, "c": centre_id},
            )
        }
        if not rooms:
            raise BadInputError(_("No such room."))
        return rooms
    if room_kind is None:
        return {}
    return {
        r.id: clean(r.name)
        for r in session.execute(
            text(
                "SELECT id, name FROM room WHERE centre_id = :c AND kind = :k AND active"
                " ORDER BY name"
            ),
            {"c": centre_id, "k": room_kind},
        )
    }


def free_slots(
    session: Session,
    *,
    centre_id: int,
    duration: timedelta,
    first_day: date,
    days: int = 14,
    staff_ids: Sequence[int] = (),
    case_ids: Sequence[int] = (),
    volunteer_ids: Sequence[int] = (),
    room_id: int | None = None,
    room_kind: str | None = None,
    count: int = 3,
    hours: WorkingHours = WorkingHours(),
    not_before: datetime | None = None,
    exclude_event_id: int | None = None,
    rule: Recurrence | None = None,
    include_holidays: bool = False,
) -> list[FreeSlot]:
    """The earliest ``count`` slots of ``duration`` free for all the people and a room.

    Slots start on the quarter hour, inside working hours, on working days only (national
    holidays and the centre's own closures are skipped). With a ``rule``, a slot is the first
    occurrence of a series (on one of the rule's weekdays) that repeats by ``rule`` at the same
    wall-clock time, and every occurrence must be free; occurrences on non-working days are
    passed over, as booking skips them, unless ``include_holidays``.

    Args:
        room_id: this room must be free; or ``room_kind``: any active room of that kind.
        not_before: no slot starts earlier (say, now).
        exclude_event_id: the event being moved does not block itself.
        rule: find first times of a whole series instead of one event.
    """
    if duration <= timedelta(0):
        raise BadInputError(_("The duration must be positive."))
    if not 1 <= days <= MAX_DAYS:
        raise BadInputError(_("Search between 1 and {n} days.").format(n=MAX_DAYS))
    rooms = _rooms(session, centre_id, room_id, room_kind)
    if room_kind is not None and not rooms:
        return []
    calendar = calendar_for(session, centre_id)
    occurrences = _occurrences(rule)
    sample = occurrences(first_day)
    reach = sample[-1] - sample[0] if sample else timedelta(0)
    window_start = datetime.combine(first_day, time(0), tzinfo=SOFIA)
    window_end = datetime.combine(
        first_day + timedelta(days=days) + reach + timedelta(days=1), time(0), tzinfo=SOFIA
    )
    busy_people: list[tuple[datetime, datetime]] = []
    busy_rooms: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in session.execute(
        _BUSY_SQL,
        {
            "staff": list(staff_ids),
            "cases": list(case_ids),
            "volunteers": list(volunteer_ids),
            "rooms": list(rooms),
            "window": Range(window_start, window_end, bounds="[)"),
            "exclude": exclude_event_id or 0,
        },
    ):
        if row.kind == "room":
            busy_rooms[row.rid].append((row.s, row.u))
        else:
            busy_people.append((row.s, row.u))
    people_by_day = _by_day(busy_people)
    rooms_by_day = {r: _by_day(busy_rooms[r]) for r in rooms}
    weekdays = set(rule.weekdays) if rule and rule.freq == "weekly" and rule.weekdays else None
    found: list[FreeSlot] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if not calendar.is_working_day(day) or (weekdays and day.weekday() not in weekdays):
            continue
        days_used = [d for d in occurrences(day) if include_holidays or calendar.is_working_day(d)]
        start = datetime.combine(day, hours.start, tzinfo=SOFIA)
        closing = datetime.combine(day, hours.end, tzinfo=SOFIA)
        while start + duration <= closing:
            if not_before is None or start >= not_before:
                at = start.timetz().replace(tzinfo=None)
                times = []
                for d in days_used:
                    s = datetime.combine(d, at, tzinfo=SOFIA)
                    times.append((d, s, (s.astimezone(UTC) + duration).astimezone(SOFIA)))
                room = _free_room(people_by_day, rooms_by_day, times)
                if room is not False:
                    found.append(
                        FreeSlot(
                            start=start,
                            end=start + duration,
                            room_id=room,
                            room=rooms[room] if room is not None else None,
                        )
                    )
                    if len(found) == count:
                        return found
            start += STEP
    return found


def _free_room(
    people: Busy, rooms: dict[int, Busy], times: Sequence[tuple[date, datetime, datetime]]
) -> int | Literal[False] | None:
    """The first room free at every time (None when no room is asked for), or False when
    someone, or every room, is busy at one of them."""
    if any(_overlaps(people.get(d, ()), s, u) for d, s, u in times):
        return False
    if not rooms:
        return None
    for room, busy in rooms.items():
        if not any(_overlaps(busy.get(d, ()), s, u) for d, s, u in times):
            return room
    return False


def _occurrences(rule: Recurrence | None) -> Callable[[date], list[date]]:
    """The days a slot starting on a day takes: that day alone, or every date of the series."""
    if rule is None:
        return lambda day: [day]
    from coptui.domain.recurrence import expand

    noon = time(12, 0)

    def dates_from(day: date) -> list[date]:
        first = datetime.combine(day, noon, tzinfo=SOFIA)
        return [o.date() for o in expand(rule.rrule(first), first, SOFIA)]

    return dates_from
