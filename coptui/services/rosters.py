"""Volunteer rosters: open places on an event, signing up for one, declining one occurrence
(who could cover it is ranked by ``coptui.services.substitutes``).

A place is a ``roster_slot`` row of one event (one occurrence of a series): ``open`` with no
volunteer, ``assigned``/``confirmed`` with one, or ``declined`` (kept, with the volunteer who
declined, for the record). Everything here acts on one occurrence: cover for one session
never changes its series or the other sessions.

Every write locks the event's row first (after the volunteer's advisory lock, in the order
bookings take them), so twenty volunteers at the last place give exactly one yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.domain.volunteering import (
    Paper,
    in_date,
    papers,
)
from coptui.errors import BadInputError, CapacityError, NotFoundError, RefusedError
from coptui.i18n import _
from coptui.services.clashes import find_clashes, slot_taken_error
from coptui.services.event_reads import load_event, refuse_busy_time
from coptui.services.roster_reads import paper_warning
from coptui.services.stale import stale_error
from coptui.services.transaction import sqlstate

VOLUNTEER_LOCK = 4  # the advisory lock class bookings take for a volunteer (booking.py)
MOST_OPEN_PLACES = 50


@dataclass(frozen=True)
class SignedUp:
    """A volunteer holds a place in an event."""

    event_id: int
    volunteer_id: int
    slot_id: int
    title: str
    start: datetime
    end: datetime


def _touch(session: Session, event_id: int) -> int:
    """A new version of the event: an open form on it must reload before it saves."""
    return int(
        session.execute(
            text(
                "UPDATE event SET version = version + 1, updated_at = now() WHERE id = :e"
                " RETURNING version"
            ),
            {"e": event_id},
        ).scalar_one()
    )


def _live_event(session: Session, event_id: int) -> Any:
    event = load_event(session, event_id, lock=True)
    if event.status == "cancelled":
        raise BadInputError(_("A cancelled event cannot be changed."))
    refuse_busy_time(event)
    return event


def set_open_places(session: Session, *, event_id: int, version: int, count: int) -> int:
    """Make the event have ``count`` open volunteer places (held places stay as they are).

    Args:
        version: the event's version as the caller read it.
        count: the open places wanted, 0 to 50.

    Returns:
        The event's version after the change (``version`` when nothing changed).

    Raises:
        StaleEditError: someone saved the event after ``version`` was read.
        CapacityError: the room cannot hold that many more people.
    """
    if not 0 <= count <= MOST_OPEN_PLACES:
        raise BadInputError(_("Open places is a number from 0 to 50."))
    event = _live_event(session, event_id)
    if event.version != version:
        raise stale_error(session, "event", event_id)
    now = int(event.open_slots)
    if count == now:
        return version
    if count < now:
        session.execute(
            text(
                "DELETE FROM roster_slot WHERE id IN (SELECT id FROM roster_slot"
                " WHERE event_id = :e AND status = 'open' ORDER BY id DESC LIMIT :n)"
            ),
            {"e": event_id, "n": now - count},
        )
        return _touch(session, event_id)
    _check_room(session, event, count - now)
    task = session.execute(
        text(
            "SELECT task FROM roster_slot WHERE event_id = :e ORDER BY status <> 'open', id LIMIT 1"
        ),
        {"e": event_id},
    ).scalar_one_or_none()
    session.execute(
        text(
            "INSERT INTO roster_slot (event_id, centre_id, during, event_status, task)"
            " SELECT id, centre_id, during, status, :task FROM event, generate_series(1, :n)"
            " WHERE id = :e"
        ),
        {"e": event_id, "n": count - now, "task": task or ""},
    )
    return _touch(session, event_id)


def _check_room(session: Session, event: Any, more: int) -> None:
    """The room holds everyone: staff, children, volunteers and open places."""
    if event.room_id is None:
        return
    room = session.execute(
        text("SELECT name, max_people FROM room WHERE id = :r"), {"r": event.room_id}
    ).one()
    people = len(event.staff) + len(event.cases) + len(event.volunteers) + int(event.open_slots)
    if room.max_people is not None and people + more > room.max_people:
        raise CapacityError(
            _("{room} holds at most {limit} people; this event has {people}.").format(
                room=clean(room.name), limit=room.max_people, people=people + more
            ),
            title=_("Room full"),
        )


def _volunteer(session: Session, volunteer_id: int, centre_id: int) -> Any:
    found = session.execute(
        text(
            "SELECT id, full_name, active, skills, agreement_date, agreement_ends,"
            " criminal_record_date FROM volunteer WHERE id = :v AND centre_id = :c"
        ),
        {"v": volunteer_id, "c": centre_id},
    ).one_or_none()
    if found is None:
        raise NotFoundError(_("No such volunteer."))
    return found


def papers_of(volunteer: Any) -> tuple[Paper, Paper]:
    return papers(
        agreement_date=volunteer.agreement_date,
        agreement_ends=volunteer.agreement_ends,
        criminal_record_date=volunteer.criminal_record_date,
    )


def paper_problem(volunteer: Any, on: date) -> str | None:
    """Why ``volunteer`` may not work with children on ``on``, or ``None`` when they may."""
    name = clean(volunteer.full_name)
    for paper in papers_of(volunteer):
        if paper.missing:
            if paper.kind == "agreement":
                return _("{name} has no volunteering agreement on file").format(name=name)
            return _("{name} has no criminal record certificate on file").format(name=name)
        if not in_date(paper, on):
            if paper.first_day is not None and on < paper.first_day:
                return _("the agreement of {name} starts on {day}").format(
                    name=name, day=f"{paper.first_day:%d.%m.%Y}"
                )
            return paper_warning(name, paper.kind, paper.last_day, on)
    return None


def sign_up(session: Session, *, event_id: int, volunteer_id: int) -> SignedUp:
    """Give a volunteer an open place in one event (one occurrence, never its series).

    Args:
        event_id: the event (the occurrence).
        volunteer_id: who takes the place.

    Returns:
        The place taken.

    Raises:
        NotFoundError: no such event or volunteer.
        BadInputError: the event is cancelled or already over.
        RefusedError: the volunteer is inactive, already in the event, or their agreement or
            certificate is not in date on the event's day.
        CapacityError: no place is open (someone took the last one).
        SlotTakenError: the volunteer is elsewhere at that time; the message names where.
    """
    session.execute(
        text("SELECT pg_advisory_xact_lock(:k, :v)"), {"k": VOLUNTEER_LOCK, "v": volunteer_id}
    )
    event = _live_event(session, event_id)
    title = clean(event.title)
    if event.status == "held":
        raise BadInputError(_("„{title}“ has already been held.").format(title=title))
    volunteer = _volunteer(session, volunteer_id, event.centre_id)
    name = clean(volunteer.full_name)
    if not volunteer.active:
        raise RefusedError(
            _("{name} is no longer active as a volunteer.").format(name=name),
            title=_("Not active"),
        )
    if volunteer_id in event.volunteers:
        raise RefusedError(
            _("{name} already has a place in „{title}“.").format(name=name, title=title),
            title=_("Already signed up"),
        )
    problem = paper_problem(volunteer, event.s.astimezone(SOFIA).date())
    if problem:
        raise RefusedError(
            _("{problem}: they cannot take a place with children.").format(problem=problem),
            title=_("Papers not in date"),
        )
    slot = session.execute(
        text(
            "SELECT id FROM roster_slot WHERE event_id = :e AND status = 'open' ORDER BY id LIMIT 1"
        ),
        {"e": event_id},
    ).scalar_one_or_none()
    if slot is None:
        raise CapacityError(
            _("„{title}“ has no open place for volunteers.").format(title=title),
            title=_("No open place"),
        )
    clashes = find_clashes(
        session,
        start=event.s,
        end=event.u,
        volunteer_ids=[volunteer_id],
        exclude_event_ids=[event_id],
    )
    if clashes:
        raise slot_taken_error(clashes)
    savepoint = session.begin_nested()
    try:
        session.execute(
            text(
                "UPDATE roster_slot SET volunteer_id = :v, status = 'assigned',"
                " version = version + 1 WHERE id = :id"
            ),
            {"v": volunteer_id, "id": slot},
        )
    except IntegrityError as exc:
        savepoint.rollback()
        if sqlstate(exc) != "23P01":
            raise
        raise slot_taken_error(
            find_clashes(
                session,
                start=event.s,
                end=event.u,
                volunteer_ids=[volunteer_id],
                exclude_event_ids=[event_id],
            )
        ) from exc
    savepoint.commit()
    _touch(session, event_id)
    return SignedUp(
        event_id=event_id,
        volunteer_id=volunteer_id,
        slot_id=int(slot),
        title=title,
        start=event.s,
        end=event.u,
    )


def decline(session: Session, *, event_id: int, volunteer_id: int) -> int:
    """A volunteer cannot come to one occurrence: their place there opens again.

    The place they held is kept as declined (the record says who declined) and a new open
    place with the same task takes its part; the series and its other occurrences are not
    touched.

    Returns:
        The id of the open place, for a substitute to take.

    Raises:
        BadInputError: the event is cancelled or already held.
        RefusedError: the volunteer has no place in this event.
    """
    event = _live_event(session, event_id)
    if event.status == "held":
        raise BadInputError(_("„{title}“ has already been held.").format(title=clean(event.title)))
    held = session.execute(
        text(
            "UPDATE roster_slot SET status = 'declined', version = version + 1"
            " WHERE id = (SELECT id FROM roster_slot WHERE event_id = :e AND volunteer_id = :v"
            " AND status IN ('assigned', 'confirmed') ORDER BY id LIMIT 1) RETURNING task"
        ),
        {"e": event_id, "v": volunteer_id},
    ).one_or_none()
    if held is None:
        raise RefusedError(_("The volunteer has no place in this event."))
    opened = session.execute(
        text(
            "INSERT INTO roster_slot (event_id, centre_id, during, event_status, task)"
            " SELECT id, centre_id, during, status, :task FROM event WHERE id = :e RETURNING id"
        ),
        {"e": event_id, "task": held.task},
    ).scalar_one()
    _touch(session, event_id)
    return int(opened)
