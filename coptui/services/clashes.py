"""Who holds a room or a person: finding clashes, and the words for a booking refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA, clock_span
from coptui.errors import BadInputError, NotFoundError, SlotTakenError
from coptui.i18n import _
from coptui.services.transaction import sqlstate

if TYPE_CHECKING:
    from coptui.services.booking import BookingRequest


@dataclass(frozen=True)
class Clash:
    """Somebody or something already booked for part of the time.

    Its words (the resource, the title, the people) are stored text, cleaned when the clash
    is made: it is shown in forms and in refusals on stderr (``coptui.domain.text``).
    """

    kind: str  # room / staff / case / volunteer
    resource: str
    event_id: int
    title: str
    start: datetime
    end: datetime
    people: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "resource", clean(self.resource))
        object.__setattr__(self, "title", clean(self.title))
        object.__setattr__(self, "people", tuple(clean(p) for p in self.people))

    def describe(self) -> str:
        """The clash in words a person understands."""
        when = clock_span(self.start, self.end)
        day = self.start.astimezone(SOFIA).strftime("%d.%m.%Y")
        holder = f"„{self.title}“"
        others = [p for p in self.people if p != self.resource]  # not "Анна has … (Анна)"
        if others:
            holder += f" ({', '.join(others)})"
        templates = {
            "room": _("{resource} is taken on {day} {when} by {holder}"),
            "staff": _("{resource} already has {holder} on {day} {when}"),
            "case": _("Case {resource} is already in {holder} on {day} {when}"),
            "volunteer": _("Volunteer {resource} is already in {holder} on {day} {when}"),
        }
        return templates[self.kind].format(
            resource=self.resource, day=day, when=when, holder=holder
        )


def span(start: datetime, end: datetime) -> Range[datetime]:
    """``[start, end)`` as a ``tstzrange`` parameter."""
    return Range(start, end, bounds="[)")


# coptui_clashes() (migration 0004) keeps its plan across transactions; see there why.
_CLASH_SQL = text(
    "SELECT * FROM coptui_clashes(:during, :room_id, CAST(:staff AS int[]),"
    " CAST(:cases AS int[]), CAST(:volunteers AS int[]), CAST(:exclude AS int[]))"
).bindparams(bindparam("during", type_=TSTZRANGE))


def find_clashes(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    room_id: int | None = None,
    staff_ids: Sequence[int] = (),
    case_ids: Sequence[int] = (),
    volunteer_ids: Sequence[int] = (),
    exclude_event_ids: Sequence[int] = (),
) -> list[Clash]:
    """Everything that already holds one of these resources for part of ``[start, end)``."""
    rows = session.execute(
        _CLASH_SQL,
        {
            "room_id": room_id,
            "staff": list(staff_ids),
            "cases": list(case_ids),
            "volunteers": list(volunteer_ids),
            "exclude": list(exclude_event_ids),
            "during": span(start, end),
        },
    ).all()
    return [
        Clash(
            kind=r.kind,
            resource=r.resource,
            event_id=r.event_id,
            title=r.title,
            start=r.starts,
            end=r.ends,
            people=tuple(r.people),
        )
        for r in rows
    ]


def clashes_of(
    session: Session, request: BookingRequest, exclude: Sequence[int] = ()
) -> list[Clash]:
    """Who holds part of what ``request`` asks for, other than the events in ``exclude``."""
    return find_clashes(
        session,
        start=request.start,
        end=request.end,
        room_id=request.room_id,
        staff_ids=request.staff_ids,
        case_ids=request.case_ids,
        volunteer_ids=request.volunteer_ids,
        exclude_event_ids=exclude,
    )


def slot_taken_error(clashes: list[Clash]) -> SlotTakenError:
    """The refusal that names the first three holders (and how many more there are)."""
    if not clashes:
        # The database refused, but the holder was gone by the time we looked.
        return SlotTakenError(_("The time was just taken by someone else; try another time."))
    message = "; ".join(c.describe() for c in clashes[:3])
    if len(clashes) > 3:
        message += " " + _("(and {n} more)").format(n=len(clashes) - 3)
    return SlotTakenError(message, title=_("Slot taken"))


def clash_from_json(found: dict[str, Any]) -> Clash:
    """A row of coptui_clashes() as JSON."""
    return Clash(
        kind=found["kind"],
        resource=found["resource"],
        event_id=found["event_id"],
        title=found["title"],
        start=datetime.fromisoformat(found["starts"]),
        end=datetime.fromisoformat(found["ends"]),
        people=tuple(found["people"]),
    )


def translate_integrity(
    session: Session, exc: IntegrityError, request: BookingRequest, exclude: Sequence[int] = ()
) -> Exception:
    """The error for people that a constraint's refusal of ``request`` stands for."""
    state = sqlstate(exc)
    if state == "23P01":
        return slot_taken_error(clashes_of(session, request, exclude))
    if state == "23503":
        return NotFoundError(_("A room, person, case or programme of this event does not exist."))
    return BadInputError(
        _("The event was refused by the database: {reason}").format(
            reason=str(exc.orig).splitlines()[0]
        )
    )
