"""What a booking must fit besides its clashes: a working day, the room's headcount, the
programme's seats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.workdays import WorkCalendar
from coptui.errors import CapacityError, HolidayError, NotFoundError
from coptui.i18n import _, ngettext

if TYPE_CHECKING:
    from coptui.services.booking import BookingRequest


def refuse_non_working_day(calendar: WorkCalendar, day: Any) -> None:
    if not calendar.is_working_day(day):
        name = clean(calendar.holiday_name(day) or "")
        raise HolidayError(
            _("{day} is not a working day{name}; confirm to book it anyway.").format(
                day=f"{day:%d.%m.%Y}", name=f" ({name})" if name else ""
            ),
            title=_("Non-working day"),
        )


def headcount(request: BookingRequest) -> int:
    return (
        len(request.staff_ids)
        + len(request.case_ids)
        + len(request.volunteer_ids)
        + request.open_slots
    )


def refuse_over_headcount(
    request: BookingRequest, room_name: str | None, max_people: int | None
) -> None:
    """The room holds everyone: children, staff, volunteers and open volunteer places."""
    if room_name is None:
        raise NotFoundError(_("No such room."))
    people = headcount(request)
    if max_people is not None and people > max_people:
        raise CapacityError(
            _("{room} holds at most {limit} people; this event has {people}.").format(
                room=clean(room_name), limit=max_people, people=people
            ),
            title=_("Room full"),
        )


def check_programme_seats(session: Session, request: BookingRequest) -> None:
    """A session of a programme holds at most its seats (a new event: nobody else can join it
    before it is written, so no lock is needed).

    Raises:
        CapacityError: more children than the programme has seats.
    """
    if request.programme_id is None or not request.case_ids:
        return
    programme = session.execute(
        text("SELECT title, capacity FROM programme WHERE id = :p AND centre_id = :c"),
        {"p": request.programme_id, "c": request.centre_id},
    ).one_or_none()
    if programme is None:
        raise NotFoundError(_("No such programme."))
    if programme.capacity is not None and len(request.case_ids) > programme.capacity:
        raise CapacityError(
            ngettext(
                "„{title}“ has {seats} place; this session has {n} children.",
                "„{title}“ has {seats} places; this session has {n} children.",
                programme.capacity,
            ).format(
                title=clean(programme.title), seats=programme.capacity, n=len(request.case_ids)
            ),
            title=_("Session full"),
        )


def check_room_headcount(session: Session, request: BookingRequest) -> None:
    if request.room_id is None:
        return
    room = session.execute(
        text("SELECT name, max_people FROM room WHERE id = :r AND centre_id = :c"),
        {"r": request.room_id, "c": request.centre_id},
    ).one_or_none()
    name, max_people = room if room is not None else (None, None)
    refuse_over_headcount(request, name, max_people)
