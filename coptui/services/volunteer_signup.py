"""A volunteer signs themselves up for an open place, under row-level security.

A volunteer's login reads no event and no case: it sees its own places through the view
``coptui_my_assignments`` and the open places of its centre through ``coptui_open_slots``,
and migration 0009 lets it take an open place by writing its own volunteer id into it
(``roster_slot`` policy ``sign_up``). This keeps the rules of
:func:`coptui.services.rosters.sign_up` on that narrow path:

- one winner for the last place: the write is ``… WHERE id = :slot AND status = 'open'``;
  a second volunteer waits on the row's lock and then finds it taken (and the trigger that
  copies the event's people locks the event's row, as a coordinator's sign-up does);
- free at that time: the exclusion constraint on ``roster_slot`` judges; the refusal names
  the volunteer's own activity at that time, never a child;
- active, and both papers in date on the session's day (``coptui.domain.volunteering``);
- only the login's own volunteer record: the id comes from ``coptui_my_volunteer()``, and
  the policy refuses any other.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import CapacityError, RefusedError, SlotTakenError
from coptui.i18n import _
from coptui.services.rosters import VOLUNTEER_LOCK, SignedUp, paper_problem
from coptui.services.transaction import sqlstate


def _busy(session: Session, *, event_id: int, slot_id: int) -> SlotTakenError | None:
    """The caller's own place that overlaps the open place ``slot_id``, as a refusal."""
    found = session.execute(
        text(
            "SELECT m.title, m.starts, m.ends FROM coptui_my_assignments m, coptui_open_slots o"
            " WHERE o.slot_id = :s AND m.event_id <> :e AND m.status <> 'cancelled'"
            " AND m.slot_status <> 'declined'"
            " AND tstzrange(m.starts, m.ends) && tstzrange(o.starts, o.ends)"
            " ORDER BY m.starts LIMIT 1"
        ),
        {"s": slot_id, "e": event_id},
    ).one_or_none()
    if found is None:
        return None
    return _busy_error(clean(found.title), found.starts, found.ends)


def _busy_error(title: str, starts: object, ends: object) -> SlotTakenError:
    from datetime import datetime

    assert isinstance(starts, datetime) and isinstance(ends, datetime)
    start, end = starts.astimezone(SOFIA), ends.astimezone(SOFIA)
    return SlotTakenError(
        _("You are already at „{title}“ on {day} {start}–{end}.").format(
            title=title, day=f"{start:%d.%m.%Y}", start=f"{start:%H:%M}", end=f"{end:%H:%M}"
        ),
        title=_("Slot taken"),
    )


def sign_up_myself(session: Session, *, slot_id: int) -> SignedUp:
    """Take the open place ``slot_id`` for the volunteer logged in (one occurrence).

    Returns:
        The place taken (:func:`signed_up_line` says it in one line).

    Raises:
        RefusedError: the login is not an active volunteer, already has a place in the
            event, or their agreement or certificate is not in date on the event's day.
        CapacityError: the place is no longer open (someone took it, or the event was
            cancelled, held or moved into the past).
        SlotTakenError: the volunteer has another activity at that time.
    """
    me = session.execute(
        text(
            "SELECT id, full_name, active, agreement_date, agreement_ends, criminal_record_date"
            " FROM volunteer WHERE login = session_user ORDER BY active DESC, id LIMIT 1"
        )
    ).one_or_none()
    if me is None:
        raise RefusedError(
            _("This login is not linked to a volunteer; ask the coordinator to link it."),
            title=_("Not a volunteer"),
        )
    name = clean(me.full_name)
    if not me.active:
        raise RefusedError(
            _("{name} is no longer active as a volunteer.").format(name=name),
            title=_("Not active"),
        )
    volunteer_id = int(me.id)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:k, :v)"), {"k": VOLUNTEER_LOCK, "v": volunteer_id}
    )
    place = session.execute(
        text("SELECT event_id, title, starts, ends FROM coptui_open_slots WHERE slot_id = :s"),
        {"s": slot_id},
    ).one_or_none()
    if place is None:
        raise CapacityError(
            _("This place is no longer open; someone else took it."),
            title=_("No open place"),
        )
    event_id = int(place.event_id)
    title = clean(place.title)
    held = session.execute(
        text(
            "SELECT 1 FROM coptui_my_assignments WHERE event_id = :e"
            " AND slot_status IN ('assigned', 'confirmed')"
        ),
        {"e": event_id},
    ).first()
    if held is not None:
        raise RefusedError(
            _("{name} already has a place in „{title}“.").format(name=name, title=title),
            title=_("Already signed up"),
        )
    problem = paper_problem(me, place.starts.astimezone(SOFIA).date())
    if problem:
        raise RefusedError(
            _("{problem}: they cannot take a place with children.").format(problem=problem),
            title=_("Papers not in date"),
        )
    busy = _busy(session, event_id=event_id, slot_id=slot_id)
    if busy is not None:
        raise busy
    savepoint = session.begin_nested()
    try:
        taken = session.execute(
            text(
                "UPDATE roster_slot SET volunteer_id = (SELECT public.coptui_my_volunteer()),"
                " status = 'assigned', version = version + 1"
                " WHERE id = :s AND status = 'open' RETURNING id"
            ),
            {"s": slot_id},
        ).scalar_one_or_none()
    except IntegrityError as exc:
        savepoint.rollback()
        if sqlstate(exc) != "23P01":
            raise
        # The database is the judge; the place that holds the time, if we may see it now.
        raise _busy(session, event_id=event_id, slot_id=slot_id) or SlotTakenError(
            _("You are already busy at that time."), title=_("Slot taken")
        ) from exc
    savepoint.commit()
    if taken is None:
        raise CapacityError(
            _("This place is no longer open; someone else took it."),
            title=_("No open place"),
        )
    return SignedUp(
        event_id=event_id,
        volunteer_id=volunteer_id,
        slot_id=int(taken),
        title=title,
        start=place.starts.astimezone(SOFIA),
        end=place.ends.astimezone(SOFIA),
    )


def signed_up_line(place: SignedUp) -> str:
    """One line for the volunteer: which place they now hold."""
    return _("You have a place in „{title}“ on {day} {start}–{end}.").format(
        title=place.title,
        day=f"{place.start:%d.%m.%Y}",
        start=f"{place.start:%H:%M}",
        end=f"{place.end:%H:%M}",
    )
