"""One event as it is stored now, with its people, for the services that change it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.errors import NotFoundError, RefusedError
from coptui.i18n import _


def load_event(session: Session, event_id: int, *, lock: bool = False) -> Any:
    if lock:
        # Lock first, read after, in two statements: under READ COMMITTED a statement that
        # waited for the lock would still read the link rows as they were before it waited.
        session.execute(text("SELECT 1 FROM event WHERE id = :id FOR UPDATE"), {"id": event_id})
    row = session.execute(
        text(
            "SELECT e.id, e.centre_id, e.version, e.status, lower(e.during) AS s,"
            " upper(e.during) AS u, e.room_id, e.title, e.kind, e.notes, e.series_id,"
            " e.programme_id,"
            " ARRAY(SELECT staff_id FROM event_staff WHERE event_id = e.id"
            "       ORDER BY is_lead DESC, staff_id) AS staff,"
            " ARRAY(SELECT case_id FROM event_case WHERE event_id = e.id"
            "       ORDER BY case_id) AS cases,"
            " ARRAY(SELECT volunteer_id FROM roster_slot WHERE event_id = e.id"
            "       AND volunteer_id IS NOT NULL AND status <> 'declined'"
            "       ORDER BY id) AS volunteers,"
            " (SELECT count(*) FROM roster_slot WHERE event_id = e.id"
            "       AND volunteer_id IS NULL AND status = 'open') AS open_slots"
            " FROM event e WHERE e.id = :id"
        ),
        {"id": event_id},
    ).one_or_none()
    if row is None:
        raise NotFoundError(_("Event {id} does not exist.").format(id=event_id))
    return row


def refuse_busy_time(event: Any) -> None:
    """Refuse to give busy time (kind ``block``) cases, volunteers or a mark of held.

    Raises:
        RefusedError: ``event`` (from :func:`load_event`) is busy time.
    """
    if event.kind == "block":
        raise RefusedError(
            _("„{title}“ is busy time: it takes no cases, volunteers or attendance.").format(
                title=clean(event.title)
            ),
            title=_("Busy time"),
        )
