"""`coptui import ics` and `coptui export ics` on the demo centre (issue 13, point 3): outside
busy times come in as blocks with a preview of the clashes, a second import skips them by
UID, and a hostile file is refused in one line or cleaned."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sqlalchemy import text

from coptui import db
from coptui.cli import main
from tests.factories import SOFIA

STAFF = "Ивайло Маринов"
FROM = "23.11.2026"


def _calendar(*events: icalendar.Event) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Outside//Test//EN")
    calendar.add("version", "2.0")
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _event(uid: str, title: str, start: Any, end: Any, **extra: Any) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 11, 1, tzinfo=UTC))
    event.add("summary", title)
    event.add("dtstart", start)
    event.add("dtend", end)
    for key, value in extra.items():
        event.add(key.replace("_", "-"), value)
    return event


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SOFIA)


def _first_event_of(capsys: pytest.CaptureFixture[str], staff: str) -> dict[str, Any]:
    assert (
        main(["agenda", "--staff", staff, "--from", FROM, "--days", "14", "--format", "json"]) == 0
    )
    records: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return records[0]


def _imported(url: str) -> list[tuple[str, str, str, str]]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT i.uid, i.recurrence, e.title, e.kind FROM event_import i"
                " JOIN event e ON e.id = i.event_id ORDER BY lower(e.during)"
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in found]


def _import(path: Path, *more: str) -> int:
    return main(
        ["import", "ics", str(path), "--staff", STAFF, "--from", FROM, "--days", "21", *more]
    )


def test_preview_then_yes_then_a_second_import_skips_by_uid(
    demo_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    held = _first_event_of(capsys, STAFF)
    held_start = datetime.fromisoformat(held["start"])
    tuesday = date(2026, 11, 24)
    outside = _calendar(
        # A training day out of the centre, Thursday 26.11 (the demo has nothing then).
        _event(
            "training@rdsp.example",
            "Обучение в РДСП",
            at(date(2026, 11, 26), 7),
            at(date(2026, 11, 26), 7, 45),
        ),
        # Weekly supervision, three times, the second one taken off, the third moved.
        _event(
            "supervision@example.org",
            "Супервизия",
            at(tuesday, 7),
            at(tuesday, 7, 30),
            rrule={"freq": "weekly", "count": 3},
            exdate=[at(tuesday + timedelta(days=7), 7)],
        ),
        _event(
            "supervision@example.org",
            "Супервизия (преместена)",
            at(tuesday + timedelta(days=15), 6),
            at(tuesday + timedelta(days=15), 6, 30),
            recurrence_id=at(tuesday + timedelta(days=14), 7),
        ),
        # In the way of what coptui already has for him.
        _event("dentist@example.org", "Зъболекар", held_start, held_start + timedelta(minutes=30)),
        # Not busy: cancelled, or marked free.
        _event("x@example.org", "Отменено", at(tuesday, 6), at(tuesday, 6, 30), status="CANCELLED"),
        _event(
            "y@example.org", "Свободно", at(tuesday, 5), at(tuesday, 5, 30), transp="TRANSPARENT"
        ),
        # Two days of leave: a block on each day.
        _event("leave@example.org", "Отпуск", date(2026, 12, 5), date(2026, 12, 7)),
    )
    path = tmp_path / "outside.ics"
    path.write_bytes(outside)

    assert _import(path) == 0
    preview = capsys.readouterr().out
    assert "За внасяне: 5" in preview, preview
    assert "Обучение в РДСП" in preview and "Супервизия (преместена)" in preview
    assert "Отменено" not in preview and "Свободно" not in preview
    clash_line = next(line for line in preview.splitlines() if "Зъболекар" in line)
    assert held["title"] in clash_line and STAFF in clash_line
    assert "--yes" in preview
    assert _imported(demo_env) == []  # a preview writes nothing

    assert _import(path, "--yes") == 0
    done = capsys.readouterr().out
    assert "Внесени: 5" in done, done
    stored = _imported(demo_env)
    # By start; the weekly one's second date was taken off (EXDATE).
    assert [(uid, title) for uid, _rid, title, _kind in stored] == [
        ("supervision@example.org", "Супервизия"),
        ("training@rdsp.example", "Обучение в РДСП"),
        ("leave@example.org", "Отпуск"),
        ("leave@example.org", "Отпуск"),
        ("supervision@example.org", "Супервизия (преместена)"),
    ]
    assert {kind for *_rest, kind in stored} == {"block"}
    recurrences = {rid for uid, rid, *_rest in stored if uid == "supervision@example.org"}
    assert recurrences == {"20261124T050000Z", "20261208T050000Z"}
    assert {rid for uid, rid, *_rest in stored if uid == "leave@example.org"} == {"#1", "#2"}
    assert {rid for uid, rid, *_rest in stored if uid == "training@rdsp.example"} == {""}
    # The blocks hold his time: agenda shows them on his calendar.
    assert main(["agenda", "--staff", STAFF, "--from", "26.11.2026", "--days", "1"]) == 0
    assert "Обучение в РДСП" in capsys.readouterr().out

    assert _import(path, "--yes") == 0
    again = capsys.readouterr().out
    assert "Внесени: 0" in again and "Внесени преди, без промяна: 5" in again, again
    assert len(_imported(demo_env)) == 5


def test_export_of_the_demo_reads_back(
    demo_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "room.ics"
    assert main(["export", "ics", "--room", "Групова", "--from", FROM, "--output", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    assert list(calendar.walk("VEVENT"))
    assert main(["export", "ics", "--programme", "Арт", "--from", "01.11.2026"]) == 0
    printed = capsys.readouterr().out
    assert "RRULE:FREQ=WEEKLY" in printed and "BEGIN:VTIMEZONE" in printed
    codes = _case_codes(demo_env)
    assert not [code for code in codes if code in printed]


def _case_codes(url: str) -> list[str]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        found = [r[0] for r in conn.execute(text("SELECT code FROM case_file"))]
    engine.dispose()
    return found


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"hello, this is not a calendar\n", "iCalendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026XX\r\n", "iCalendar"),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Someone\r\nEND:VCARD\r\n",
            "iCalendar",
        ),
    ],
)
def test_a_malformed_file_is_exit_2_in_one_line(
    demo_env: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: bytes,
    words: str,
) -> None:
    path = tmp_path / "bad.ics"
    path.write_bytes(content)
    assert _import(path) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_hostile_text_is_cleaned_or_refused(
    demo_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    day = date(2026, 11, 27)
    sneaky = _calendar(
        _event(
            "sneaky@example.org", "Среща\x1b[2J\x07 " + "я" * 100_000, at(day, 6), at(day, 6, 30)
        )
    )
    path = tmp_path / "sneaky.ics"
    path.write_bytes(sneaky)
    assert main(["import", "ics", str(path), "--room", "Групова", "--from", FROM, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    title = next(t for uid, _r, t, _k in _imported(demo_env) if uid == "sneaky@example.org")
    assert title.startswith("Среща") and len(title) <= 200 and title.isprintable()

    bad_uid = _calendar(_event("evil\x1b]0;owned\x07@example.org", "Среща", at(day, 5), at(day, 6)))
    path.write_bytes(bad_uid)
    assert _import(path) == 2
    err = capsys.readouterr().err
    assert "UID" in err and err.count("\n") == 1 and "\x1b" not in err

    # A rule that repeats every second, for ever: refused at the cap, not listed first.
    endless = _event(
        "tick@example.org", "Тик", at(day, 5), at(day, 5, 0, 1), rrule={"freq": "secondly"}
    )
    path.write_bytes(_calendar(endless))
    assert _import(path) == 2
    assert "2000" in capsys.readouterr().err

    path.write_bytes(b"BEGIN:VCALENDAR\r\n" + b"X" * (6 * 1024 * 1024))
    assert _import(path) == 2
    assert "MB" in capsys.readouterr().err


def test_a_volunteer_option_is_not_for_import(
    demo_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.ics"
    path.write_bytes(_calendar())
    assert main(["import", "ics", str(path)]) == 2
    assert "--room" in capsys.readouterr().err
    assert main(["import", "staff", str(path), "--room", "Групова"]) == 2
    capsys.readouterr()


def test_a_second_import_moves_cancels_and_counts(
    demo_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    day = date(2026, 12, 15)  # after the days the other tests read
    argv = ["import", "ics", str(tmp_path / "outside.ics"), "--staff", STAFF]
    argv += ["--from", "14.12.2026", "--days", "7"]
    path = tmp_path / "outside.ics"
    path.write_bytes(_calendar(_event("m@example.org", "Среща", at(day, 7), at(day, 7, 30))))
    assert main([*argv, "--yes"]) == 0
    capsys.readouterr()
    path.write_bytes(_calendar(_event("m@example.org", "Среща", at(day, 19), at(day, 20))))
    assert main(argv) == 0
    preview = capsys.readouterr().out
    assert "15.12.2026 19:00–20:00  Среща" in preview and "15.12.2026 07:00–07:30" in preview
    assert main([*argv, "--yes"]) == 0
    capsys.readouterr()
    assert [t for u, _r, t, _k in _imported(demo_env) if u == "m@example.org"] == ["Среща"]
    path.write_bytes(_calendar())
    assert main([*argv, "--yes"]) == 0
    done = capsys.readouterr().out
    assert "15.12.2026 19:00–20:00  Среща" in done
    engine = db.make_engine(demo_env)
    with engine.connect() as conn:
        status = conn.execute(
            text(
                "SELECT e.status, upper(e.during) FROM event e JOIN"
                " event_import i ON i.event_id = e.id WHERE i.uid = 'm@example.org'"
            )
        ).one()
    engine.dispose()
    assert status == ("cancelled", at(day, 20))


def test_a_time_the_clock_skips_is_named_and_an_all_day_block_ends_at_24_00(
    demo_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "gap.ics"
    spring = date(2027, 3, 28)
    path.write_bytes(
        _calendar(
            _event("ok@example.org", "Среща", at(date(2027, 3, 26), 10), at(date(2027, 3, 26), 11)),
            _event("gap@example.org", "Дупка", at(spring, 3), at(spring, 4)),
            _event("half@example.org", "Полудупка", at(spring, 3, 30), at(spring, 5)),
            _event("day@example.org", "Отпуск", date(2027, 3, 29), date(2027, 3, 30)),
        )
    )
    argv = ["import", "ics", str(path), "--staff", STAFF, "--from", "20.03.2027", "--days", "30"]
    assert main(argv) == 0
    preview = capsys.readouterr().out
    assert "За внасяне: 3" in preview
    gap = next(line for line in preview.splitlines() if "Дупка" in line and "Полу" not in line)
    assert "28.03.2027 03:00–04:00" in gap and "—" in gap
    assert main([*argv, "--yes"]) == 0
    capsys.readouterr()
    assert sorted(
        u
        for u, *_ in _imported(demo_env)
        if u == "day@example.org" or u in ("half@example.org", "ok@example.org", "gap@example.org")
    ) == [
        "day@example.org",
        "half@example.org",
        "ok@example.org",
    ]
    agenda = ["agenda", "--staff", STAFF, "--from", "29.03.2027", "--days", "1"]
    assert main(agenda) == 0
    assert "29.03.2027 00:00–24:00  Отпуск" in capsys.readouterr().out
