"""Stored text never reaches the terminal raw; CSV cells are never formulas; the crash log is
private and holds no data."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from coptui.cli import EXIT_BAD_INPUT, EXIT_FAILED, _guarded, main
from coptui.config import Settings
from coptui.errors import BadInputError
from coptui.services.calendar import EventRow
from coptui.services.directory import Entry

TITLE = "x\x1b]0;pwned\x07y"
FORGED = "ok\n999999  01.01.2027 10:00–11:00  forged"
CONTROL = ("\x1b", "\x07", "\x9b", "\u2028")


def hostile_rows() -> list[EventRow]:
    start = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    end = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)

    def row(event_id: int, title: str, room: str, staff: str) -> EventRow:
        return EventRow(
            id=event_id,
            title=title,
            kind="group",
            start=start,
            end=end,
            status="planned",
            room=room,
            staff=(staff,),
            version=1,
        )

    return [
        row(1, TITLE, "Зала\x9b31m", "Анна\u2028Тестова"),
        row(2, FORGED, '=HYPERLINK("http://x")', "+1+1"),
        row(3, "@SUM(A1)", "-2", "Мария"),
    ]


@pytest.fixture
def hostile_agenda(demo_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stored text as an older coptui, a psql session or an import may have left it.
    monkeypatch.setattr("coptui.services.calendar.agenda", lambda *a, **k: hostile_rows())


def test_agenda_text_has_no_control_characters_and_one_line_per_event(
    hostile_agenda: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["agenda", "--from", "14.12.2026", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in CONTROL), repr(out)
    lines = out.splitlines()
    assert len(lines) == 3
    assert "forged" in lines[1] and lines[1].lstrip().startswith("2 ")


def test_agenda_csv_cells_are_never_formulas(
    hostile_agenda: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["agenda", "--from", "14.12.2026", "--days", "1", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in CONTROL), repr(out)
    records = list(csv.DictReader(io.StringIO(out)))
    assert len(records) == 3
    for record in records:
        for key, cell in record.items():
            assert not cell.startswith(("=", "+", "-", "@")), (key, cell)
    assert records[1]["room"] == '\'=HYPERLINK("http://x")'
    assert records[2]["title"] == "'@SUM(A1)"


def test_agenda_json_stays_json_and_keeps_the_text(
    hostile_agenda: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["agenda", "--from", "14.12.2026", "--days", "1", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in CONTROL), repr(out)
    records = json.loads(out)
    assert [r["title"] for r in records] == [TITLE, FORGED, "@SUM(A1)"]
    assert records[0]["room"] == "Зала\x9b31m"


def test_list_text_is_cleaned(
    demo_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "coptui.services.directory.entries",
        lambda *a, **k: [Entry(id=1, name=TITLE, detail=FORGED)],
    )
    assert main(["list", "rooms"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in CONTROL) and len(out.splitlines()) == 1


def test_error_messages_on_stderr_are_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def fails() -> int:
        raise BadInputError(f"Няма зала {TITLE} {FORGED}")

    assert _guarded(fails, Settings(home=tmp_path)) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert not any(c in err for c in CONTROL)
    assert len(err.splitlines()) == 1


def _database_error() -> DBAPIError:
    detail = Exception(
        'duplicate key value violates unique constraint "uq_case_code"\n'
        "DETAIL:  Key (code)=(ЦОП-ТАЙНА) already exists."
    )
    return DBAPIError(
        "INSERT INTO case_file (code, child_name) VALUES (%(code)s, %(name)s)",
        {"code": "ЦОП-ТАЙНА", "name": "Ели Тайнова"},
        detail,
    )


def test_the_crash_log_is_private_and_holds_no_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "coptui-error.log"
    log.write_text("an older crash\n")
    os.chmod(log, 0o644)

    def crashes() -> int:
        raise _database_error()

    assert _guarded(crashes, Settings(home=tmp_path)) == EXIT_FAILED
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(log) in err
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "an older crash" in text and "Traceback" in text
    assert "ТАЙНА" not in text and "Тайнова" not in text
    assert "[parameters: hidden]" in text


def test_a_new_crash_log_is_created_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"

    def crashes() -> int:
        raise RuntimeError(f"boom {TITLE}")

    assert _guarded(crashes, Settings(home=home)) == EXIT_FAILED
    log = home / "coptui-error.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert not any(c in log.read_text() for c in CONTROL)
    assert not any(c in capsys.readouterr().err for c in CONTROL)


def test_agenda_csv_of_an_empty_day_has_the_full_header(
    demo_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script reading the CSV finds the same columns whether or not there are events."""
    monkeypatch.setattr("coptui.services.calendar.agenda", lambda *a, **k: [])
    assert main(["agenda", "--from", "14.12.2026", "--days", "1", "--format", "csv"]) == 0
    header = "id,title,start,end,room,staff,status,kind,volunteers,open_places,cases,programme"
    assert capsys.readouterr().out.splitlines() == [header]
