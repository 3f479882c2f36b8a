"""Busy times from an outside calendar (.ics) brought in as blocks on a room's or a person's
calendar, with a preview, and a second import that brings the calendar up to date.

A block is an event of kind ``block`` («Заето», migration 0013) with the outside title, the
room or the staff member, and no case; its outside UID and RECURRENCE-ID are kept in
``event_import`` (migration 0011), which is how a second import knows it: the same time again
is left as it is, a new time moves the block (checked for clashes like any move), and a block
whose outside event is cancelled or gone from the file within the days read is cancelled (and
comes back if the event does; one a person cancelled here stays so). Only blocks imported onto
the same calendar (room or staff member) are ever touched. Reading the
file is :mod:`coptui.services.ics_read`.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.enums import EventKind
from coptui.errors import BadInputError
from coptui.i18n import DOMAIN, LOCALE_DIR, N_, _
from coptui.services.booking import BookingRequest, insert_event, validate_request
from coptui.services.clashes import Clash, clashes_of, span, translate_integrity
from coptui.services.edits import EventChanges, cancel_event, edit_event
from coptui.services.ics_read import MAX_BLOCKS, MAX_BYTES, MAX_UID, Busy, read_busy

__all__ = [
    "MAX_BLOCKS",
    "MAX_BYTES",
    "MAX_UID",
    "TARGETS",
    "Busy",
    "BusyLine",
    "IcsImport",
    "Removed",
    "import_busy",
    "read_busy",
]

TARGETS = ("room", "staff")
GONE = N_("No longer in the outside calendar.")


def _gone_reasons() -> frozenset[str]:
    """The reason an import cancels with, in every language (it is stored as it was said)."""
    bg = gettext.translation(DOMAIN, LOCALE_DIR, languages=["bg"], fallback=True)
    return frozenset({GONE, bg.gettext(GONE)})


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class BusyLine:
    """A busy time and what it would meet here."""

    busy: Busy
    duplicate: bool = False  # brought in before at this very time: left as it is
    clashes: tuple[Clash, ...] = ()
    overlaps: Busy | None = None  # an earlier busy time of the same file, same hours
    moved_from: tuple[datetime, datetime] | None = None  # the block's time until now
    restored: bool = False  # its block was cancelled by an import: it comes back

    @property
    def in_the_way(self) -> bool:
        """Something here, or earlier in the file, holds part of its time."""
        return bool(self.clashes) or self.overlaps is not None

    @property
    def impossible(self) -> bool:
        """No time on the centre's clock (see ``Busy.problem``): left out."""
        return bool(self.busy.problem)


@dataclass(frozen=True)
class Removed:
    """A block brought in before whose outside event is cancelled or gone from the file."""

    event_id: int
    title: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class IcsImport:
    """What an import did (or, previewed, would do)."""

    lines: tuple[BusyLine, ...]
    written: bool = False
    removed: tuple[Removed, ...] = ()

    def _free(self, line: BusyLine) -> bool:
        return not line.duplicate and not line.in_the_way and not line.impossible

    @property
    def new(self) -> list[BusyLine]:
        """The busy times that come in (or would)."""
        return [line for line in self.lines if self._free(line) and line.moved_from is None]

    @property
    def changed(self) -> list[BusyLine]:
        """Blocks brought in before whose outside event moved: moved (or to move)."""
        return [line for line in self.lines if self._free(line) and line.moved_from is not None]

    @property
    def duplicates(self) -> list[BusyLine]:
        """Brought in before at the same time: left as they are."""
        return [line for line in self.lines if line.duplicate]

    @property
    def clashing(self) -> list[BusyLine]:
        """In the way of something booked here: left out (or not moved), for a person."""
        return [
            line
            for line in self.lines
            if not line.duplicate and not line.impossible and line.in_the_way
        ]

    @property
    def impossible(self) -> list[BusyLine]:
        """No time on the centre's clock: left out, each with its reason."""
        return [line for line in self.lines if line.impossible]


@dataclass(frozen=True)
class _Known:
    event_id: int
    version: int
    status: str
    title: str
    start: datetime
    end: datetime
    cancelled_by_import: bool


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


def _known(session: Session, centre_id: int, calendar: str) -> dict[tuple[str, str], _Known]:
    """The blocks imported onto this calendar before, by UID and occurrence."""
    found = session.execute(
        text(
            "SELECT i.uid, i.recurrence, e.id, e.version, e.status, e.title, e.cancel_reason,"
            " lower(e.during) AS s, upper(e.during) AS u"
            " FROM event_import i JOIN event e ON e.id = i.event_id"
            " WHERE i.centre_id = :c AND i.calendar = :k"
        ),
        {"c": centre_id, "k": calendar},
    )
    reasons = _gone_reasons()
    return {
        (r.uid, r.recurrence): _Known(
            r.id,
            r.version,
            r.status,
            r.title,
            r.s,
            r.u,
            r.status == "cancelled" and r.cancel_reason in reasons,
        )
        for r in found
    }


def _gone(
    known: dict[tuple[str, str], _Known],
    busy: Sequence[Busy],
    window: tuple[datetime, datetime] | None,
) -> list[tuple[tuple[str, str], _Known]]:
    """Blocks that start within the days read and whose UID and occurrence the file lacks."""
    if window is None:
        return []
    first, last = (_instant(m) for m in window)
    present = {(b.uid, b.recurrence) for b in busy}
    return [
        (key, block)
        for key, block in sorted(known.items(), key=lambda kv: kv[1].start)
        if key not in present
        and block.status != "cancelled"
        and first <= _instant(block.start) < last
    ]


def import_busy(
    session: Session,
    *,
    centre_id: int,
    target: str,
    target_id: int,
    busy: list[Busy],
    write: bool,
    window: tuple[datetime, datetime] | None = None,
) -> IcsImport:
    """Preview (``write=False``) or bring one calendar up to date with the busy times.

    A busy time brought in before (the same UID and RECURRENCE-ID on this calendar) at the
    same time is left as it is; at another time its block is moved, unless something else
    holds the new time (named in its line; that block stays). A new one in the way of
    something booked here is left out, named in its line: the exclusion constraints decide,
    as for any booking, and nothing is moved to make room. One with no time on the centre's
    clock is left out with its reason. With ``window``, a block imported onto this calendar
    before that starts in it and whose outside event is no longer in the file (cancelled or
    deleted outside) is cancelled.

    Args:
        target: ``room`` or ``staff``; ``target_id`` its id.
        busy: from :func:`read_busy`.
        window: the days the file was read for (``[start, end)``); ``None`` removes nothing.

    Returns:
        Every busy time with what it met, and the blocks removed; ``written`` when written.

    Raises:
        BadInputError: a target that is not a room or a staff member.
    """
    if target not in TARGETS:
        raise BadInputError(_("Busy times come in on a room's or a staff member's calendar."))
    calendar = f"{target}:{target_id}"
    known = _known(session, centre_id, calendar)
    gone = _gone(known, busy, window)
    removed = tuple(Removed(b.event_id, b.title, b.start, b.end) for _key, b in gone)
    if write:
        for _key, block in gone:
            cancel_event(
                session,
                event_id=block.event_id,
                version=block.version,
                reason=_(GONE),
            )
    # In a preview the blocks about to move or go do not hold their old times.
    leaving = [b.event_id for _key, b in gone]
    for one in busy:
        before = known.get((one.uid, one.recurrence))
        if before is not None and not _same(before, one):
            leaving.append(before.event_id)
    lines = [
        _line(session, centre_id, target, target_id, calendar, one, known, leaving, write)
        for one in busy
    ]
    if not write:
        # Two busy times of the file in each other's way: the later one would clash.
        lines = _clashes_within(lines)
    return IcsImport(lines=tuple(lines), written=write, removed=removed)


def _same(block: _Known, busy: Busy) -> bool:
    """Nothing to change: the same time and title, or cancelled here by a person (left so)."""
    if block.status == "cancelled":
        return not block.cancelled_by_import
    return (_instant(block.start), _instant(block.end), block.title) == (
        _instant(busy.start),
        _instant(busy.end),
        busy.title,
    )


def _line(
    session: Session,
    centre_id: int,
    target: str,
    target_id: int,
    calendar: str,
    one: Busy,
    known: dict[tuple[str, str], _Known],
    leaving: list[int],
    write: bool,
) -> BusyLine:
    """One busy time previewed or written: left out, moved or brought in."""
    if one.problem:
        return BusyLine(one)
    block = known.get((one.uid, one.recurrence))
    if block is not None and _same(block, one):
        return BusyLine(one, duplicate=True)
    request = validate_request(_request(centre_id, target, target_id, one))
    if block is not None:
        return _move(session, one, block, request, [] if write else leaving, write)
    if not write:
        return BusyLine(one, clashes=tuple(clashes_of(session, request, leaving)))
    try:
        booked = insert_event(session, request, None, check_day=False)
    except IntegrityError as exc:
        raise translate_integrity(session, exc, request) from exc
    if isinstance(booked, list):
        return BusyLine(one, clashes=tuple(booked))
    session.execute(
        text(
            "INSERT INTO event_import (event_id, centre_id, calendar, uid, recurrence)"
            " VALUES (:e, :c, :k, :u, :r)"
        ),
        {"e": booked.id, "c": centre_id, "k": calendar, "u": one.uid, "r": one.recurrence},
    )
    return BusyLine(one)


def _move(
    session: Session,
    one: Busy,
    block: _Known,
    request: BookingRequest,
    leaving: list[int],
    write: bool,
) -> BusyLine:
    """A block brought in before, at its outside event's new time (or title)."""
    moved_from = (block.start, block.end)
    restored = block.status == "cancelled"
    clashes = tuple(clashes_of(session, request, [block.event_id, *leaving]))
    if clashes or not write:
        return BusyLine(one, clashes=clashes, moved_from=moved_from, restored=restored)
    if restored:
        _restore(session, block, request)
        return BusyLine(one, moved_from=moved_from, restored=True)
    edit_event(
        session,
        event_id=block.event_id,
        version=block.version,
        changes=EventChanges(start=one.start, end=one.end, title=one.title),
        allow_non_working_day=True,
    )
    return BusyLine(one, moved_from=moved_from)


def _restore(session: Session, block: _Known, request: BookingRequest) -> None:
    """A block an import cancelled, planned again at its outside event's time."""
    statement = text(
        "UPDATE event SET status = 'planned', cancel_reason = NULL, during = :during,"
        " title = :title, version = version + 1, updated_at = now()"
        " WHERE id = :id AND version = :version AND status = 'cancelled'"
    ).bindparams(bindparam("during", type_=TSTZRANGE))
    try:
        with session.begin_nested():
            session.execute(
                statement,
                {
                    "during": span(request.start, request.end),
                    "title": request.title,
                    "id": block.event_id,
                    "version": block.version,
                },
            )
    except IntegrityError as exc:
        raise translate_integrity(session, exc, request) from exc


def _clashes_within(lines: list[BusyLine]) -> list[BusyLine]:
    result: list[BusyLine] = []
    taken: list[Busy] = []
    for line in lines:
        if line.duplicate or line.clashes or line.impossible:
            result.append(line)
            continue
        busy = line.busy
        other = next((b for b in taken if _overlap(b, busy)), None)
        if other is None:
            taken.append(busy)
        result.append(replace(line, overlaps=other))
    return result


def _overlap(a: Busy, b: Busy) -> bool:
    return _instant(a.start) < _instant(b.end) and _instant(b.start) < _instant(a.end)
