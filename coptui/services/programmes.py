"""Programmes as a coordinator plans them: their sessions, who is enrolled, who waits, offers.

A programme (арт ателие, еко ваканция, …) is a set of events that carry its id: a weekly
series, or a block of days. Enrolling a case in the whole programme joins it to every
upcoming session through ``places.join_session`` (each under that session's lock, in date
order, so two enrolments never wait on each other in opposite orders); a place freed in a
session is offered to the first waiting child who is free then (``places.leave_session``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean, clean_notes, clean_optional
from coptui.domain.timeutil import SOFIA, local
from coptui.errors import (
    BadInputError,
    CapacityError,
    NotFoundError,
    RefusedError,
    SlotTakenError,
)
from coptui.i18n import _
from coptui.services.calendar import rows
from coptui.services.event_reads import load_event
from coptui.services.places import SessionFullError, join_session, leave_session


@dataclass(frozen=True)
class Seat:
    """A child in a session, or on its waiting list (``position``: 1 is first in line)."""

    case_id: int
    code: str
    offered: bool = False  # a place freed and held for this child, not yet confirmed
    position: int | None = None


@dataclass(frozen=True)
class ProgrammeSession:
    """One session of a programme, with its children, waiting list and volunteers."""

    event_id: int
    title: str
    start: datetime
    end: datetime
    status: str
    room: str | None
    staff: tuple[str, ...]
    seats: int | None  # the places it has (the programme's seats, the room's headcount)
    children: tuple[Seat, ...]
    waiting: tuple[Seat, ...]
    volunteers: tuple[str, ...]
    open_places: int  # volunteer places nobody has taken yet
    series_id: int | None = None

    @property
    def full(self) -> bool:
        """No place is left."""
        return self.seats is not None and len(self.children) >= self.seats


@dataclass(frozen=True)
class ProgrammeView:
    """A programme and every session it has, as the programme screen shows it."""

    id: int
    title: str
    kind: str
    description: str
    lead: str | None
    room: str | None
    capacity: int | None
    volunteers_per_session: int
    starts_on: date | None
    ends_on: date | None
    active: bool
    version: int
    sessions: tuple[ProgrammeSession, ...]

    def enrolled(self, after: datetime) -> list[tuple[str, int]]:
        """The children in sessions from ``after`` on, with how many of them each is in."""
        counts: dict[str, int] = {}
        for s in self.sessions:
            if s.start >= after and s.status == "planned":
                for child in s.children:
                    counts[child.code] = counts.get(child.code, 0) + 1
        return sorted(counts.items())

    def waiting(self, after: datetime) -> list[tuple[str, int, int]]:
        """The children waiting in sessions from ``after`` on: code, best place, sessions."""
        best: dict[str, tuple[int, int]] = {}
        for s in self.sessions:
            if s.start >= after and s.status == "planned":
                for seat in s.waiting:
                    place, n = best.get(seat.code, (seat.position or 0, 0))
                    best[seat.code] = (min(place, seat.position or place), n + 1)
        return sorted(((code, p, n) for code, (p, n) in best.items()), key=lambda w: (w[1], w[0]))


_PROGRAMME_SQL = text(
    "SELECT p.id, p.title, p.kind, p.description, s.full_name AS lead, r.name AS room,"
    " p.capacity, p.volunteers_per_session, p.starts_on, p.ends_on, p.active, p.version"
    " FROM programme p LEFT JOIN staff s ON s.id = p.lead_id"
    " LEFT JOIN room r ON r.id = p.room_id WHERE p.id = :p"
)

# The seats of a session are those join_session counts: the programme's seats, and what the
# room's headcount leaves after its staff and volunteers.
_SESSIONS_SQL = text(
    "SELECT e.id, e.title, lower(e.during) AS s, upper(e.during) AS u, e.status, r.name AS room,"
    " e.series_id,"
    " ARRAY(SELECT st.full_name FROM event_staff l JOIN staff st ON st.id = l.staff_id"
    "       WHERE l.event_id = e.id ORDER BY l.is_lead DESC, st.full_name) AS staff,"
    " ARRAY(SELECT v.full_name FROM roster_slot l JOIN volunteer v ON v.id = l.volunteer_id"
    "       WHERE l.event_id = e.id AND l.status <> 'declined' ORDER BY v.full_name)"
    "       AS volunteers,"
    " (SELECT count(*) FROM roster_slot l WHERE l.event_id = e.id AND l.status = 'open')"
    "       AS open_places,"
    " CASE WHEN r.max_people IS NULL THEN p.capacity ELSE least(p.capacity, r.max_people"
    "   - (SELECT count(*) FROM event_staff l WHERE l.event_id = e.id)"
    "   - (SELECT count(*) FROM roster_slot l WHERE l.event_id = e.id"
    "      AND l.status <> 'declined')) END AS seats"
    " FROM event e JOIN programme p ON p.id = e.programme_id"
    " LEFT JOIN room r ON r.id = e.room_id"
    " WHERE e.programme_id = :p ORDER BY lower(e.during), e.id"
)

_SEATS_SQL = text(
    "SELECT l.event_id, l.case_id, c.code, l.offered_at IS NOT NULL AS offered"
    " FROM event_case l JOIN case_file c ON c.id = l.case_id"
    " JOIN event e ON e.id = l.event_id WHERE e.programme_id = :p ORDER BY c.code"
)

_WAITING_SQL = text(
    "SELECT w.event_id, w.case_id, c.code,"
    " row_number() OVER (PARTITION BY w.event_id ORDER BY w.created_at, w.id) AS n"
    " FROM waitlist_entry w JOIN case_file c ON c.id = w.case_id"
    " JOIN event e ON e.id = w.event_id WHERE e.programme_id = :p ORDER BY w.event_id, n"
)


def programme_view(session: Session, *, programme_id: int) -> ProgrammeView:
    """A programme with all its sessions (cancelled ones too), their children and waiting lists.

    Four queries whatever the number of sessions. Stored text comes back cleaned.

    Raises:
        NotFoundError: there is no such programme.
    """
    p = session.execute(_PROGRAMME_SQL, {"p": programme_id}).one_or_none()
    if p is None:
        raise NotFoundError(_("No such programme."))
    children: dict[int, list[Seat]] = {}
    for r in session.execute(_SEATS_SQL, {"p": programme_id}):
        children.setdefault(r.event_id, []).append(
            Seat(case_id=r.case_id, code=clean(r.code), offered=r.offered)
        )
    waiting: dict[int, list[Seat]] = {}
    for r in session.execute(_WAITING_SQL, {"p": programme_id}):
        waiting.setdefault(r.event_id, []).append(
            Seat(case_id=r.case_id, code=clean(r.code), position=int(r.n))
        )
    sessions = tuple(
        ProgrammeSession(
            event_id=r.id,
            title=clean(r.title),
            start=r.s,
            end=r.u,
            status=r.status,
            room=clean_optional(r.room),
            staff=tuple(clean(n) for n in r.staff),
            seats=None if r.seats is None else max(int(r.seats), 0),
            children=tuple(children.get(r.id, ())),
            waiting=tuple(waiting.get(r.id, ())),
            volunteers=tuple(clean(n) for n in r.volunteers),
            open_places=int(r.open_places),
            series_id=r.series_id,
        )
        for r in session.execute(_SESSIONS_SQL, {"p": programme_id})
    )
    return ProgrammeView(
        id=p.id,
        title=clean(p.title),
        kind=p.kind,
        description=clean_notes(p.description or ""),
        lead=clean_optional(p.lead),
        room=clean_optional(p.room),
        capacity=p.capacity,
        volunteers_per_session=p.volunteers_per_session,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        active=p.active,
        version=p.version,
        sessions=sessions,
    )


@dataclass(frozen=True)
class SessionOutcome:
    """What enrolling in the whole programme did in one session.

    ``result``: ``joined``, ``waiting`` (``position`` says where), ``full`` (not written),
    ``busy`` or ``refused`` (``reason`` says why; the session was left out).
    """

    event_id: int
    start: datetime
    result: str
    position: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class ProgrammeEnrolment:
    """What enrolling a case in a whole programme did, session by session."""

    programme: str
    code: str
    outcomes: tuple[SessionOutcome, ...]


class ProgrammeFullError(CapacityError):
    """Some sessions of a programme are full and no waiting list was asked for."""

    def __init__(self, message: str, *, outcomes: Sequence[SessionOutcome]) -> None:
        super().__init__(message, title=_("Session full"))
        self.outcomes = tuple(outcomes)


def _day_time(moment: datetime) -> str:
    return f"{moment.astimezone(SOFIA):%d.%m.%Y %H:%M}"


def enrol_in_programme(
    session: Session, *, programme_id: int, case_id: int, after: datetime, waitlist: bool = False
) -> ProgrammeEnrolment:
    """Enrol a case in every planned session of a programme that starts from ``after`` on.

    A session where the child is elsewhere at that time, or outside the case's terms, is
    left out and named. A full session puts the child on its waiting list when ``waitlist``;
    without it, nothing is written and the refusal names the place each list would give.

    Raises:
        BadInputError: the programme has no upcoming session.
        ProgrammeFullError: a session is full and ``waitlist`` is false (nothing written).
        RefusedError: the child can join none of the sessions (nothing written).
    """
    programme = session.execute(
        text("SELECT title FROM programme WHERE id = :p"), {"p": programme_id}
    ).one_or_none()
    if programme is None:
        raise NotFoundError(_("No such programme."))
    code = session.execute(
        text("SELECT code FROM case_file WHERE id = :c"), {"c": case_id}
    ).scalar_one_or_none()
    if code is None:
        raise NotFoundError(_("No such case."))
    upcoming = session.execute(
        text(
            "SELECT id, lower(during) AS s FROM event WHERE programme_id = :p"
            " AND status = 'planned' AND lower(during) >= :after ORDER BY lower(during), id"
        ),
        {"p": programme_id, "after": after},
    ).all()
    title = clean(programme.title)
    if not upcoming:
        raise BadInputError(_("„{title}“ has no upcoming sessions.").format(title=title))
    outcomes = []
    savepoint = session.begin_nested()  # a refusal below leaves nothing written
    for event in upcoming:
        try:
            joined = join_session(session, event_id=event.id, case_id=case_id, waitlist=waitlist)
        except SessionFullError as exc:
            outcomes.append(SessionOutcome(event.id, event.s, "full", position=exc.position))
        except SlotTakenError as exc:
            outcomes.append(SessionOutcome(event.id, event.s, "busy", reason=exc.message))
        except RefusedError as exc:
            outcomes.append(SessionOutcome(event.id, event.s, "refused", reason=exc.message))
        else:
            result = "joined" if joined.joined else "waiting"
            outcomes.append(
                SessionOutcome(event.id, event.s, result, position=joined.waiting_position)
            )
    full = [o for o in outcomes if o.result == "full"]
    if full:
        days = ", ".join(
            _("{day} (no. {n})").format(day=_day_time(o.start), n=o.position) for o in full
        )
        savepoint.rollback()
        raise ProgrammeFullError(
            _(
                "„{title}“ is full on {n} of its {total} upcoming sessions; on their waiting"
                " lists case {code} would be: {days}."
            ).format(title=title, n=len(full), total=len(outcomes), code=clean(code), days=days),
            outcomes=outcomes,
        )
    if not any(o.result in ("joined", "waiting") for o in outcomes):
        savepoint.rollback()
        raise RefusedError(
            _("Case {code} can join none of the upcoming sessions of „{title}“: {why}").format(
                code=clean(code), title=title, why=outcomes[0].reason
            ),
            title=_("Not enrolled"),
        )
    savepoint.commit()
    return ProgrammeEnrolment(programme=title, code=clean(code), outcomes=tuple(outcomes))


def withdraw(session: Session, *, event_id: int, case_id: int) -> int | None:
    """Take a case out of a session, or off its waiting list.

    A place freed in a planned session is offered to the first waiting child who is free at
    that time (see ``places.leave_session``).

    Returns:
        The case offered the freed place, if any.

    Raises:
        NotFoundError: the case is neither in the session nor on its waiting list.
    """
    event = load_event(session, event_id, lock=True)
    if case_id in event.cases:
        return leave_session(session, event_id=event_id, case_id=case_id)
    gone = session.execute(
        text("DELETE FROM waitlist_entry WHERE event_id = :e AND case_id = :c"),
        {"e": event_id, "c": case_id},
    )
    if not getattr(gone, "rowcount", 0):
        raise NotFoundError(_("The case is neither in the session nor on its waiting list."))
    return None


def confirm_offer(session: Session, *, event_id: int, case_id: int) -> None:
    """The family took the place offered from the waiting list: it is the child's for good.

    Raises:
        NotFoundError: no place was offered to this case in this session.
    """
    done = session.execute(
        text(
            "UPDATE event_case SET offered_at = NULL, version = version + 1"
            " WHERE event_id = :e AND case_id = :c AND offered_at IS NOT NULL"
        ),
        {"e": event_id, "c": case_id},
    )
    if not getattr(done, "rowcount", 0):
        raise NotFoundError(_("No place was offered to this case in this session."))


def offer_warnings(db: Any, *, centre_id: int, staff_id: int | None, today: date) -> list[str]:
    """Places offered from a waiting list and not yet confirmed, for the key worker's status line.

    Args:
        db: a plain psycopg connection or a SQLAlchemy session (see ``calendar.rows``).
        staff_id: the key worker whose cases to tell about; ``None``: every case.
    """
    found = rows(
        db,
        "SELECT c.code, e.title, lower(e.during) FROM event_case l"
        " JOIN case_file c ON c.id = l.case_id JOIN event e ON e.id = l.event_id"
        " WHERE l.centre_id = %(c)s AND l.offered_at IS NOT NULL AND e.status = 'planned'"
        " AND lower(l.during) >= %(from)s"
        " AND (CAST(%(s)s AS integer) IS NULL OR c.key_worker_id = %(s)s)"
        " ORDER BY lower(l.during), c.code",
        {"c": centre_id, "s": staff_id, "from": local(today, time(0))},
    )
    return [
        _(
            "Case {code}: a place in „{title}“ on {when} came free from the waiting list;"
            " confirm it with the family"
        ).format(code=clean(code), title=clean(title), when=_day_time(start))
        for code, title, start in found
    ]
