"""The week a printout shows: one resource's events, its days and holidays, the centre's name.

Runs on the planner's plain psycopg connection or on a SQLAlchemy session, like
``services/calendar.py``, whose readers it reuses; every text in it comes back cleaned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from coptui.domain.timeutil import week_start
from coptui.services.calendar import EventRow, calendar_for, centre_week, centres, resource_week
from coptui.services.redaction import centre_redactor

#: What a printout can be of (``None``: the whole centre).
PRINTABLE = ("room", "staff", "volunteer", "programme", "case")


@dataclass(frozen=True)
class PrintedDay:
    """One day of the printed week: its date, and the holiday or closure that falls on it."""

    day: date
    holiday: str | None = None
    working: bool = True


@dataclass(frozen=True)
class PrintedWeek:
    """Everything a printed week shows (a display read model: its text is cleaned)."""

    centre: str  # the centre's name and town
    kind: str | None  # room, staff, volunteer, programme, case; None for the whole centre
    name: str  # whose week
    monday: date
    days: tuple[PrintedDay, ...]
    events: tuple[EventRow, ...]  # live events only, by start


def read_printed_week(
    db: Any,
    *,
    centre_id: int,
    kind: str | None,
    resource_id: int | None,
    name: str,
    day: date,
    lang: str = "bg",
) -> PrintedWeek:
    """Read the week (Monday to Sunday) that holds ``day`` for one resource or the centre.

    Args:
        db: a psycopg connection or a SQLAlchemy session.
        kind: one of :data:`PRINTABLE`, or ``None`` for the whole centre's week.
        resource_id: the room's, person's, programme's or case's id (ignored for the centre).
        name: whose week, as the header names it (cleaned here again).
        lang: the language of the holidays' names (``bg`` or ``en``).

    Returns:
        The week with its cancelled events left out (a printout shows what will happen), and
        children's and families' names blanked out of titles (but in a case's own week).
    """
    from coptui.domain.text import clean

    monday = week_start(day)
    if kind is None:
        found = centre_week(db, centre_id=centre_id, monday=monday)
    else:
        assert resource_id is not None
        found = resource_week(
            db, centre_id=centre_id, resource=kind, resource_id=resource_id, monday=monday
        )
    calendar = replace(calendar_for(db, centre_id), lang=lang)
    days = tuple(
        PrintedDay(
            day=d,
            holiday=calendar.holiday_name(d),
            working=calendar.is_working_day(d),
        )
        for d in (monday + timedelta(days=n) for n in range(7))
    )
    centre = next((c for c in centres(db) if c.id == centre_id), None)
    title = _centre_line(centre.name, centre.town) if centre else ""
    return PrintedWeek(
        centre=title,
        kind=kind,
        name=clean(name),
        monday=monday,
        days=days,
        events=_without_names(db, centre_id, kind, found),
    )


def _without_names(
    db: Any, centre_id: int, kind: str | None, found: list[EventRow]
) -> tuple[EventRow, ...]:
    """The live events, their titles without a child's or family's name: a printed week is
    pinned on a door. A case's own week (for its family) keeps them."""
    live = [e for e in found if e.status != "cancelled"]
    if kind == "case" or not live:
        return tuple(live)
    blank = centre_redactor(db, centre_id, codes=False).blank
    return tuple(e._replace(title=blank(e.title)) for e in live)


def _centre_line(name: str, town: str | None) -> str:
    """The centre's name, and its town unless the name already says it."""
    if town and town.casefold() not in name.casefold():
        return f"{name}, {town}"
    return name
