"""The rows of one calendar for an iCalendar export, read as the person's role allows.

A room's, a staff member's, a volunteer's or a programme's events overlapping a window, the
cancelled ones too, and every series one of them belongs to, whole (its rule, and all its
events on that calendar, so that the file says the truth about every date the rule names).
A volunteer exports only their own activities, read through the view that names no child.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean, clean_optional
from coptui.errors import PermissionDeniedError
from coptui.export.ics import IcsEvent, IcsSeries
from coptui.i18n import _
from coptui.services.identity import current_identity
from coptui.services.redaction import centre_redactor

RESOURCES = ("room", "staff", "volunteer", "programme")

# Whose events: the link rows stay after a cancellation (they carry its status), so the
# cancelled events of a person are found too.
_WHOSE = {
    "room": "e.room_id = :rid",
    "staff": "e.id IN (SELECT l.event_id FROM event_staff l WHERE l.staff_id = :rid)",
    "volunteer": "e.id IN (SELECT l.event_id FROM roster_slot l WHERE l.volunteer_id = :rid"
    " AND l.status <> 'declined')",
    "programme": "e.programme_id = :rid",
}
_EVENT_COLUMNS = """
SELECT e.id, e.title, lower(e.during) AS s, upper(e.during) AS u, e.status, r.name AS room,
       e.staff_ids, e.series_id, e.occurrence_start, e.updated_at, e.version
  FROM event e LEFT JOIN room r ON r.id = e.room_id
"""


@dataclass(frozen=True)
class IcsRows:
    """What an export holds: single events and whole series, with their words cleaned."""

    centre_id: int
    centre_name: str
    singles: tuple[IcsEvent, ...]
    series: tuple[IcsSeries, ...]


def _staff_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = session.execute(
        text("SELECT id, full_name FROM staff WHERE id = ANY(:ids)"), {"ids": sorted(ids)}
    )
    return {int(i): clean(name) for i, name in found}


def _events(session: Session, where: str, params: dict[str, Any], redact: Any) -> list[IcsEvent]:
    found = session.execute(text(f"{_EVENT_COLUMNS} WHERE {where} ORDER BY 3, 1"), params).all()
    names = _staff_names(session, {i for row in found for i in row.staff_ids})
    return [
        IcsEvent(
            id=row.id,
            title=redact(clean(row.title)),
            start=row.s,
            end=row.u,
            status=row.status,
            room=clean_optional(row.room),
            staff=tuple(names.get(i, "?") for i in row.staff_ids),
            series_id=row.series_id,
            occurrence_start=row.occurrence_start,
            updated=row.updated_at,
            version=row.version,
        )
        for row in found
    ]


def _volunteer_rows(session: Session, start: datetime, end: datetime) -> list[IcsEvent]:
    """The caller's own activities through ``coptui_my_assignments`` (no child, no case)."""
    found = session.execute(
        text(
            "SELECT event_id, title, starts, ends, room, lead, status FROM coptui_my_assignments"
            " WHERE starts < :b AND ends > :a AND slot_status <> 'declined' ORDER BY starts"
        ),
        {"a": start, "b": end},
    ).all()
    return [
        IcsEvent(
            id=row.event_id,
            title=clean(row.title),
            start=row.starts,
            end=row.ends,
            status=row.status,
            room=clean_optional(row.room),
            staff=(clean(row.lead),) if row.lead else (),
        )
        for row in found
    ]


def export_rows(
    session: Session,
    *,
    centre_id: int,
    resource: str,
    resource_id: int,
    start: datetime,
    end: datetime,
) -> IcsRows:
    """The events of one calendar overlapping ``[start, end)``, for ``build_calendar``.

    Args:
        resource: ``room``, ``staff``, ``volunteer`` or ``programme``.
        resource_id: its id in the centre.

    Returns:
        Single events in the window, and every series that has an event of this calendar in
        the window, with all of that series' events on this calendar.

    Raises:
        PermissionDeniedError: a volunteer asked for anything but their own activities.
    """
    me = current_identity(session)
    centre_name = clean(
        session.execute(text("SELECT name FROM centre WHERE id = :c"), {"c": centre_id}).scalar()
        or ""
    )
    if me.role == "volunteer":
        if resource != "volunteer" or resource_id != me.volunteer_id:
            raise PermissionDeniedError(
                _("A volunteer exports only their own activities: --volunteer with your name."),
                title=_("No rights"),
            )
        singles = _volunteer_rows(session, start, end)
        return IcsRows(centre_id, centre_name, tuple(singles), ())
    redact = centre_redactor(session, centre_id, codes=True).blank
    whose = _WHOSE[resource]
    params = {"c": centre_id, "rid": resource_id, "a": start, "b": end}
    in_window = _events(
        session,
        f"e.centre_id = :c AND {whose} AND e.during && tstzrange(:a, :b)",
        params,
        redact,
    )
    singles = [e for e in in_window if e.series_id is None]
    series_ids = sorted({e.series_id for e in in_window if e.series_id is not None})
    series: list[IcsSeries] = []
    if series_ids:
        members = _events(
            session,
            f"e.centre_id = :c AND {whose} AND e.series_id = ANY(:ids)",
            {**params, "ids": series_ids},
            redact,
        )
        rules = session.execute(
            text(
                "SELECT id, rrule, local_start, timezone, duration_minutes FROM series"
                " WHERE id = ANY(:ids) ORDER BY id"
            ),
            {"ids": series_ids},
        ).all()
        for rule in rules:
            series.append(
                IcsSeries(
                    id=rule.id,
                    rrule=rule.rrule,
                    local_start=rule.local_start,
                    timezone=rule.timezone,
                    duration_minutes=rule.duration_minutes,
                    events=tuple(e for e in members if e.series_id == rule.id),
                )
            )
    return IcsRows(centre_id, centre_name, tuple(singles), tuple(series))
