"""`coptui export ics` (issue 13, point 3): the file, expanded as calendar programs expand it,
says what coptui's own agenda says, occurrence by occurrence, across the autumn clock change,
a moved holiday, and moved, changed and cancelled occurrences of a series; khal reads it too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from sqlmodel import Session

from coptui.domain.recurrence import parse_repeat
from coptui.domain.timeutil import end_after
from coptui.export.ics import build_calendar, centre_slug
from coptui.models import HolidayOverride, OverrideKind
from coptui.services.booking import BookingRequest, book_event
from coptui.services.calendar import agenda
from coptui.services.edits import EventChanges, cancel_event, edit_event
from coptui.services.ics_export import export_rows
from coptui.services.series import book_series
from tests.factories import SOFIA, World, make_world

FIRST = date(2026, 10, 7)  # a Wednesday; the clocks go back on Sunday 25.10.2026
WINDOW = (datetime(2026, 10, 5, tzinfo=SOFIA), datetime(2026, 12, 7, tzinfo=SOFIA))
CLOSED = date(2026, 11, 4)  # the centre's closure, a Wednesday of the series


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SOFIA)


@dataclass
class Calendar:
    world: World
    series: list[int]  # its events, by date
    moved: int
    retitled: int
    cancelled: int
    single_cancelled: int
    night: int


def _centre(session: Session) -> Calendar:
    """A weekly 10:00 in the group room from 07.10.2026, eight times, with every kind of
    exception, and single events around it (one across the night the clocks go back)."""
    world = make_world(session)
    session.add(
        HolidayOverride(
            centre_id=world.centre, day=CLOSED, kind=OverrideKind.CLOSURE, note="Дезинфекция"
        )
    )
    session.flush()
    request = BookingRequest(
        centre_id=world.centre,
        title="Арт ателие",
        start=at(FIRST, 10),
        end=at(FIRST, 11, 30),
        room_id=world.room,
        staff_ids=(world.staff,),
        case_ids=(world.case,),
    )
    result = book_series(session, request=request, rule=parse_repeat("weekly count 8"))
    assert [o.start.astimezone(SOFIA).date() for o in result.skipped_holidays] == [CLOSED]
    events = sorted(result.booked, key=lambda b: b.start)
    assert CLOSED not in {b.start.astimezone(SOFIA).date() for b in events}
    assert len(events) == 7  # 04.11 is skipped: the centre is closed
    moved, cancelled, retitled = events[1], events[4], events[5]
    # Moved from Wednesday 14.10 10:00 to Thursday 15.10 12:00.
    edit_event(
        session,
        event_id=moved.id,
        version=moved.version,
        changes=EventChanges(start=at(date(2026, 10, 15), 12), end=at(date(2026, 10, 15), 13)),
    )
    edit_event(
        session,
        event_id=retitled.id,
        version=retitled.version,
        changes=EventChanges(title="Арт ателие: изложба"),
    )
    cancel_event(session, event_id=cancelled.id, version=cancelled.version, reason="Болест")
    single = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Родителска среща Т-001 (Ели)",
            start=at(date(2026, 10, 27), 17),
            end=at(date(2026, 10, 27), 18),
            room_id=world.room,
            staff_ids=(world.other_staff,),
            case_ids=(world.other_case,),
        ),
    )
    gone = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Екипна среща",
            start=at(date(2026, 11, 10), 14),
            end=at(date(2026, 11, 10), 15),
            room_id=world.room,
            staff_ids=(world.staff,),
        ),
    )
    cancel_event(session, event_id=gone.id, version=gone.version, reason="Отложена")
    # 120 minutes from 02:30 summer time on the night the clocks go back: ends 03:30 winter.
    night = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Нощна подготовка на изложбата",
            start=at(date(2026, 10, 25), 2, 30),
            end=end_after(at(date(2026, 10, 25), 2, 30), 120),
            room_id=world.room,
            staff_ids=(world.other_staff,),
            allow_non_working_day=True,
        ),
    )
    assert single.id
    return Calendar(
        world=world,
        series=[e.id for e in events],
        moved=moved.id,
        retitled=retitled.id,
        cancelled=cancelled.id,
        single_cancelled=gone.id,
        night=night.id,
    )


def _export(session: Session, world: World, resource: str, resource_id: int) -> bytes:
    rows = export_rows(
        session,
        centre_id=world.centre,
        resource=resource,
        resource_id=resource_id,
        start=WINDOW[0],
        end=WINDOW[1],
    )
    return build_calendar(
        name="ЦОП „Тест“ — Групова зала",
        slug=centre_slug(rows.centre_name, rows.centre_id),
        singles=list(rows.singles),
        series=list(rows.series),
    )


def _occurrences(data: bytes) -> list[tuple[datetime, datetime, str, str]]:
    calendar = icalendar.Calendar.from_ical(data)
    found = recurring_ical_events.of(calendar).between(*WINDOW)
    return sorted(
        (
            o["dtstart"].dt.astimezone(UTC),
            (o["dtend"].dt if o.get("dtend") else o["dtstart"].dt + o["duration"].dt).astimezone(
                UTC
            ),
            str(o["summary"]),
            str(o.get("status", "CONFIRMED")),
        )
        for o in found
    )


@pytest.mark.parametrize("resource", ["room", "staff"])
def test_every_occurrence_is_the_agendas(session: Session, resource: str) -> None:
    built = _centre(session)
    world = built.world
    resource_id = world.room if resource == "room" else world.staff
    data = _export(session, world, resource, resource_id)
    expanded = _occurrences(data)
    live = {
        (r.start.astimezone(UTC), r.end.astimezone(UTC), r.title, "CONFIRMED")
        for r in agenda(
            session,
            centre_id=world.centre,
            start=WINDOW[0],
            end=WINDOW[1],
            resource=resource,
            resource_id=resource_id,
        )
    }
    # Titles are blanked where they name a case (not so in the agenda, which stays inside).
    live = {(s, e, t.replace("Т-001 (Ели)", "… (…)"), st) for s, e, t, st in live}
    cancelled_here = {
        (r.start.astimezone(UTC), r.end.astimezone(UTC), r.title, "CANCELLED")
        for r in agenda(session, centre_id=world.centre, start=WINDOW[0], end=WINDOW[1])
        if r.status == "cancelled"
        and r.id != built.cancelled  # a series' cancelled date is an EXDATE: not there at all
        and (r.room_id == world.room if resource == "room" else world.staff in r.staff_ids)
    }
    assert [o for o in expanded if o[3] == "CONFIRMED"] == sorted(live)
    assert {o for o in expanded if o[3] == "CANCELLED"} == cancelled_here
    assert len(expanded) == len(live) + len(cancelled_here)
    # Wall clock across the change: 10:00 in summer time (UTC+3) and in winter time (UTC+2).
    series_starts = {s for s, _e, t, _st in expanded if t == "Арт ателие"}
    assert datetime(2026, 10, 21, 7, tzinfo=UTC) in series_starts
    assert datetime(2026, 10, 28, 8, tzinfo=UTC) in series_starts
    assert not {s for s in series_starts if s.date() in (CLOSED, date(2026, 10, 14))}


def test_the_file_says_it_as_rfc_5545_does(session: Session) -> None:
    built = _centre(session)
    world = built.world
    data = _export(session, world, "room", world.room)
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    masters = [e for e in events if e.get("rrule")]
    assert len(masters) == 1
    master = masters[0]
    assert master["dtstart"].params["TZID"] == "Europe/Sofia"
    assert master["dtstart"].dt == datetime(2026, 10, 7, 10, tzinfo=master["dtstart"].dt.tzinfo)
    exdates = master.get("exdate", [])
    exdates = exdates if isinstance(exdates, list) else [exdates]
    excluded = {d.dt.date() for e in exdates for d in e.dts}
    cancelled_day = date(2026, 11, 11)
    assert excluded == {CLOSED, cancelled_day}
    overrides = [e for e in events if e.get("recurrence-id")]
    assert {o["uid"] for o in overrides} == {master["uid"]}
    originals = {o["recurrence-id"].dt.date(): o for o in overrides}
    assert set(originals) == {date(2026, 10, 14), date(2026, 11, 4) + timedelta(days=14)}
    assert originals[date(2026, 10, 14)]["dtstart"].dt.date() == date(2026, 10, 15)
    assert str(originals[date(2026, 11, 18)]["summary"]) == "Арт ателие: изложба"
    singles = [e for e in events if not e.get("rrule") and not e.get("recurrence-id")]
    statuses = {str(e["summary"]): str(e["status"]) for e in singles}
    assert statuses["Екипна среща"] == "CANCELLED"
    assert statuses["Нощна подготовка на изложбата"] == "CONFIRMED"
    night = next(e for e in singles if str(e["summary"]).startswith("Нощна"))
    # 03:30 comes twice that night; a TZID time means the first, so it is said in UTC.
    assert night["dtstart"].dt == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert night["dtend"].dt == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert night["dtend"].dt - night["dtstart"].dt == timedelta(minutes=120)
    assert all(str(e.get("location")) == "Групова зала" for e in events)
    assert [c for c in calendar.walk("VTIMEZONE") if c["tzid"] == "Europe/Sofia"]
    # Stable UIDs: the same in a second export, one per event or series.
    assert data == _export(session, world, "room", world.room)
    uids = {str(e["uid"]) for e in events}
    assert f"event-{built.single_cancelled}@tsop-test-{world.centre}.coptui" in uids
    # No child, no case code, anywhere in the file.
    text = data.decode()
    for word in ("Т-001", "Т-002", "Ели", "Иво"):
        assert word not in text


def test_a_volunteer_exports_only_their_own(session: Session) -> None:
    from coptui.errors import PermissionDeniedError
    from coptui.services import ics_export
    from coptui.services.identity import Identity

    built = _centre(session)
    world = built.world
    me = Identity("vera", "volunteer", None, world.volunteer, "Вера Опитова", world.centre)
    original = ics_export.current_identity
    ics_export.current_identity = lambda _db: me  # type: ignore[assignment]
    try:
        with pytest.raises(PermissionDeniedError):
            export_rows(
                session,
                centre_id=world.centre,
                resource="room",
                resource_id=world.room,
                start=WINDOW[0],
                end=WINDOW[1],
            )
    finally:
        ics_export.current_identity = original


KHAL_CONFIG = """
[calendars]
[[coptui]]
path = {vdir}
type = calendar

[locale]
timeformat = %H:%M
dateformat = %d.%m.%Y
longdateformat = %d.%m.%Y
datetimeformat = %d.%m.%Y %H:%M
longdatetimeformat = %d.%m.%Y %H:%M
default_timezone = Europe/Sofia
local_timezone = Europe/Sofia

[sqlite]
path = {db}
"""


def _khal() -> str:
    found = shutil.which("khal", path=str(Path(sys.executable).parent)) or shutil.which("khal")
    if found is None:
        pytest.fail("khal is a dev dependency: pip install -e '.[dev]'")
    return found


def test_khal_reads_the_export_back(session: Session, tmp_path: Path) -> None:
    built = _centre(session)
    data = _export(session, built.world, "room", built.world.room)
    ics = tmp_path / "room.ics"
    ics.write_bytes(data)
    vdir = tmp_path / "calendar"
    vdir.mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(KHAL_CONFIG.format(vdir=vdir, db=tmp_path / "khal.db"))
    env = {**os.environ, "TZ": "Europe/Sofia", "LC_ALL": "C.UTF-8"}
    khal = _khal()
    imported = subprocess.run(
        [khal, "-c", str(config), "import", "--batch", "-a", "coptui", str(ics)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    listed = subprocess.run(
        [
            khal,
            "-c",
            str(config),
            "list",
            "--format",
            "{start} {end} {title} {status}",
            "--day-format",
            "",
            "05.10.2026",
            "63d",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    lines = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
    art = [line for line in lines if "Арт ателие" in line]
    assert "07.10.2026 10:00 07.10.2026 11:30 Арт ателие CONFIRMED" in art
    assert "28.10.2026 10:00 28.10.2026 11:30 Арт ателие CONFIRMED" in art  # winter time
    assert "15.10.2026 12:00 15.10.2026 13:00 Арт ателие CONFIRMED" in art  # the moved one
    assert "18.11.2026 10:00 18.11.2026 11:30 Арт ателие: изложба CONFIRMED" in art
    assert not [line for line in art if line.startswith(("14.10.2026", "04.11.2026", "11.11."))]
    assert len(art) == 6  # eight dates: one closed, one cancelled
    assert any(line.startswith("25.10.2026 02:30 25.10.2026 03:30 Нощна") for line in lines), lines
    assert any("Екипна среща" in line and "CANCELLED" in line for line in lines), lines


def test_a_series_over_a_moved_holiday_is_the_agendas(session: Session) -> None:
    # 26.12.2026 falls on a Saturday: Bulgaria's day off moves to Monday 28.12, which a weekly
    # Monday series skips. The calendar client must skip it too (an EXDATE), and nothing else.
    world = make_world(session)
    moved_off = date(2026, 12, 28)
    request = BookingRequest(
        centre_id=world.centre,
        title="Група по понеделник",
        start=at(date(2026, 12, 14), 15),
        end=at(date(2026, 12, 14), 16),
        room_id=world.room,
        staff_ids=(world.staff,),
    )
    result = book_series(session, request=request, rule=parse_repeat("weekly count 4"))
    assert [o.start.astimezone(SOFIA).date() for o in result.skipped_holidays] == [moved_off]
    window = (datetime(2026, 12, 7, tzinfo=SOFIA), datetime(2027, 1, 18, tzinfo=SOFIA))
    rows = export_rows(
        session,
        centre_id=world.centre,
        resource="room",
        resource_id=world.room,
        start=window[0],
        end=window[1],
    )
    data = build_calendar(
        name="ЦОП „Тест“ — Групова зала",
        slug=centre_slug(rows.centre_name, rows.centre_id),
        singles=list(rows.singles),
        series=list(rows.series),
    )
    calendar = icalendar.Calendar.from_ical(data)
    expanded = sorted(
        o["dtstart"].dt.astimezone(SOFIA).date()
        for o in recurring_ical_events.of(calendar).between(*window)
    )
    live = sorted(
        r.start.astimezone(SOFIA).date()
        for r in agenda(
            session,
            centre_id=world.centre,
            start=window[0],
            end=window[1],
            resource="room",
            resource_id=world.room,
        )
    )
    assert expanded == live == [date(2026, 12, 14), date(2026, 12, 21), date(2027, 1, 4)]
