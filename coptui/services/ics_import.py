"""Busy times from an outside calendar (.ics) brought in as blocks on a room's or a person's
calendar, with a preview of what would clash, and the same file twice bringing nothing twice.

A block is an event of kind ``block`` («Заето», migration 0013) with the outside title, the
room or the staff member, and no case; its outside UID and RECURRENCE-ID are kept in
``event_import`` (migration 0011), which is how a second import knows it. The file is hostile
until read: its size is bounded, a file that is not iCalendar is refused in one line, every
title is cleaned and cut to a line, and a UID that is not one short line is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.enums import EventKind
from coptui.domain.text import MAX_NAME, clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import BadInputError
from coptui.i18n import _
from coptui.services.booking import BookingRequest, insert_event, validate_request
from coptui.services.clashes import Clash, clashes_of, translate_integrity

MAX_BYTES = 5 * 1024 * 1024
MAX_BLOCKS = 2000
MAX_UID = 255
TARGETS = ("room", "staff")


@dataclass(frozen=True)
class Busy:
    """One busy time read from the file: at most a day long, on one local day."""

    uid: str
    recurrence: str  # the occurrence's original start in UTC, "" for a single event; "#n"
    title: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BusyLine:
    """A busy time and what it would meet here."""

    busy: Busy
    duplicate: bool = False
    clashes: tuple[Clash, ...] = ()
    overlaps: Busy | None = None  # an earlier busy time of the same file, same hours

    @property
    def in_the_way(self) -> bool:
        """Something here, or earlier in the file, holds part of its time."""
        return bool(self.clashes) or self.overlaps is not None


@dataclass(frozen=True)
class IcsImport:
    """What an import did (or, previewed, would do)."""

    lines: tuple[BusyLine, ...]
    written: bool = False

    @property
    def new(self) -> list[BusyLine]:
        """The busy times that come in (or would)."""
        return [line for line in self.lines if not line.duplicate and not line.in_the_way]

    @property
    def duplicates(self) -> list[BusyLine]:
        """Brought in before, from the same UID: left out."""
        return [line for line in self.lines if line.duplicate]

    @property
    def clashing(self) -> list[BusyLine]:
        """In the way of something booked here: left out, for a person to settle."""
        return [line for line in self.lines if not line.duplicate and line.in_the_way]


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
        return value.astimezone(SOFIA) if value.tzinfo else value.replace(tzinfo=SOFIA)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=SOFIA)
    raise _bad_file(_("a time that is not a date"))


def _instant(value: Any) -> str:
    return f"{_moment(value).astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _pieces(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """``[start, end)`` cut at local midnights (and a 25-hour day at noon): each a block."""
    while start < end:
        midnight = datetime.combine(start.astimezone(SOFIA).date() + timedelta(days=1), time(0))
        cut = min(end, midnight.replace(tzinfo=SOFIA))
        if cut - start > timedelta(days=1):  # the day the clocks go back
            noon = datetime.combine(start.astimezone(SOFIA).date(), time(12), tzinfo=SOFIA)
            yield start, noon
            start = noon
        yield start, cut
        start = cut


def _times(occurrence: Any, recurring: set[str]) -> tuple[datetime, datetime, str]:
    """An occurrence's start, end and key among its series ("" outside a series)."""
    try:
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
    return begin, finish, recurrence


def read_busy(data: bytes, *, start: datetime, end: datetime) -> list[Busy]:
    """The busy times of an .ics file overlapping ``[start, end)``, recurrences expanded.

    Cancelled events and those marked free (TRANSP:TRANSPARENT) are no busy time. One that
    spans days becomes one busy time per day.

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
        begin, finish, recurrence = _times(occurrence, recurring)
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
        pieces = [(a, b) for a, b in _pieces(max(begin, start), min(finish, end)) if a < b]
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


def _request(centre_id: int, target: str, target_id: int, busy: Busy) -> BookingRequest:
    return BookingRequest(
        centre_id=centre_id,
        title=busy.title,
        start=busy.start,
        end=busy.end,
        kind=EventKind.BLOCK,
        room_id=target_id if target == "room" else None,
        staff_ids=(target_id,) if target == "staff" else (),
        notes=_("Busy time from an outside calendar."),
        allow_non_working_day=True,
    )


def _seen(session: Session, centre_id: int, calendar: str) -> set[tuple[str, str]]:
    found = session.execute(
        text("SELECT uid, recurrence FROM event_import WHERE centre_id = :c AND calendar = :k"),
        {"c": centre_id, "k": calendar},
    )
    return {(uid, recurrence) for uid, recurrence in found}


def import_busy(
    session: Session,
    *,
    centre_id: int,
    target: str,
    target_id: int,
    busy: list[Busy],
    write: bool,
) -> IcsImport:
    """Preview (``write=False``) or bring in busy times as blocks on one calendar.

    A busy time brought in before (the same UID and RECURRENCE-ID on this calendar) is left
    out; so is one in the way of something booked here, named in its line: the exclusion
    constraints decide, as for any booking, and nothing is moved to make room.

    Args:
        target: ``room`` or ``staff``; ``target_id`` its id.
        busy: from :func:`read_busy`.

    Returns:
        Every busy time with what it met; ``written`` when the blocks were inserted.

    Raises:
        BadInputError: a target that is not a room or a staff member.
    """
    if target not in TARGETS:
        raise BadInputError(_("Busy times come in on a room's or a staff member's calendar."))
    calendar = f"{target}:{target_id}"
    seen = _seen(session, centre_id, calendar)
    lines: list[BusyLine] = []
    for one in busy:
        if (one.uid, one.recurrence) in seen:
            lines.append(BusyLine(one, duplicate=True))
            continue
        request = validate_request(_request(centre_id, target, target_id, one))
        if not write:
            lines.append(BusyLine(one, clashes=tuple(clashes_of(session, request))))
            continue
        try:
            booked = insert_event(session, request, None, check_day=False)
        except IntegrityError as exc:
            raise translate_integrity(session, exc, request) from exc
        if isinstance(booked, list):
            lines.append(BusyLine(one, clashes=tuple(booked)))
            continue
        session.execute(
            text(
                "INSERT INTO event_import (event_id, centre_id, calendar, uid, recurrence)"
                " VALUES (:e, :c, :k, :u, :r)"
            ),
            {"e": booked.id, "c": centre_id, "k": calendar, "u": one.uid, "r": one.recurrence},
        )
        lines.append(BusyLine(one))
    if not write:
        # Two busy times of the file in each other's way: the later one would clash.
        lines = _clashes_within(lines)
    return IcsImport(lines=tuple(lines), written=write)


def _clashes_within(lines: list[BusyLine]) -> list[BusyLine]:
    result: list[BusyLine] = []
    taken: list[Busy] = []
    for line in lines:
        if line.duplicate or line.clashes:
            result.append(line)
            continue
        busy = line.busy
        other = next((b for b in taken if b.start < busy.end and busy.start < b.end), None)
        if other is None:
            taken.append(busy)
        result.append(replace(line, overlaps=other))
    return result
