"""Local wall-clock time in the centre's zone, elapsed durations, and the dates coptui accepts.

Two kinds of time arithmetic, never mixed (DESIGN, "Time arithmetic"):
- a *duration* is elapsed time: 120 minutes from 02:30 on the night the clocks go back ends at
  03:30 local (two real hours later, the clock having shown 03:00–04:00 twice); see
  :func:`end_after`;
- a *wall-clock time* typed for a day (10:00 on 28.03.2027) is checked to exist that day: the
  hour the clocks skip in spring is refused, and in the hour that comes twice in autumn the
  first occurrence (summer time) is meant; see :func:`local_checked`.

Python compares and subtracts two datetimes that share one ``tzinfo`` by their wall clocks,
ignoring the fold, so the instants these helpers return carry the fixed UTC offset in force at
that instant: ``end - start`` is then the elapsed time, and ``f"{end:%H:%M}"`` still shows
the local clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from coptui.errors import BadInputError
from coptui.i18n import _

SOFIA = ZoneInfo("Europe/Sofia")

# The dates coptui plans for; anything outside is a typing error (31.12.9999, 01.01.0001).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def local(day: date, at: time, zone: ZoneInfo = SOFIA) -> datetime:
    """The aware instant of wall-clock ``at`` on ``day`` in ``zone`` (not checked; see
    :func:`local_checked` for times people type)."""
    return datetime.combine(day, at, tzinfo=zone)


def check_day(day: date) -> date:
    """``day`` itself when it lies in the years coptui plans for (2000–2100).

    Raises:
        BadInputError: the day is before 01.01.2000 or after 31.12.2100.
    """
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadInputError(
            _("{day} is outside the years coptui plans for ({first}–{last}).").format(
                day=_dotted(day), first=_dotted(FIRST_DAY), last=_dotted(LAST_DAY)
            )
        )
    return day


def _dotted(day: date) -> str:
    # strftime does not pad years before 1000.
    return f"{day.day:02}.{day.month:02}.{day.year:04}"


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    wall = datetime.combine(day, at, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


def _gap_around(day: date, at: time, zone: ZoneInfo) -> tuple[time, time]:
    """The first missing and the first existing wall-clock minute around ``at`` (in a gap)."""
    minute = timedelta(minutes=1)
    first = last = datetime.combine(day, at)
    while not _exists(day, (first - minute).time(), zone):
        first -= minute
    while not _exists(day, last.time(), zone):
        last += minute
    return first.time(), last.time()


def fixed(moment: datetime) -> datetime:
    """``moment`` with the fixed UTC offset in force then, so arithmetic on it is elapsed time."""
    offset = moment.utcoffset()
    assert offset is not None, "an aware datetime"
    return moment.astimezone(timezone(offset))


def local_checked(day: date, at: time, zone: ZoneInfo = SOFIA) -> datetime:
    """The instant the wall clock in ``zone`` shows ``at`` on ``day``, for a time people typed.

    When the clocks go back (the last Sunday of October in Sofia) 03:00–03:59 happens twice;
    the first of the two (still summer time) is meant.

    Returns:
        An aware datetime with the fixed UTC offset of that instant (see the module docstring).

    Raises:
        BadInputError: the day is outside 2000–2100, or the clock never shows ``at`` that
            day (03:00–03:59 on the last Sunday of March in Sofia, when the clocks go forward).
    """
    check_day(day)
    at = at.replace(tzinfo=None, fold=0)
    # A time that does not exist comes back from UTC as another wall-clock time.
    if not _exists(day, at, zone):
        gap_start, gap_end = _gap_around(day, at, zone)
        raise BadInputError(
            _(
                "{time} on {day} does not exist: that night the clocks go forward "
                "from {gap_start} to {gap_end}."
            ).format(
                time=f"{at:%H:%M}",
                day=_dotted(day),
                gap_start=f"{gap_start:%H:%M}",
                gap_end=f"{gap_end:%H:%M}",
            )
        )
    return fixed(datetime.combine(day, at, tzinfo=zone))


def end_after(start: datetime, minutes: int) -> datetime:
    """The instant ``minutes`` of elapsed time after ``start``, across any clock change.

    Returns:
        An aware datetime with the fixed UTC offset in force at the end.
    """
    end = start.astimezone(UTC) + timedelta(minutes=minutes)
    return fixed(end.astimezone(SOFIA))


def elapsed_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes of real time from ``start`` to ``end``."""
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() // 60)


def week_start(day: date) -> date:
    """The Monday of the week that holds ``day``."""
    return day - timedelta(days=day.weekday())


def today(zone: ZoneInfo = SOFIA) -> date:
    """Today's date in ``zone``."""
    return datetime.now(zone).date()


def end_clock(end: datetime, zone: ZoneInfo = SOFIA) -> str:
    """The local clock of an end as people read it: «10:30», and «24:00» at midnight (the end
    of that day, not the start of the next one)."""
    local_end = end.astimezone(zone)
    return "24:00" if local_end.time() == time(0) else f"{local_end:%H:%M}"


def clock_span(start: datetime, end: datetime, zone: ZoneInfo = SOFIA) -> str:
    """«09:00–10:30» on the local clock; an end at midnight reads «24:00» (``00:00–24:00``
    for a whole day)."""
    return f"{start.astimezone(zone):%H:%M}–{end_clock(end, zone)}"
