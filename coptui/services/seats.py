"""A programme session's seats as the event form counts them: the live line, the children who
do not fit, and the waiting list for them once the session is saved.

A new event has no lock to take (nobody can join it before it is written); an edited one is
checked again under its lock by ``edits.edit_event``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.errors import CapacityError, NotFoundError
from coptui.i18n import _
from coptui.services.booking import BookingRequest
from coptui.services.event_reads import load_event
from coptui.services.places import join_session


@dataclass(frozen=True)
class SeatCount:
    """The places of a programme session as a form has it: taken (typed) of the seats."""

    programme: str
    taken: int
    seats: int | None

    @property
    def over(self) -> int:
        """How many children do not fit."""
        return 0 if self.seats is None else max(self.taken - self.seats, 0)


def seat_count(session: Session, *, programme_id: int, case_ids: Sequence[int]) -> SeatCount:
    """How the children typed for a session of ``programme_id`` fit its seats."""
    p = session.execute(
        text("SELECT title, capacity FROM programme WHERE id = :p"), {"p": programme_id}
    ).one_or_none()
    if p is None:
        raise NotFoundError(_("No such programme."))
    return SeatCount(programme=clean(p.title), taken=len(case_ids), seats=p.capacity)


def fit_to_seats(
    case_ids: Sequence[int], seats: int | None, already: Sequence[int] = ()
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The children who keep or take a place, and those left for the waiting list.

    Children already in the session (``already``) keep theirs; the newcomers take the
    places left in the order typed.
    """
    if seats is None or len(case_ids) <= seats:
        return tuple(case_ids), ()
    kept = [c for c in case_ids if c in set(already)]
    for c in case_ids:
        if c not in kept and len(kept) < seats:
            kept.append(c)
    order = {c: n for n, c in enumerate(case_ids)}
    kept.sort(key=order.__getitem__)
    return tuple(kept), tuple(c for c in case_ids if c not in set(kept))


class SeatsOverError(CapacityError):
    """More children typed for a programme session than it has seats; ``extra`` do not fit."""

    def __init__(self, message: str, *, extra: Sequence[int]) -> None:
        super().__init__(message, title=_("Session full"))
        self.extra = tuple(extra)


def seat_line(count: SeatCount) -> str:
    """The seats as the event form says them as you type: «„Арт ателие“: 8 от 10 места заети»."""
    if count.seats is None:
        return _("„{title}“: {n} children, places not limited").format(
            title=count.programme, n=count.taken
        )
    if count.over:
        return _(
            "„{title}“: {n} children for {seats} places; saving offers the waiting list for {over}"
        ).format(title=count.programme, n=count.taken, seats=count.seats, over=count.over)
    return _("„{title}“: {n} of {seats} places taken").format(
        title=count.programme, n=count.taken, seats=count.seats
    )


def fit_request(
    session: Session, *, request: BookingRequest, event_id: int | None, waitlist: bool
) -> tuple[BookingRequest, tuple[int, ...]]:
    """A booking or edit of a programme session cut to its seats, and the children left over.

    Args:
        event_id: the event being edited (its children keep their places), or ``None``.
        waitlist: cut the request, the rest to go on the waiting list once it is saved.

    Raises:
        SeatsOverError: too many children and ``waitlist`` is false (it names who is left).
    """
    if request.programme_id is None or not request.case_ids:
        return request, ()
    count = seat_count(session, programme_id=request.programme_id, case_ids=request.case_ids)
    if not count.over:
        return request, ()
    already = load_event(session, event_id).cases if event_id is not None else ()
    kept, extra = fit_to_seats(request.case_ids, count.seats, already)
    if not waitlist:
        codes = session.execute(
            text("SELECT id, code FROM case_file WHERE id = ANY(:ids)"), {"ids": list(extra)}
        ).all()
        names = {r.id: clean(r.code) for r in codes}
        raise SeatsOverError(
            _(
                "„{title}“ has {seats} places and {n} children are typed: {codes} would go on"
                " the waiting list."
            ).format(
                title=count.programme,
                seats=count.seats,
                n=count.taken,
                codes=", ".join(names.get(c, "?") for c in extra),
            ),
            extra=extra,
        )
    return replace(request, case_ids=kept), extra


def put_on_waiting_lists(
    session: Session, *, event_ids: Sequence[int], case_ids: Sequence[int]
) -> None:
    """Put each case on the waiting list of each event (the sessions just saved, full)."""
    for event_id in event_ids:
        for case_id in case_ids:
            join_session(session, event_id=event_id, case_id=case_id, waitlist=True)


def programme_seats(session: Session, request: BookingRequest) -> SeatCount | None:
    """The seats of the programme a form links its event to (``None``: no programme)."""
    if request.programme_id is None:
        return None
    return seat_count(session, programme_id=request.programme_id, case_ids=request.case_ids)
