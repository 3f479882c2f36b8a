"""A second import of an outside calendar brings the blocks up to date (a moved event moves
its block, unless something holds the new time; a cancelled or vanished one cancels it; the
same one is left), only on the same calendar; a time the clock skips is named, never written."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.services.ics_import import Busy, IcsImport, import_busy, read_busy
from tests.factories import DAY, SOFIA, World, add_event, at, make_world, span


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


WINDOW = (at("00:00"), at("00:00", DAY + timedelta(days=7)))


def _run(
    session: Session, world: World, *busy: Busy, write: bool = True, target: str = "staff"
) -> IcsImport:
    return import_busy(
        session,
        centre_id=world.centre,
        target=target,
        target_id=world.staff if target == "staff" else world.room,
        busy=list(busy),
        write=write,
        window=WINDOW,
    )


def _blocks(session: Session) -> list[tuple[str, str, datetime, datetime]]:
    found = session.execute(
        text(
            "SELECT i.uid, e.status, lower(e.during), upper(e.during) FROM event_import i"
            " JOIN event e ON e.id = i.event_id ORDER BY i.uid, i.calendar"
        )
    )
    return [(r[0], r[1], r[2], r[3]) for r in found]


def _counts(result: IcsImport) -> tuple[int, int, int, int, int]:
    return (
        len(result.new),
        len(result.changed),
        len(result.removed),
        len(result.duplicates),
        len(result.clashing),
    )


def test_a_moved_outside_event_moves_its_block(session: Session, world: World) -> None:
    _run(session, world, Busy("u1", "", "Среща", at("09:00"), at("10:00")))
    moved = Busy("u1", "", "Среща", at("14:00"), at("15:00"))
    preview = _run(session, world, moved, write=False)
    assert _counts(preview) == (0, 1, 0, 0, 0)
    assert preview.changed[0].moved_from == (at("09:00"), at("10:00"))
    done = _run(session, world, moved)
    assert _counts(done) == (0, 1, 0, 0, 0)
    assert _blocks(session) == [("u1", "planned", at("14:00"), at("15:00"))]
    # The 09:00 hour is free again, 14:00 is held.
    again = _run(session, world, moved, write=False)
    assert _counts(again) == (0, 0, 0, 1, 0)


def test_a_move_into_a_taken_time_is_named_and_not_made(session: Session, world: World) -> None:
    _run(session, world, Busy("u1", "", "Среща", at("09:00"), at("10:00")))
    add_event(session, world, span("14:00", "15:00"), staff=(world.staff,), title="Група")
    moved = Busy("u1", "", "Среща", at("14:30"), at("15:30"))
    preview = _run(session, world, moved, write=False)
    assert _counts(preview) == (0, 0, 0, 0, 1)
    assert preview.clashing[0].moved_from is not None
    assert "Група" in preview.clashing[0].clashes[0].describe()
    done = _run(session, world, moved)
    assert _counts(done) == (0, 0, 0, 0, 1)
    assert _blocks(session) == [("u1", "planned", at("09:00"), at("10:00"))]


def test_a_cancelled_or_vanished_outside_event_cancels_its_block(
    session: Session, world: World
) -> None:
    kept = Busy("keep", "", "Остава", at("11:00"), at("12:00"))
    _run(session, world, Busy("u1", "", "Среща", at("09:00"), at("10:00")), kept)
    # A file whose event is cancelled reads as one without it (read_busy leaves it out).
    preview = _run(session, world, kept, write=False)
    assert _counts(preview) == (0, 0, 1, 1, 0)
    assert preview.removed[0].title == "Среща"
    done = _run(session, world, kept)
    assert _counts(done) == (0, 0, 1, 1, 0)
    assert [(u, s) for u, s, *_ in _blocks(session)] == [("keep", "planned"), ("u1", "cancelled")]
    # Once cancelled it is not cancelled again.
    assert _counts(_run(session, world, kept)) == (0, 0, 0, 1, 0)


def test_a_block_outside_the_days_read_is_left(session: Session, world: World) -> None:
    later = at("09:00", DAY + timedelta(days=10))
    _run(session, world, Busy("far", "", "Далеч", later, later + timedelta(hours=1)))
    done = _run(session, world)
    assert _counts(done) == (0, 0, 0, 0, 0)
    assert [s for _u, s, *_ in _blocks(session)] == ["planned"]


def test_only_blocks_of_the_same_calendar_are_touched(session: Session, world: World) -> None:
    _run(session, world, Busy("u1", "", "Среща", at("09:00"), at("10:00")), target="room")
    done = _run(session, world, Busy("u1", "", "Среща", at("14:00"), at("15:00")))
    assert _counts(done) == (1, 0, 0, 0, 0)  # new on the staff calendar
    assert _counts(_run(session, world, target="room")) == (0, 0, 1, 0, 0)
    assert [(u, s, a) for u, s, a, _e in _blocks(session)] == [
        ("u1", "cancelled", at("09:00")),
        ("u1", "planned", at("14:00")),
    ]


def test_a_time_the_clock_skips_is_named_and_the_rest_comes_in(
    session: Session, world: World
) -> None:
    data = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//t//EN\r
BEGIN:VEVENT\r
UID:n1\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Normal\r
DTSTART;TZID=Europe/Sofia:20270326T100000\r
DTEND;TZID=Europe/Sofia:20270326T110000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:g1\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Gap\r
DTSTART;TZID=Europe/Sofia:20270328T030000\r
DTEND;TZID=Europe/Sofia:20270328T040000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:g2\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Half\r
DTSTART;TZID=Europe/Sofia:20270328T033000\r
DTEND;TZID=Europe/Sofia:20270328T050000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:inv\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Backwards once on the clock\r
DTSTART;TZID=Europe/Sofia:20270328T033000\r
DTEND;TZID=Europe/Sofia:20270328T041500\r
END:VEVENT\r
END:VCALENDAR\r
"""
    first = datetime(2027, 3, 20, tzinfo=SOFIA)
    busy = read_busy(data, start=first, end=first + timedelta(days=30))
    problems = {b.uid: (b.start, b.end) for b in busy if b.problem}
    assert problems == {
        "g1": (datetime(2027, 3, 28, 3, tzinfo=SOFIA), datetime(2027, 3, 28, 4, tzinfo=SOFIA)),
        # 03:30 is 04:30 summer time: after its end, 04:15.
        "inv": (
            datetime(2027, 3, 28, 3, 30, tzinfo=SOFIA),
            datetime(2027, 3, 28, 4, 15, tzinfo=SOFIA),
        ),
    }
    half = next(b for b in busy if b.uid == "g2")
    # RFC 5545: a skipped time counts with the offset before the gap (03:30 EET = 04:30 EEST).
    assert (half.start.utcoffset(), f"{half.start:%H:%M}") == (timedelta(hours=3), "04:30")
    done = _run(session, world, *busy)
    assert sorted(line.busy.uid for line in done.new) == ["g2", "n1"]
    assert sorted(line.busy.uid for line in done.impossible) == ["g1", "inv"]
    assert sorted(u for u, *_ in _blocks(session)) == ["g2", "n1"]


def test_an_event_back_outside_brings_its_block_back_but_not_one_a_person_cancelled(
    session: Session, world: World
) -> None:
    from coptui.services.edits import cancel_event

    back = Busy("back", "", "Връща се", at("09:00"), at("10:00"))
    mine = Busy("mine", "", "Отменено тук", at("11:00"), at("12:00"))
    _run(session, world, back, mine)
    _run(session, world, mine)  # "back" is gone outside: cancelled
    person = session.execute(
        text(
            "SELECT e.id, e.version FROM event e JOIN event_import i ON i.event_id = e.id"
            " WHERE i.uid = 'mine'"
        )
    ).one()
    cancel_event(session, event_id=person.id, version=person.version, reason="Отпадна")
    later = replace(back, start=at("13:00"), end=at("14:00"))
    preview = _run(session, world, later, mine, write=False)
    assert _counts(preview) == (0, 1, 0, 1, 0) and preview.changed[0].restored
    _run(session, world, later, mine)
    assert [(u, s, a) for u, s, a, _e in _blocks(session)] == [
        ("back", "planned", at("13:00")),
        ("mine", "cancelled", at("11:00")),
    ]
