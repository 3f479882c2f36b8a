"""A volunteer's own assignments, read through the view that names no child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.services.calendar import rows


@dataclass(frozen=True)
class Assignment:
    """One volunteer place of the person logged in: when, where, who leads, what to do.

    ``children`` is how many children take part (a count: a volunteer never sees who).
    Text from the database is cleaned; times are in Europe/Sofia.
    """

    slot_id: int
    event_id: int
    title: str
    start: datetime
    end: datetime
    room: str
    lead: str
    status: str
    task: str
    slot_status: str
    children: int


def my_assignments(db: Any, *, since: datetime, limit: int = 200) -> list[Assignment]:
    """The assignments of the login in use that end after ``since``, the soonest first.

    Args:
        db: a psycopg connection or a SQLAlchemy session.
        since: an aware moment (usually the start of today).
        limit: at most this many.

    Returns:
        Cancelled events included (the volunteer should know), as plain rows.
    """
    found = rows(
        db,
        f"SELECT {_COLUMNS} FROM coptui_my_assignments WHERE ends > %(since)s"
        " ORDER BY starts, slot_id LIMIT %(limit)s",
        {"since": since, "limit": limit},
    )
    return [_assignment(row) for row in found]


def open_places(db: Any, *, since: datetime, limit: int = 200) -> list[Assignment]:
    """The open volunteer places of the caller's centre that start after ``since``.

    Read through the view that names no child (``coptui_open_slots``): the events still
    planned, the soonest first; the login's own places are not among them.
    """
    found = rows(
        db,
        f"SELECT {_COLUMNS} FROM coptui_open_slots WHERE starts > %(since)s"
        " ORDER BY starts, slot_id LIMIT %(limit)s",
        {"since": since, "limit": limit},
    )
    return [_assignment(row) for row in found]


_COLUMNS = "slot_id, event_id, title, starts, ends, room, lead, status, task, slot_status, children"


def _assignment(row: Any) -> Assignment:
    """One row of either volunteer view, its stored text cleaned."""
    slot_id, event_id, title, starts, ends, room, lead, status, task, slot_status, children = row
    return Assignment(
        slot_id=slot_id,
        event_id=event_id,
        title=clean(title),
        start=starts.astimezone(SOFIA),
        end=ends.astimezone(SOFIA),
        room=clean(room or ""),
        lead=clean(lead or ""),
        status=str(status),
        task=clean(task or ""),
        slot_status=str(slot_status),
        children=int(children or 0),
    )
