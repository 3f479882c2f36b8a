"""Places that run out: the seats of a programme session and its waiting list; the centre's
places for cases and its queue.

Every count is taken under a lock that all writers of that count share, so that twenty
people at the last place give exactly one yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.errors import BadInputError, CapacityError, NotFoundError, RefusedError
from coptui.i18n import _
from coptui.services.caseterms import case_terms_refusals, check_case_terms
from coptui.services.clashes import find_clashes, slot_taken_error
from coptui.services.event_reads import load_event, refuse_busy_time
from coptui.services.transaction import sqlstate


@dataclass(frozen=True)
class JoinResult:
    """A case joined a session, or took a place on its waiting list."""

    joined: bool
    waiting_position: int | None = None


class SessionFullError(CapacityError):
    """A session is full; ``position`` is the place its waiting list would give."""

    def __init__(self, message: str, *, position: int, title: str | None = None) -> None:
        super().__init__(message, title=title)
        self.position = position


def _seats(session: Session, event: Any) -> tuple[int | None, str]:
    """How many cases the event can hold: the programme's seats and the room's headcount."""
    programme_id = event.programme_id
    room_id = event.room_id
    limit: int | None = None
    name = clean(event.title)
    if programme_id is not None:
        row = session.execute(
            text("SELECT capacity FROM programme WHERE id = :p"), {"p": programme_id}
        ).one()
        limit = row.capacity
    if room_id is not None:
        room = session.execute(
            text("SELECT max_people FROM room WHERE id = :r"), {"r": room_id}
        ).one()
        if room.max_people is not None:
            # The room counts everyone: children, staff and volunteers.
            people = session.execute(
                text(
                    "SELECT (SELECT count(*) FROM event_staff WHERE event_id = :e)"
                    " + (SELECT count(*) FROM roster_slot WHERE event_id = :e"
                    "    AND status <> 'declined')"
                ),
                {"e": event.id},
            ).scalar_one()
            room_places = room.max_people - int(people)
            limit = room_places if limit is None else min(limit, room_places)
    return limit, name


def join_session(
    session: Session, *, event_id: int, case_id: int, waitlist: bool = False
) -> JoinResult:
    """Give a case a place in a session, or (when asked) a place on its waiting list.

    Raises:
        CapacityError: the session is full and no waiting-list place was asked for.
        SlotTakenError: the child is elsewhere at that time.
    """
    event = load_event(session, event_id, lock=True)  # joins of one event queue here
    if event.status == "cancelled":
        raise BadInputError(_("A cancelled event cannot be changed."))
    refuse_busy_time(event)
    if case_id in event.cases:
        return JoinResult(joined=True)
    check_case_terms(session, case_ids=[case_id], start=event.s, end=event.u)
    limit, title = _seats(session, event)
    if limit is not None and len(event.cases) >= limit:
        if not waitlist:
            position = _waiting_place(session, event_id, case_id)
            raise SessionFullError(
                _(
                    "„{title}“ is full: {taken} of {limit} places are taken; on the waiting"
                    " list the case would be no. {n}."
                ).format(title=title, taken=len(event.cases), limit=limit, n=position),
                position=position,
                title=_("Session full"),
            )
        # clock_timestamp(), not now(): the order of the list is the order in which the
        # event's lock was held, not the order in which the transactions began.
        session.execute(
            text(
                "INSERT INTO waitlist_entry (event_id, case_id, centre_id, created_at)"
                " VALUES (:e, :c, :centre, clock_timestamp())"
                " ON CONFLICT (event_id, case_id) DO NOTHING"
            ),
            {"e": event_id, "c": case_id, "centre": event.centre_id},
        )
        position = session.execute(
            text(
                "SELECT n FROM (SELECT case_id, row_number() OVER (ORDER BY created_at, id) AS n"
                " FROM waitlist_entry WHERE event_id = :e) w WHERE case_id = :c"
            ),
            {"e": event_id, "c": case_id},
        ).scalar_one()
        return JoinResult(joined=False, waiting_position=int(position))
    savepoint = session.begin_nested()
    try:
        session.execute(
            text(
                "INSERT INTO event_case (event_id, centre_id, during, event_status, case_id)"
                " SELECT id, centre_id, during, status, :c FROM event WHERE id = :e"
            ),
            {"e": event_id, "c": case_id},
        )
    except IntegrityError as exc:
        savepoint.rollback()
        if sqlstate(exc) != "23P01":
            raise NotFoundError(_("No such case.")) from exc
        clashes = find_clashes(
            session, start=event.s, end=event.u, case_ids=[case_id], exclude_event_ids=[event_id]
        )
        raise slot_taken_error(clashes) from exc
    savepoint.commit()
    session.execute(
        text("DELETE FROM waitlist_entry WHERE event_id = :e AND case_id = :c"),
        {"e": event_id, "c": case_id},
    )
    session.execute(
        text("UPDATE event SET version = version + 1, updated_at = now() WHERE id = :e"),
        {"e": event_id},
    )
    return JoinResult(joined=True)


def _waiting_place(session: Session, event_id: int, case_id: int) -> int:
    """The place on the waiting list a case has, or would have if it joined it now."""
    found = session.execute(
        text(
            "SELECT n FROM (SELECT case_id, row_number() OVER (ORDER BY created_at, id) AS n"
            " FROM waitlist_entry WHERE event_id = :e) w WHERE case_id = :c"
        ),
        {"e": event_id, "c": case_id},
    ).scalar()
    if found is not None:
        return int(found)
    waiting = session.execute(
        text("SELECT count(*) FROM waitlist_entry WHERE event_id = :e"), {"e": event_id}
    ).scalar_one()
    return int(waiting) + 1


def leave_session(session: Session, *, event_id: int, case_id: int) -> int | None:
    """Free a case's place; it is offered to the first on the waiting list who is free then.

    The offered place is held for that child (``event_case.offered_at`` is set) until the
    key worker confirms it with the family; a held or cancelled session offers nothing.

    Returns:
        The case that moved up from the waiting list, if any.
    """
    event = load_event(session, event_id, lock=True)
    session.execute(
        text("DELETE FROM event_case WHERE event_id = :e AND case_id = :c"),
        {"e": event_id, "c": case_id},
    )
    session.execute(
        text("UPDATE event SET version = version + 1, updated_at = now() WHERE id = :e"),
        {"e": event_id},
    )
    if event.status != "planned":
        return None
    for candidate in waiting_list(session, event_id=event_id):
        if case_terms_refusals(session, case_ids=[candidate], start=event.s, end=event.u):
            continue  # past its service's end, say: the next in line gets the place
        if find_clashes(
            session, start=event.s, end=event.u, case_ids=[candidate], exclude_event_ids=[event_id]
        ):
            continue  # busy at that time: the place goes to the next one who is free
        try:
            joined = join_session(session, event_id=event_id, case_id=candidate).joined
        except RefusedError:
            continue  # booked elsewhere a moment ago
        if joined:
            session.execute(
                text(
                    "UPDATE event_case SET offered_at = clock_timestamp(), version = version + 1"
                    " WHERE event_id = :e AND case_id = :c"
                ),
                {"e": event_id, "c": candidate},
            )
            return int(candidate)
    return None


def waiting_list(session: Session, *, event_id: int) -> list[int]:
    """The cases waiting for a place in a session, first in line first."""
    return [
        int(c)
        for c in session.execute(
            text("SELECT case_id FROM waitlist_entry WHERE event_id = :e ORDER BY created_at, id"),
            {"e": event_id},
        ).scalars()
    ]


# The centre's places for cases: a dated number (a funder's order changes it). A case holds its
# place from its first day to its closing day, both included. Starting a case and closing one
# take this lock; the counts are read after it, so they cannot go stale.
CENTRE_LOCK = 5  # advisory lock class for a centre's places (booking uses 1-4)


def lock_centre(session: Session, centre_id: int) -> None:
    """Queue behind every other start and close of cases in the centre (until commit)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:k, :c)"), {"k": CENTRE_LOCK, "c": centre_id}
    )


# The fewest free places from ``on`` on: on that day and on every later day the count changes
# (a funder's new number, a case that starts later). NULL: no capacity set, no limit.
_FREE_SQL = text(
    "WITH days AS ("
    "  SELECT CAST(:on AS date) AS d"
    "  UNION SELECT valid_from FROM centre_capacity WHERE centre_id = :c AND valid_from > :on"
    "  UNION SELECT active_from FROM case_file WHERE centre_id = :c"
    "    AND status IN ('active', 'closed') AND active_from > :on)"
    " SELECT min(free) FROM (SELECT"
    "  (SELECT places FROM centre_capacity WHERE centre_id = :c AND valid_from <= d"
    "   ORDER BY valid_from DESC LIMIT 1)"
    "  - (SELECT count(*) FROM case_file WHERE centre_id = :c AND id <> :id"
    "     AND status IN ('active', 'closed') AND active_from <= d"
    "     AND (closed_on IS NULL OR closed_on >= d)) AS free FROM days) f"
)


def _fits(session: Session, case: Any, on: date) -> bool:
    """Whether ``case`` may take a place from ``on``: one is free after those queued before it."""
    free = session.execute(_FREE_SQL, {"c": case.centre_id, "on": on, "id": case.id}).scalar()
    if free is None:
        return True
    ahead = session.execute(
        text(
            "SELECT count(*) FROM case_file WHERE centre_id = :c AND queued_at IS NOT NULL"
            " AND id <> :id AND (CAST(:q AS timestamptz) IS NULL OR (queued_at, id) < (:q, :id))"
        ),
        {"c": case.centre_id, "id": case.id, "q": case.queued_at},
    ).scalar_one()
    return int(free) > int(ahead)


def centre_places(session: Session, *, centre_id: int, on: date) -> tuple[int | None, int]:
    """The centre's places on a date (``None`` if never set) and the cases active then."""
    places = session.execute(
        text(
            "SELECT places FROM centre_capacity WHERE centre_id = :c AND valid_from <= :d"
            " ORDER BY valid_from DESC LIMIT 1"
        ),
        {"c": centre_id, "d": on},
    ).scalar_one_or_none()
    active = session.execute(
        text(
            "SELECT count(*) FROM case_file WHERE centre_id = :c"
            " AND status IN ('active', 'closed') AND active_from <= :d"
            " AND (closed_on IS NULL OR closed_on >= :d)"
        ),
        {"c": centre_id, "d": on},
    ).scalar_one()
    return places, int(active)


def queue_position(session: Session, *, case_id: int) -> int | None:
    """A waiting case's 1-based place in its centre's queue (``None``: not in the queue)."""
    found = session.execute(
        text(
            "SELECT (SELECT count(*) FROM case_file q WHERE q.centre_id = c.centre_id"
            " AND q.queued_at IS NOT NULL AND (q.queued_at, q.id) <= (c.queued_at, c.id))"
            " FROM case_file c WHERE c.id = :id AND c.queued_at IS NOT NULL"
        ),
        {"id": case_id},
    ).scalar_one_or_none()
    return None if found is None else int(found)


def activate_case(session: Session, *, case_id: int, on: date) -> int | None:
    """Start a case's service on ``on`` if a place is free for it, else put it in the queue.

    A place is free when the centre's dated capacity leaves one on ``on`` and on every later
    day, after the cases queued before this one: nobody jumps the queue, and the centre is
    never over its places. A case already in the queue keeps its place there. (The register,
    ``coptui.services.cases``, checks a specialised case's referral and contract first.)

    Returns:
        ``None`` when the case is active; its 1-based place in the queue when it waits.

    Raises:
        NotFoundError: there is no such case.
    """
    case = session.execute(
        text("SELECT id, centre_id, status, queued_at FROM case_file WHERE id = :id FOR UPDATE"),
        {"id": case_id},
    ).one_or_none()
    if case is None:
        raise NotFoundError(_("No such case."))
    if case.status == "active":
        return None
    lock_centre(session, case.centre_id)
    if _fits(session, case, on):
        session.execute(
            text(
                "UPDATE case_file SET status = 'active', active_from = :d, closed_on = NULL,"
                " close_reason = NULL, queued_at = NULL, version = version + 1 WHERE id = :id"
            ),
            {"id": case_id, "d": on},
        )
        return None
    # clock_timestamp(), not now(): the queue's order is the order in which the lock was held.
    session.execute(
        text(
            "UPDATE case_file SET status = 'waiting', active_from = NULL, closed_on = NULL,"
            " close_reason = NULL, queued_at = coalesce(queued_at, clock_timestamp()),"
            " version = version + 1 WHERE id = :id"
        ),
        {"id": case_id},
    )
    return queue_position(session, case_id=case_id)


# The same decision as ``activate_case`` for a case just inserted (waiting, not yet queued),
# made and written in one statement: a first day's import starts a thousand cases.
_START_NEW_SQL = text(
    "WITH days AS ("
    "  SELECT CAST(:on AS date) AS d"
    "  UNION SELECT valid_from FROM centre_capacity WHERE centre_id = :c AND valid_from > :on"
    "  UNION SELECT active_from FROM case_file WHERE centre_id = :c"
    "    AND status IN ('active', 'closed') AND active_from > :on),"
    " free AS (SELECT min(f) AS places FROM (SELECT"
    "  (SELECT places FROM centre_capacity WHERE centre_id = :c AND valid_from <= d"
    "   ORDER BY valid_from DESC LIMIT 1)"
    "  - (SELECT count(*) FROM case_file WHERE centre_id = :c AND id <> :id"
    "     AND status IN ('active', 'closed') AND active_from <= d"
    "     AND (closed_on IS NULL OR closed_on >= d)) AS f FROM days) x),"
    " fits AS (SELECT places IS NULL OR places > (SELECT count(*) FROM case_file"
    "   WHERE centre_id = :c AND queued_at IS NOT NULL AND id <> :id) AS ok FROM free)"
    " UPDATE case_file SET"
    "  status = CASE WHEN fits.ok THEN 'active' ELSE 'waiting' END,"
    "  active_from = CASE WHEN fits.ok THEN CAST(:on AS date) END,"
    "  queued_at = CASE WHEN fits.ok THEN NULL ELSE clock_timestamp() END,"
    "  version = version + 1"
    " FROM fits WHERE case_file.id = :id AND case_file.centre_id = :c"
    "  AND case_file.status = 'waiting' AND case_file.queued_at IS NULL"
)


def start_new_cases(
    session: Session, *, centre_id: int, starts: Sequence[tuple[int, date]]
) -> None:
    """Start cases just added (waiting, never queued), in order: each active or in the queue.

    The same rule as :func:`activate_case`, one statement per case under one lock (an import
    of the first day's register).
    """
    if not starts:
        return
    lock_centre(session, centre_id)
    for case_id, on in starts:
        session.execute(_START_NEW_SQL, {"c": centre_id, "id": case_id, "on": on})


def first_in_line(session: Session, *, centre_id: int, on: date) -> int | None:
    """The first case of the queue, if a place is free for it from ``on`` (call under the lock)."""
    first = session.execute(
        text(
            "SELECT id, centre_id, queued_at FROM case_file WHERE centre_id = :c"
            " AND queued_at IS NOT NULL ORDER BY queued_at, id LIMIT 1"
        ),
        {"c": centre_id},
    ).one_or_none()
    if first is None or not _fits(session, first, on):
        return None
    return int(first.id)
