"""Recurring series: the preview of every occurrence and the booking of the whole series."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.recurrence import Recurrence, expand
from coptui.domain.timeutil import SOFIA
from coptui.i18n import _
from coptui.services.booking import BookedEvent, BookingRequest, insert_event, validate_request
from coptui.services.booking_checks import check_programme_seats, check_room_headcount
from coptui.services.calendar import calendar_for
from coptui.services.caseterms import check_case_terms
from coptui.services.clashes import Clash, clashes_of, translate_integrity


@dataclass(frozen=True)
class Occurrence:
    """One occurrence in a series preview."""

    start: datetime
    end: datetime
    clashes: tuple[Clash, ...] = ()
    holiday: str | None = None


@dataclass(frozen=True)
class SeriesResult:
    """What ``book_series`` wrote and what it left out."""

    series_id: int | None
    booked: tuple[BookedEvent, ...] = ()
    skipped_clashes: tuple[Occurrence, ...] = ()
    skipped_holidays: tuple[Occurrence, ...] = ()
    preview: tuple[Occurrence, ...] = field(default=(), repr=False)


def preview_series(
    session: Session, *, request: BookingRequest, rule: Recurrence, zone: ZoneInfo = SOFIA
) -> list[Occurrence]:
    """Every occurrence of a series with its clashes and holidays, before anything is written.

    Raises:
        BadInputError: the request cannot be booked as given (see ``validate_request``).
    """
    request = validate_request(request)
    first_local = request.start.astimezone(zone)
    duration = request.end - request.start
    calendar = calendar_for(session, request.centre_id)
    result = []
    for start in expand(rule.rrule(first_local), first_local, zone):
        end = start + duration
        day = start.date()
        holiday = None
        if not calendar.is_working_day(day):
            holiday = calendar.holiday_name(day) or _("non-working day")
        clashes = clashes_of(session, replace(request, start=start, end=end))
        result.append(Occurrence(start=start, end=end, clashes=tuple(clashes), holiday=holiday))
    return result


def book_series(
    session: Session,
    *,
    request: BookingRequest,
    rule: Recurrence,
    zone: ZoneInfo = SOFIA,
    include_holidays: bool = False,
) -> SeriesResult:
    """Book a recurring series: the rule is stored and every occurrence is its own event.

    Occurrences that clash are skipped (and reported); so are non-working days unless
    ``include_holidays``. The caller aborts by rolling back when the result is not wanted.
    """
    request = validate_request(request)
    check_programme_seats(session, request)
    preview = preview_series(session, request=request, rule=rule, zone=zone)
    # A series that outlives a case's terms is refused whole, naming the last day allowed.
    wanted = [o for o in preview if include_holidays or not o.holiday]
    if request.case_ids and wanted:
        check_case_terms(
            session, case_ids=request.case_ids, start=wanted[0].start, end=wanted[-1].end
        )
    first_local = request.start.astimezone(zone)
    series_id = session.execute(
        text(
            "INSERT INTO series (centre_id, rrule, timezone, local_start, duration_minutes)"
            " VALUES (:c, :rule, :tz, :start, :minutes) RETURNING id"
        ),
        {
            "c": request.centre_id,
            "rule": rule.rrule(first_local),
            "tz": zone.key,
            "start": first_local.replace(tzinfo=None),
            "minutes": int((request.end - request.start).total_seconds() // 60),
        },
    ).scalar_one()
    check_room_headcount(session, request)
    booked: list[BookedEvent] = []
    skipped_clashes: list[Occurrence] = []
    skipped_holidays: list[Occurrence] = []
    for occurrence in preview:
        if occurrence.holiday and not include_holidays:
            skipped_holidays.append(occurrence)
            continue
        one = replace(request, start=occurrence.start, end=occurrence.end)
        try:
            booked_one = insert_event(session, one, series_id=series_id, check_day=False)
        except IntegrityError as exc:
            raise translate_integrity(session, exc, one) from exc
        if isinstance(booked_one, list):
            skipped_clashes.append(replace(occurrence, clashes=tuple(booked_one)))
        else:
            booked.append(booked_one)
    return SeriesResult(
        series_id=series_id,
        booked=tuple(booked),
        skipped_clashes=tuple(skipped_clashes),
        skipped_holidays=tuple(skipped_holidays),
        preview=tuple(preview),
    )


@dataclass(frozen=True)
class SeriesInfo:
    """What the event form says about the series an event belongs to."""

    series_id: int
    rule: str  # the rule in the user's words
    position: int  # this occurrence's place among the series' live occurrences (from 1)
    total: int  # live (not cancelled) occurrences


def series_info(session: Session, *, event_id: int) -> SeriesInfo | None:
    """The series of an event, its rule in words and where this occurrence stands in it.

    Returns:
        ``None`` when the event is not part of a series.
    """
    from coptui.domain.recurrence import rule_words

    found = session.execute(
        text(
            "SELECT s.id, s.rrule,"
            " (SELECT count(*) FROM event o WHERE o.series_id = s.id AND o.status <> 'cancelled'"
            "   AND lower(o.during) <= lower(e.during)) AS position,"
            " (SELECT count(*) FROM event o WHERE o.series_id = s.id"
            "   AND o.status <> 'cancelled') AS total"
            " FROM event e JOIN series s ON s.id = e.series_id WHERE e.id = :e"
        ),
        {"e": event_id},
    ).one_or_none()
    if found is None:
        return None
    return SeriesInfo(
        series_id=found.id,
        rule=rule_words(found.rrule),
        position=found.position,
        total=found.total,
    )
