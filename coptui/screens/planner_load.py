"""What the planner reads: one load of days and events, and whose week each person had open."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coptui.domain.text import clean
from coptui.i18n import N_, _
from coptui.screens.choice import Choice
from coptui.widgets.weekgrid import Block, Day

if TYPE_CHECKING:
    from coptui.services.calendar import EventRow
    from coptui.services.identity import Identity
    from coptui.services.roster_reads import RosterSummary

AGENDA_DAYS = 14
STATUS = {"planned": N_("planned"), "held": N_("held"), "cancelled": N_("cancelled")}
# How many days each view shows, from its first day.
SPANS = {"week": 7, "day": 1, "agenda": AGENDA_DAYS}


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def opening_days(today: date, width: int) -> tuple[date, str]:
    """The first day and the view the planner opens on: this week, or today on a narrow screen."""
    if width and width < 60:
        return today, "day"
    return monday_of(today), "week"


def home_resource(identity: Identity, last: Choice | None) -> Choice | None:
    """Whose week a person's planner opens on: a specialist's own, else the one open last.

    ``None`` is the centre's group room.
    """
    if identity.role == "specialist" and identity.staff_id is not None:
        return Choice(kind="staff", id=identity.staff_id, name=identity.name)
    return last


@dataclass(frozen=True)
class Shown:
    """What one load brought back: the days of one view from ``first``, and their events.

    The header, the grid and the list are all drawn from one ``Shown``, so they always
    describe the same days.
    """

    first: date
    view: str
    centre_id: int | None
    centre: str
    resource: Choice
    days: list[Day] = field(default_factory=list)
    rows: list[EventRow] = field(default_factory=list)
    shaded: bool = False
    rosters: dict[int, RosterSummary] = field(default_factory=dict)  # volunteers, open places


def read_shown(conn: Any, *, first: date, view: str, resource: Choice | None, shade: bool) -> Shown:
    """Read the days of ``view`` from ``first`` for ``resource`` (a thread, read connection).

    ``resource`` None opens the centre's group room. ``shade`` names holidays and closures too
    (the holiday tables take a moment to import, so the very first load leaves them out).
    With no centre in the database the days come back empty, with ``centre_id`` None.
    """
    from coptui.domain.timeutil import local
    from coptui.services.calendar import agenda, calendar_for, centres, rows
    from coptui.services.roster_reads import roster_summaries

    span = SPANS[view]
    days = [Day(day=first + timedelta(days=n)) for n in range(span)]
    found = centres(conn)
    if not found:
        return Shown(
            first=first,
            view=view,
            centre_id=None,
            centre="",
            resource=Choice(None, None, ""),
            days=days,
            shaded=True,
        )
    centre = found[0]
    chosen = resource
    if chosen is None:
        room = rows(
            conn,
            "SELECT id, name FROM room WHERE centre_id = %(c)s AND kind = 'group_room'"
            " ORDER BY id LIMIT 1",
            {"c": centre.id},
        )
        chosen = (
            Choice(kind="room", id=room[0][0], name=room[0][1])
            if room
            else Choice(kind=None, id=None, name=centre.name)
        )
    # The list has no shading to show.
    shade = shade and view != "agenda"
    if shade:
        days = shaded(days, calendar_for(conn, centre.id))
    events = agenda(
        conn,
        centre_id=centre.id,
        start=local(first, time(0)),
        end=local(first + timedelta(days=span), time(0)),
        resource=chosen.kind,
        resource_id=chosen.id,
    )
    return Shown(
        first=first,
        view=view,
        centre_id=centre.id,
        centre=centre.name,
        resource=chosen,
        days=days,
        rows=events,
        shaded=shade or view == "agenda",
        rosters=roster_summaries(conn, [e.id for e in events]),
    )


def read_first_week(
    conn: Any, *, identity: Identity, home: Path, first: date, view: str
) -> Shown | None:
    """The week a person's planner opens on, read with the connection the start opened.

    ``None`` for a volunteer, whose home is «Моите дейности», not a planner.
    """
    if identity.role == "volunteer":
        return None
    resource = home_resource(identity, remembered(home))
    return read_shown(conn, first=first, view=view, resource=resource, shade=False)


def shaded(days: list[Day], calendar: Any) -> list[Day]:
    """The days with national holidays and the centre's closures named (weekdays only)."""
    result = []
    for shown in days:
        closed = None
        if not calendar.is_working_day(shown.day) and shown.day.weekday() < 5:
            closed = clean(calendar.holiday_name(shown.day) or _("closed"))
        result.append(Day(day=shown.day, closed=closed))
    return result


def block_of(row: EventRow, zone: Any, roster: RosterSummary | None = None) -> Block:
    """An event row as the grid draws it: local times, stored text made harmless."""
    from coptui.services.roster_reads import open_places_text

    return Block(
        id=row.id,
        title=clean(row.title),
        kind=row.kind,
        start=row.start.astimezone(zone),
        end=row.end.astimezone(zone),
        status=row.status,
        room=clean(row.room) if row.room else row.room,
        people=clean(", ".join(row.staff + row.cases)),
        series_id=row.series_id,
        volunteers=clean(", ".join(roster.volunteers)) if roster else "",
        open_places=open_places_text(roster.open_places) if roster else "",
    )


def _state_file(home: Path) -> Path:
    return home / "planner-state.json"


def remembered(home: Path) -> Choice | None:
    """The resource this person had open last time."""
    try:
        data = json.loads(_state_file(home).read_text(encoding="utf-8"))
        mine = data[getpass.getuser()]
        return Choice(kind=mine["kind"], id=mine["id"], name=mine["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(home: Path, choice: Choice) -> None:
    """Keep the resource open now for this person's next start (best effort).

    The file says who looked at which case, so only its owner may read it (0600): it is
    written to a private temporary file and renamed over the old one.
    """
    path = _state_file(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data[getpass.getuser()] = {"kind": choice.kind, "id": choice.id, "name": choice.name}
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file 0600 whatever the umask.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".planner-state.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(data, ensure_ascii=False))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, ValueError):
        pass
