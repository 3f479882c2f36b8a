"""Series edited as series: an occurrence, it and the following, or all, previewed first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from coptui.domain.timeutil import SOFIA, elapsed_minutes, end_after, local_checked
from coptui.i18n import _
from coptui.services.booking import BookedEvent, validate_request
from coptui.services.calendar import calendar_for
from coptui.services.clashes import Clash, clashes_of
from coptui.services.edits import EventChanges, edit_event, merged, scope_ids
from coptui.services.event_reads import load_event
from coptui.services.stale import stale_error


@dataclass(frozen=True)
class PlannedChange:
    """One occurrence of a series edit: where it goes, and what stands in its way there."""

    event_id: int
    old_start: datetime
    start: datetime
    end: datetime
    clashes: tuple[Clash, ...] = ()
    holiday: str | None = None  # the name of the non-working day it would move to

    @property
    def blocked(self) -> bool:
        """Something holds the new time, or the new day is not a working day."""
        return bool(self.clashes) or self.holiday is not None


def _new_times(
    current: Any, rows: list[Any], changes: EventChanges
) -> list[tuple[Any, datetime, datetime]]:
    """Each row's new ``[start, end)`` under ``changes`` made to the occurrence ``current``.

    The shift is in days on the calendar and the start is a time on the wall clock (10:00
    stays 10:00 across a clock change); the length is elapsed time. A wall-clock time that
    does not exist on some occurrence's day is refused (``local_checked``).
    """
    if changes.start is None and changes.end is None:
        return [(row, row.s, row.u) for row in rows]
    new_start = (changes.start or current.s).astimezone(SOFIA)
    minutes = elapsed_minutes(new_start, changes.end or current.u)
    day_shift = new_start.date() - current.s.astimezone(SOFIA).date()
    wall = new_start.time().replace(fold=0)
    planned = []
    for row in rows:
        start = local_checked(row.s.astimezone(SOFIA).date() + day_shift, wall)
        planned.append((row, start, end_after(start, minutes)))
    return planned


def _plan(
    session: Session,
    current: Any,
    ids: list[int],
    changes: EventChanges,
    allow_non_working_day: bool,
    *,
    with_obstacles: bool,
) -> list[tuple[PlannedChange, EventChanges]]:
    rows = [load_event(session, one) for one in ids]
    calendar = calendar_for(session, current.centre_id) if with_obstacles else None
    planned = []
    for row, start, end in _new_times(current, rows, changes):
        own = changes
        if changes.start is not None or changes.end is not None:
            own = replace(changes, start=start, end=end)
        clashes: tuple[Clash, ...] = ()
        holiday = None
        if calendar is not None:
            request = validate_request(merged(row, own, allow_non_working_day))
            # The occurrences edited together move out of each other's way.
            clashes = tuple(clashes_of(session, request, ids))
            day = start.astimezone(SOFIA).date()
            moved_day = day != row.s.astimezone(SOFIA).date()
            if moved_day and not allow_non_working_day and not calendar.is_working_day(day):
                holiday = calendar.holiday_name(day) or _("non-working day")
        change = PlannedChange(
            event_id=row.id, old_start=row.s, start=start, end=end, clashes=clashes, holiday=holiday
        )
        planned.append((change, own))
    return planned


def preview_series_edit(
    session: Session,
    *,
    event_id: int,
    changes: EventChanges,
    scope: str,
    allow_non_working_day: bool = False,
) -> list[PlannedChange]:
    """Where each occurrence of an edit would go, with every clash and holiday there.

    Nothing is written. The occurrences in ``scope`` are not clashes of each other.

    Raises:
        BadInputError: a bad scope, or a new time that cannot be booked as given.
    """
    current = load_event(session, event_id)
    ids = scope_ids(session, current, scope, lock=False)
    return [
        change
        for change, _own in _plan(
            session, current, ids, changes, allow_non_working_day, with_obstacles=True
        )
    ]


def edit_series(
    session: Session,
    *,
    event_id: int,
    version: int,
    changes: EventChanges,
    scope: str = "this",
    allow_non_working_day: bool = False,
    skip_blocked: bool = False,
) -> list[BookedEvent]:
    """Edit an occurrence, it and the following ones, or the whole series, all or nothing.

    A new time is applied to every occurrence as the same shift on the calendar and the same
    start on the wall clock: moving Tuesday 10:00 to Thursday 11:00 moves each occurrence two
    days on, to 11:00, also across a clock change; the length is elapsed time. Other fields
    apply as they are. ``version`` is the one of the occurrence the user opened; the others
    are locked and edited as they are now.

    Args:
        skip_blocked: leave as they are the occurrences whose new time clashes or falls on a
            non-working day (the preview shows which), instead of refusing the whole edit.

    Returns:
        The occurrences edited (without those skipped).

    Raises:
        StaleEditError: the occurrence opened was saved by someone else meanwhile.
        SlotTakenError, HolidayError, CapacityError: an occurrence cannot take the change
            (unless ``skip_blocked``); nothing is written.
    """
    current = load_event(session, event_id)
    if current.version != version:
        raise stale_error(session, "event", event_id)
    ids = scope_ids(session, current, scope)
    planned = _plan(
        session, current, ids, changes, allow_non_working_day, with_obstacles=skip_blocked
    )
    # Moved later, the last goes first (and earlier, the first): an occurrence never lands
    # on the old place of one of its own series that has not moved yet.
    if planned and planned[0][0].start > planned[0][0].old_start:
        planned.reverse()
    results = []
    for change, own in planned:
        if skip_blocked and change.blocked:
            continue
        row = load_event(session, change.event_id, lock=True)
        results.append(
            edit_event(
                session,
                event_id=change.event_id,
                version=row.version,
                changes=own,
                allow_non_working_day=allow_non_working_day,
            )
        )
    results.sort(key=lambda booked: booked.start)
    return results
