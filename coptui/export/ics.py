"""An iCalendar (RFC 5545) file of one calendar's events, built from plain rows.

A series is one VEVENT with its RRULE; the dates it skipped (a holiday, a clash) and the
occurrences cancelled are its EXDATEs, and an occurrence moved or changed is an override
with the series' UID and the RECURRENCE-ID of the start the rule gave it. A cancelled single
event is STATUS:CANCELLED. Times carry TZID=Europe/Sofia with its VTIMEZONE, so a weekly
10:00 stays 10:00 across the clock changes in any calendar program.

What goes out is only what the rows hold: a title, a room, staff names. Rows never carry
cases, so no child's name or code can reach a file (the service also blanks them out of
titles, see ``coptui.services.ics_export``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Event

from coptui.domain.recurrence import expand
from coptui.domain.timeutil import SOFIA
from coptui.i18n import _

PRODID = "-//coptui//coptui iCalendar export//BG"
CANCELLED = "cancelled"

# Bulgarian transliteration (the official, "Streamlined" system), for the UID's domain part.
_LATIN = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщъьюя",
        "a b v g d e zh z i y k l m n o p r s t u f h ts ch sh sht a y yu ya".split(),  # noqa: SIM905
        strict=True,
    )
)


@dataclass(frozen=True)
class IcsEvent:
    """One event as it leaves coptui: no case, no child, only what a calendar shows.

    ``occurrence_start`` is the start the series' rule gave it (``None`` outside a series);
    ``updated`` is when it last changed (the component's DTSTAMP), ``version`` its SEQUENCE.
    """

    id: int
    title: str
    start: datetime
    end: datetime
    status: str
    room: str | None = None
    staff: tuple[str, ...] = ()
    series_id: int | None = None
    occurrence_start: datetime | None = None
    updated: datetime | None = None
    version: int = 1


@dataclass(frozen=True)
class IcsSeries:
    """A stored series (its rule and local first start) with its events on this calendar."""

    id: int
    rrule: str
    local_start: datetime  # naive wall-clock time in ``timezone``
    timezone: str
    duration_minutes: int
    events: tuple[IcsEvent, ...]


def centre_slug(name: str, centre_id: int) -> str:
    """The UIDs' domain part for a centre: its name in Latin letters and its number.

    ``ЦОП „Надежда“ Ловеч``, 1 → ``cop-nadezhda-lovech-1``. The number keeps two centres of
    the same name apart; the name tells a person whose events they are.
    """
    letters = []
    for char in name.lower():
        if char in _LATIN:
            letters.append(_LATIN[char])
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            letters.append(plain if plain.isalnum() else "-")
    slug = re.sub("-+", "-", "".join(letters)).strip("-")[:40].strip("-")
    return f"{slug}-{centre_id}" if slug else f"centre-{centre_id}"


def event_uid(event_id: int, slug: str) -> str:
    """The UID of a single event: the same in every export."""
    return f"event-{event_id}@{slug}.coptui"


def series_uid(series_id: int, slug: str) -> str:
    """The UID of a series (its overrides share it)."""
    return f"series-{series_id}@{slug}.coptui"


def _status(status: str) -> str:
    return "CANCELLED" if status == CANCELLED else "CONFIRMED"


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` on the zone's wall clock, to be written with TZID=Europe/Sofia.

    A wall-clock time that comes twice (03:30 on the night the clocks go back) means the
    first one in a TZID value (RFC 5545, 3.3.5), so the second one is written in UTC.
    """
    wall = moment.astimezone(zone)
    first = wall.replace(fold=0)
    if first.utcoffset() != wall.utcoffset():
        return moment.astimezone(UTC)
    # Re-attached to the zone itself (not a fixed offset), so the file says its TZID.
    return first.replace(tzinfo=None).replace(tzinfo=zone)


def _describe(event: IcsEvent) -> str:
    return _("Staff: {names}").format(names=", ".join(event.staff)) if event.staff else ""


def _utc_rule(rule: str, zone: ZoneInfo) -> str:
    """The stored rule as RFC 5545 wants it beside a DTSTART with a TZID: UNTIL in UTC."""
    parts = []
    for part in rule.split(";"):
        key, _sep, value = part.partition("=")
        if key.upper() == "UNTIL" and not value.endswith("Z"):
            day = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
            clock = (
                time(int(value[9:11]), int(value[11:13]), int(value[13:15]))
                if "T" in value
                else time(23, 59, 59)
            )
            moment = datetime.combine(day, clock, tzinfo=zone)
            value = f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        parts.append(f"{key.upper()}={value}")
    return ";".join(parts)


def _component(uid: str, event: IcsEvent, zone: ZoneInfo) -> Event:
    component = Event()
    component.add("uid", uid)
    component.add("dtstamp", (event.updated or event.start).astimezone(UTC))
    component.add("sequence", max(event.version - 1, 0))
    start, end = _local(event.start, zone), _local(event.end, zone)
    wall = event.end.astimezone(zone).replace(tzinfo=None) - event.start.astimezone(zone).replace(
        tzinfo=None
    )
    if wall != event.end - event.start:
        # Across a clock change programs subtract wall-clock times (recurring-ical-events
        # does): in UTC both ends say the elapsed length to every one of them.
        start, end = event.start.astimezone(UTC), event.end.astimezone(UTC)
    component.add("dtstart", start)
    component.add("dtend", end)
    component.add("summary", event.title)
    if event.room:
        component.add("location", event.room)
    if event.staff:
        component.add("description", _describe(event))
    component.add("status", _status(event.status))
    return component


def _same_as_rule(event: IcsEvent, template: IcsEvent, instant: datetime, length: int) -> bool:
    """The occurrence is what the master VEVENT says: its time, length and words."""
    end = instant + timedelta(minutes=length)
    # A calendar program may add the length on the wall clock; where that gives another
    # end (a session across the night of a clock change), the occurrence is spelt out.
    wall_end = (instant.astimezone(SOFIA).replace(tzinfo=None) + timedelta(minutes=length)).replace(
        tzinfo=SOFIA
    )
    return (
        event.start == instant
        and event.end == end
        and wall_end == end
        and event.status != CANCELLED
        and (event.title, event.room, event.staff)
        == (template.title, template.room, template.staff)
    )


def _series_components(series: IcsSeries, slug: str) -> list[Event]:
    """The master VEVENT of a series and its overrides; events off its rule stand alone."""
    from icalendar import vRecur

    zone = ZoneInfo(series.timezone)
    instants = expand(series.rrule, series.local_start, zone)
    by_instant: dict[datetime, IcsEvent] = {}
    loose: list[IcsEvent] = []
    wanted = {moment.astimezone(UTC): moment for moment in instants}
    for event in sorted(series.events, key=lambda e: (e.start, e.id)):
        key = (event.occurrence_start or event.start).astimezone(UTC)
        if key in wanted and key not in by_instant:
            by_instant[key] = event
        else:
            loose.append(event)
    length = series.duration_minutes
    live = [e for e in by_instant.values() if e.status != CANCELLED]
    fitting = [e for e in live if e.start == (e.occurrence_start or e.start)]
    components = [_component(event_uid(e.id, slug), e, zone) for e in loose]
    candidates = fitting or live or list(by_instant.values())
    if not candidates:
        return components
    template = candidates[0]
    uid = series_uid(series.id, slug)
    master = Event()
    master.add("uid", uid)
    stamps = [e.updated or e.start for e in series.events]
    master.add("dtstamp", max(stamps).astimezone(UTC))
    master.add("dtstart", series.local_start.replace(tzinfo=zone))
    master.add("duration", timedelta(minutes=length))
    master.add("rrule", vRecur.from_ical(_utc_rule(series.rrule, zone)))
    master.add("summary", template.title)
    if template.room:
        master.add("location", template.room)
    if template.staff:
        master.add("description", _describe(template))
    # A series with no live occurrence left is a cancelled series; its dates stay.
    master.add("status", "CONFIRMED" if live else "CANCELLED")
    excluded: list[datetime] = []
    overrides: list[Event] = []
    for key, moment in wanted.items():
        found = by_instant.get(key)
        if found is None or (found.status == CANCELLED and live):
            excluded.append(_local(moment, zone))
        elif live and not _same_as_rule(found, template, moment, length):
            override = _component(uid, found, zone)
            override.add("recurrence-id", _local(moment, zone))
            overrides.append(override)
    if excluded:
        master.add("exdate", excluded)
    return [master, *overrides, *components]


def build_calendar(
    *,
    name: str,
    slug: str,
    singles: list[IcsEvent],
    series: list[IcsSeries],
    zone: ZoneInfo = SOFIA,
) -> bytes:
    """The .ics file of ``singles`` and ``series``, with the zone's VTIMEZONE.

    Args:
        name: the calendar's name (X-WR-CALNAME), e.g. the centre and the room.
        slug: the UIDs' domain part (:func:`centre_slug`).
        singles: events outside any series (those of a series go in ``series``).
        series: each series with the events of it on this calendar.

    Returns:
        UTF-8 text with CRLF line ends, folded at 75 octets, as RFC 5545 wants it.
    """
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # No X-WR-TIMEZONE: readers that honour it move UTC times onto the wall clock and lose
    # the hour that comes twice; every time here carries its TZID or is in UTC.
    for event in sorted(singles, key=lambda e: (e.start, e.id)):
        calendar.add_component(_component(event_uid(event.id, slug), event, zone))
    for one in sorted(series, key=lambda s: (s.local_start, s.id)):
        for component in _series_components(one, slug):
            calendar.add_component(component)
    days = [e.start.date() for e in singles] + [
        day
        for s in series
        for day in (
            s.local_start.date(),
            *(e.end.date() for e in s.events),
            *(m.date() for m in expand(s.rrule, s.local_start, ZoneInfo(s.timezone))[-1:]),
        )
    ]
    if days:
        # The zone's rules over the years the file spans (not 1970–2038: a shorter file).
        first, last = min(days), max(days)
        calendar.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(last.year + 2, 1, 1)
        )
    return bytes(calendar.to_ical())
