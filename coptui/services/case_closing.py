"""What closing a case does to the calendar: its sessions after the last day are freed.

A case closed on ``on`` keeps everything up to and including that day (its history). Every
*planned* session that starts after that day is either cancelled (it was about that child
alone) or loses the child, whose seat goes to the first on the waiting list; the child leaves
every waiting list of such sessions. Held and cancelled sessions are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from coptui.domain.timeutil import SOFIA
from coptui.errors import CoptError
from coptui.i18n import _, ngettext
from coptui.services.edits import cancel_event
from coptui.services.places import leave_session
from coptui.services.transaction import sqlstate


@dataclass(frozen=True)
class FreedSessions:
    """What closing a case did (or, read beforehand, will do) to its later sessions.

    ``kept`` counts the sessions this person may not change (a specialist closing a case in a
    session another leads): they stay as they are, for whoever plans them.
    """

    cancelled: int = 0
    left: int = 0
    waiting_lists: int = 0
    offered: int = 0
    kept: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything on the calendar changed (or will)."""
        return bool(self.cancelled or self.left or self.waiting_lists)


def first_moment_after(on: date) -> datetime:
    """The start of the day after ``on`` in the centre's time zone."""
    return datetime.combine(on + timedelta(days=1), time(0), tzinfo=SOFIA)


# The planned sessions of the case that start after its last day, and whether each is the
# child's own: no other case (by the event's copy of its cases, which every staff member may
# read, unlike the other children's links) and individual work or no programme.
_LATER_SQL = text(
    "SELECT e.id, e.version, coalesce(cardinality(e.case_ids), 0) <= 1"
    " AND (e.kind = 'individual' OR e.programme_id IS NULL) AS own"
    " FROM event e JOIN event_case l ON l.event_id = e.id AND l.case_id = :c"
    " WHERE e.status = 'planned' AND lower(e.during) >= :after"
    " ORDER BY lower(e.during), e.id"
)

_WAITING_SQL = (
    " FROM waitlist_entry w JOIN event e ON e.id = w.event_id"
    " WHERE w.case_id = :c AND e.status = 'planned' AND lower(e.during) >= :after"
)


def later_sessions(session: Session, *, case_id: int, on: date) -> FreedSessions:
    """What closing the case on ``on`` would do: the sessions cancelled, places freed and
    waiting lists left (nothing is written; ``offered`` is known only when it is done)."""
    params = {"c": case_id, "after": first_moment_after(on)}
    rows = session.execute(_LATER_SQL, params).all()
    waiting = session.execute(text("SELECT count(*)" + _WAITING_SQL), params).scalar_one()
    own = sum(1 for r in rows if r.own)
    return FreedSessions(cancelled=own, left=len(rows) - own, waiting_lists=int(waiting))


def free_later_sessions(session: Session, *, case_id: int, on: date) -> FreedSessions:
    """Take a case just closed on ``on`` out of every planned session after that day.

    The child's own sessions are cancelled through ``cancel_event`` (reason «The case was
    closed»); in a group or programme session the child's seat is freed with
    ``leave_session`` and offered to the first on its waiting list; the child leaves the
    waiting lists of later sessions first, so no seat is offered back to it.

    Returns:
        The counts of what was done.
    """
    params = {"c": case_id, "after": first_moment_after(on)}
    waiting = _guarded(
        session,
        lambda: session.execute(
            text(
                "DELETE FROM waitlist_entry x USING event e WHERE x.event_id = e.id"
                " AND x.case_id = :c AND e.status = 'planned' AND lower(e.during) >= :after"
                " RETURNING x.event_id"
            ),
            params,
        ).all(),
    )
    cancelled = left = offered = kept = 0
    reason = _("The case was closed")
    for row in session.execute(_LATER_SQL, params).all():
        if row.own:
            done = _guarded(
                session,
                lambda r=row: cancel_event(
                    session, event_id=r.id, version=r.version, reason=reason
                ),
            )
            cancelled += done is not None
            kept += done is None
            continue
        moved = _guarded(session, lambda r=row: _leave(session, event_id=r.id, case_id=case_id))
        if moved is None:
            kept += 1
            continue
        left += 1
        offered += moved[0] is not None
    return FreedSessions(
        cancelled=cancelled,
        left=left,
        waiting_lists=len(waiting or ()),
        offered=offered,
        kept=kept,
    )


def _leave(session: Session, *, event_id: int, case_id: int) -> tuple[int | None] | None:
    """Leave the session; ``None`` when row-level security kept the child in it."""
    taken = leave_session(session, event_id=event_id, case_id=case_id)
    still = session.execute(
        text("SELECT 1 FROM event_case WHERE event_id = :e AND case_id = :c"),
        {"e": event_id, "c": case_id},
    ).first()
    return None if still is not None else (taken,)


def _guarded(session: Session, step: Any) -> Any:
    """Run ``step`` in a savepoint; ``None`` (and nothing written) when this person may not.

    A specialist may close a case of their caseload, yet not change a session another leads
    nor a waiting list: those stay for whoever plans them, and the case still closes.
    """
    savepoint = session.begin_nested()
    try:
        result = step()
    except CoptError:
        savepoint.rollback()
        return None
    except DBAPIError as exc:
        savepoint.rollback()
        if sqlstate(exc) != "42501":  # insufficient privilege
            raise
        return None
    if result is None:
        savepoint.rollback()
        return None
    savepoint.commit()
    return result


def _parts(freed: FreedSessions, *, done: bool) -> list[str]:
    parts = []
    if freed.cancelled:
        parts.append(
            (
                ngettext("{n} session cancelled", "{n} sessions cancelled", freed.cancelled)
                if done
                else ngettext(
                    "{n} session will be cancelled", "{n} sessions will be cancelled",
                    freed.cancelled,
                )
            ).format(n=freed.cancelled)
        )  # fmt: skip
    if freed.left:
        parts.append(
            (
                ngettext("{n} place in a group freed", "{n} places in groups freed", freed.left)
                if done
                else ngettext(
                    "{n} place in a group will be freed", "{n} places in groups will be freed",
                    freed.left,
                )
            ).format(n=freed.left)
        )  # fmt: skip
    if freed.offered and done:
        parts.append(
            ngettext(
                "{n} offered to a waiting child", "{n} offered to waiting children", freed.offered
            ).format(n=freed.offered)
        )
    if freed.waiting_lists:
        parts.append(
            ngettext("off {n} waiting list", "off {n} waiting lists", freed.waiting_lists).format(
                n=freed.waiting_lists
            )
        )
    if freed.kept and done:
        parts.append(
            ngettext(
                "{n} session led by someone else left for the coordinator",
                "{n} sessions led by others left for the coordinator",
                freed.kept,
            ).format(n=freed.kept)
        )
    return parts


def freed_text(freed: FreedSessions) -> str:
    """One line saying what closing did to the later sessions, for a notice or the CLI."""
    parts = _parts(freed, done=True)
    if not parts:
        return _("No later sessions to change.")
    return _("Later sessions: {what}.").format(what="; ".join(parts))


def later_text(freed: FreedSessions, on: date) -> str:
    """One line saying beforehand what closing on ``on`` will do to the later sessions."""
    day = f"{on:%d.%m.%Y}"
    parts = _parts(freed, done=False)
    if not parts:
        return _("It has no sessions after {day}; its history stays.").format(day=day)
    return _("After {day}: {what}. Its history stays.").format(day=day, what="; ".join(parts))
