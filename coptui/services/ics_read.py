"""Reading an outside calendar (.ics): its busy times in a window, on the centre's clock.

The file is hostile until read: its size is bounded, a file that is not iCalendar is refused
in one line, every title is cleaned and cut to a line, and a UID that is not one short line is
refused. A time is read as RFC 5545 says (one the clock skips in spring counts with the offset
before the gap), and a busy time that is then empty or ends before it starts is kept with the
reason, for the preview to name, never handed to the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from coptui.domain.text import MAX_NAME, clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import BadInputError
from coptui.i18n import _

MAX_BYTES = 5 * 1024 * 1024
MAX_BLOCKS = 2000
MAX_UID = 255


@dataclass(frozen=True)
class Busy:
    """One busy time read from the file: at most a day long, on one local day."""

    uid: str
    recurrence: str  # the occurrence's original start in UTC, "" for a single event; "#n"
    title: str
    start: datetime
    end: datetime
    problem: str = ""  # why it cannot be a block (empty or inverted on the centre's clock)


def _bad_file(reason: object) -> BadInputError:
    words = " ".join(clean(reason).split())[:160]
    return BadInputError(
        _("This is not an iCalendar file that can be read: {reason}").format(reason=words or "?")
    )


def _title(value: object) -> str:
    """The outside SUMMARY as one clean line of a title (long ones cut)."""
    words = " ".join(clean(str(value or "")).split())
    if len(words) > MAX_NAME:
        words = words[: MAX_NAME - 1].rstrip() + "…"
    return words or _("Busy")


def _uid(component: Any) -> str:
    uid = str(component.get("uid") or "").strip()
    if not uid:
        # RFC 5545 wants a UID; one without is known by what it says instead.
        seen = f"{component.get('dtstart').to_ical()!r}{component.get('summary')}"
        return "no-uid-" + hashlib.sha256(seen.encode()).hexdigest()[:32]
    if len(uid) > MAX_UID or not uid.isprintable():
        raise BadInputError(
            _("An event in the file has a UID that is not one short line; nothing was read.")
        )
    return uid


def _moment(value: Any) -> datetime:
    """A DATE, a floating DATE-TIME (taken as the centre's time) or an aware one."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=SOFIA)
    elif isinstance(value, date):
        aware = datetime.combine(value, time(0), tzinfo=SOFIA)
    else:
        raise _bad_file(_("a time that is not a date"))
    # Through UTC: a wall-clock time the clocks skip becomes the instant RFC 5545 gives it
    # (the offset before the gap: 03:30 on the spring night is 04:30 summer time), and
    # every instant carries the offset in force then (``astimezone`` to the same zone
    # would hand the skipped time back as it is).
    return aware.astimezone(UTC).astimezone(SOFIA)


def _wall(value: Any, moment: datetime) -> datetime:
    """The time as the file wrote it on the centre's clock, for a line that names it (a time
    the clock skips stays as written); ``moment`` when it was written on another clock."""
    if isinstance(value, datetime) and (value.tzinfo is None or str(value.tzinfo) == str(SOFIA)):
        return value.replace(tzinfo=SOFIA)
    return moment


def _exists(value: Any) -> bool:
    """Whether a DATE-TIME names a wall-clock time that its zone's clock shows that day."""
    if not isinstance(value, datetime):
        return True
    aware = value if value.tzinfo else value.replace(tzinfo=SOFIA)
    back = aware.astimezone(UTC).astimezone(aware.tzinfo)
    return back.replace(tzinfo=None) == aware.replace(tzinfo=None)


def _instant(value: Any) -> str:
    return f"{_moment(value).astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _pieces(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """``[start, end)`` cut at local midnights (and a 25-hour day at noon): each a block.

    Compared as instants (in UTC): two times of one zone compare by their wall clocks.
    """
    while start.astimezone(UTC) < end.astimezone(UTC):
        day = start.astimezone(SOFIA).date()
        midnight = _moment(datetime.combine(day + timedelta(days=1), time(0)))
        cut = min(end, midnight, key=lambda m: m.astimezone(UTC))
        if cut.astimezone(UTC) - start.astimezone(UTC) > timedelta(days=1):  # clocks go back
            noon = _moment(datetime.combine(day, time(12)))
            yield start, noon
            start = noon
        yield start, cut
        start = cut


def _times(occurrence: Any, recurring: set[str]) -> tuple[datetime, datetime, str, bool]:
    """An occurrence's start, end, key among its series ("" outside a series), and whether
    its start and end are times the clock shows that day."""
    try:
        shown = _exists(occurrence["dtstart"].dt) and (
            occurrence.get("dtend") is None or _exists(occurrence["dtend"].dt)
        )
        begin = _moment(occurrence["dtstart"].dt)
        if occurrence.get("dtend") is not None:
            finish = _moment(occurrence["dtend"].dt)
        elif occurrence.get("duration") is not None:
            finish = begin + occurrence["duration"].dt
        elif not isinstance(occurrence["dtstart"].dt, datetime):
            finish = begin + timedelta(days=1)
        else:
            finish = begin
        recurrence_id = occurrence.get("recurrence-id")
        recurrence = ""
        if recurrence_id is not None and str(occurrence.get("uid") or "").strip() in recurring:
            recurrence = _instant(recurrence_id.dt)
    except BadInputError:
        raise
    except Exception as exc:
        raise _bad_file(exc) from exc
    return begin, finish, recurrence, shown


def _empty(shown: bool) -> str:
    if not shown:
        return _("the clock skips that hour that day: no such time, left out")
    return _("it ends when it starts or before: no time, left out")


def read_busy(data: bytes, *, start: datetime, end: datetime) -> list[Busy]:
    """The busy times of an .ics file overlapping ``[start, end)``, recurrences expanded.

    Cancelled events and those marked free (TRANSP:TRANSPARENT) are no busy time. One that
    spans days becomes one busy time per day. One that is empty or ends before it starts once
    on the centre's clock (03:00–04:00 on the night the clocks skip that hour) comes with its
    ``problem`` said, and is no block.

    Raises:
        BadInputError: the file is too large, is not iCalendar, holds a UID that is not one
            short line, or gives more than ``MAX_BLOCKS`` busy times in the window.
    """
    import recurring_ical_events
    from icalendar import Calendar

    if len(data) > MAX_BYTES:
        raise BadInputError(
            _("The file is larger than {n} MB; nothing was read.").format(n=MAX_BYTES // 2**20)
        )
    try:
        calendar = Calendar.from_ical(data)
        if calendar.name != "VCALENDAR":
            raise ValueError(_("it does not begin with BEGIN:VCALENDAR"))
        # A generator, in order of start: a rule that repeats every second ends here at
        # the window's end or at the cap below, never by listing millions first.
        occurrences = recurring_ical_events.of(calendar).after(start)
    except BadInputError:
        raise
    except Exception as exc:  # icalendar and the expansion raise many kinds for bad input
        raise _bad_file(exc) from exc
    # The expansion gives every occurrence a RECURRENCE-ID, single events too; only in a
    # series does it tell occurrences apart (a single event moved outside stays one block).
    recurring = {
        str(c.get("uid") or "").strip()
        for c in calendar.walk("VEVENT")
        if c.get("rrule") or c.get("rdate") or c.get("recurrence-id")
    }
    found: dict[tuple[str, str], Busy] = {}
    read = 0
    while True:
        try:
            occurrence = next(occurrences, None)
        except Exception as exc:  # the expansion reads the rules lazily
            raise _bad_file(exc) from exc
        if occurrence is None:
            break
        read += 1
        if read > MAX_BLOCKS * 4:
            raise BadInputError(
                _(
                    "The file gives more than {n} busy times in these days; choose fewer days."
                ).format(n=MAX_BLOCKS)
            )
        begin, finish, recurrence, shown = _times(occurrence, recurring)
        if begin >= end + timedelta(days=1):
            # In order of start (a day's slack for floating and all-day times, which the
            # expansion orders on their own clock): the rest are after the window.
            break
        if begin >= end or str(occurrence.get("status", "")).upper() == "CANCELLED":
            continue
        if str(occurrence.get("transp", "")).upper() == "TRANSPARENT":
            continue
        uid = _uid(occurrence)
        title = _title(occurrence.get("summary"))
        if finish.astimezone(UTC) <= begin.astimezone(UTC):
            if begin.astimezone(UTC) >= start.astimezone(UTC):
                dtend = occurrence.get("dtend")
                found.setdefault(
                    (uid, recurrence),
                    Busy(
                        uid,
                        recurrence,
                        title,
                        _wall(occurrence["dtstart"].dt, begin),
                        finish if dtend is None else _wall(dtend.dt, finish),
                        _empty(shown),
                    ),
                )
            continue
        first = max(begin, start, key=lambda m: m.astimezone(UTC))
        last = min(finish, end, key=lambda m: m.astimezone(UTC))
        pieces = list(_pieces(first, last))
        for n, (a, b) in enumerate(pieces):
            key = recurrence + (f"#{n + 1}" if len(pieces) > 1 else "")
            found.setdefault((uid, key), Busy(uid, key, title, a, b))
            if len(found) > MAX_BLOCKS:
                raise BadInputError(
                    _(
                        "The file gives more than {n} busy times in these days; choose fewer days."
                    ).format(n=MAX_BLOCKS)
                )
    return sorted(found.values(), key=lambda b: (b.start, b.uid, b.recurrence))
