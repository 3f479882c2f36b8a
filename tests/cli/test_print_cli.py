"""`coptui print week`: the PDF's words, the text's widths, the events of `agenda`, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from coptui import db
from coptui.cli import main
from coptui.export.week_text import cells

WEEK = ["--week", "25.11.2026"]  # the demo's week: Monday 23.11 to Sunday 29.11.2026


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def _agenda_titles(capsys: pytest.CaptureFixture[str], option: str, name: str) -> list[str]:
    assert main(["agenda", option, name, "--from", "23.11.2026", "--format", "json"]) == 0
    return [e["title"] for e in json.loads(capsys.readouterr().out) if e["status"] != "cancelled"]


def _with_a_session(url: str, sql: str) -> str:
    """The name of a volunteer or programme with a session in the week (the demo's data)."""
    engine = db.make_engine(url)
    with engine.connect() as conn:
        name = conn.execute(text(sql)).scalars().first()
    engine.dispose()
    assert name
    return str(name)


_IN_WEEK = "tstzrange('2026-11-23 00:00+02', '2026-11-30 00:00+02')"
_VOLUNTEER = (
    "SELECT v.full_name FROM roster_slot r JOIN volunteer v ON v.id = r.volunteer_id"
    f" WHERE r.during && {_IN_WEEK} AND r.status <> 'declined' ORDER BY v.id"
)
_PROGRAMME = (
    "SELECT p.title FROM event e JOIN programme p ON p.id = e.programme_id"
    f" WHERE e.during && {_IN_WEEK} AND e.status <> 'cancelled' ORDER BY p.id"
)


def test_the_room_week_as_pdf(
    demo_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = _agenda_titles(capsys, "--room", "Групова зала")
    assert titles
    out = tmp_path / "week.pdf"
    assert main(["print", "week", "--room", "групова", *WEEK, "--output", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    words = _pdf_text(out)
    assert "Зала: Групова зала" in words and "Седмица 23.11 – 29.11.2026" in words
    for day, name in (("23.11.2026", "Понеделник"), ("27.11.2026", "Петък")):
        assert day in words and name in words
    for title in titles:
        assert title.split()[0] in words
    assert "Слънчоглед" in words  # the centre's name
    assert not list(tmp_path.glob(".*.part"))


def test_a_programme_week_is_its_sessions_and_a_volunteer_week_what_they_serve(
    demo_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for option, name in (
        ("--programme", _with_a_session(demo_env, _PROGRAMME)),
        ("--volunteer", _with_a_session(demo_env, _VOLUNTEER)),
        ("--staff", "Десислава"),
    ):
        titles = _agenda_titles(capsys, option, name)
        assert titles, option
        assert main(["print", "week", option, name, *WEEK, "--format", "text"]) == 0
        printed = capsys.readouterr().out
        events = [line for line in printed.splitlines() if line[2:3].isdigit()]
        assert len(events) == len(titles), option
        for line, title in zip(events, titles, strict=True):
            assert line[15:].startswith(title[:40]), (line, title)


@pytest.mark.parametrize("width", ["80", "132"])
def test_the_text_fits_80_and_132_columns(
    demo_env: str, capsys: pytest.CaptureFixture[str], width: str
) -> None:
    assert main(["print", "week", "--staff", "Десислава", *WEEK, "--format", "text",
                 "--width", width])  == 0  # fmt: skip
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert max(cells(line) for line in lines) <= int(width)
    assert lines[0].startswith("Специалист: Десислава Колева")
    assert "Понеделник 23.11.2026" in printed and "Неделя 29.11.2026" in printed


def test_a_pdf_goes_to_a_pipe_but_not_to_a_terminal(
    demo_env: str, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["print", "week", "--room", "Групова", *WEEK]) == 0
    assert capsysbinary.readouterr().out.startswith(b"%PDF-")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["print", "week", "--room", "Групова", *WEEK]) == 2
    captured = capsysbinary.readouterr()
    assert captured.out == b"" and "--output" in captured.err.decode()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["print", "week", *WEEK], "--room"),
        (["print", "week", "--room", "Няма такава", *WEEK], "Няма такава"),
        (["print", "week", "--room", "Кабинет", *WEEK], "повече от"),
        (["print", "week", "--room", "Групова"], "--week"),
        (["print", "week", "--room", "Групова", "--week", "31.02.2026"], "31.02.2026"),
        (["print", "week", "--room", "Групова", *WEEK, "--width", "100"], "132"),
        (["print", "week", "--room", "Групова", *WEEK, "--format", "svg"], "text"),
        (["print", "week", "--case", "X", *WEEK], "--programme"),
    ],
)
def test_bad_input_exits_2_and_names_what_is_allowed(
    demo_env: str, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1, err


def test_a_folder_or_a_missing_folder_is_bad_input(
    demo_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["print", "week", "--room", "Групова", *WEEK, "--output", str(tmp_path)]) == 2
    assert "папка" in capsys.readouterr().err
    missing = tmp_path / "няма" / "week.pdf"
    assert main(["print", "week", "--room", "Групова", *WEEK, "--output", str(missing)]) == 2
    assert "не може да бъде записан" in capsys.readouterr().err


def test_a_pdf_into_a_pipe_closed_early_says_nothing(demo_env: str, tmp_path: Path) -> None:
    # As `coptui print week … | head -c 10` when head has gone before the PDF is written.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COPTUI_")},
        "COPTUI_AS_OWNER": "1",
        "COPTUI_DATABASE_URL": demo_env,
        "COPTUI_HOME": str(tmp_path),
    }
    printing = subprocess.Popen(
        [sys.executable, "-m", "coptui", "print", "week", "--room", "Групова", *WEEK],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert printing.stdout is not None and printing.stderr is not None
    printing.stdout.close()
    stderr = printing.stderr.read().decode()
    printing.wait(timeout=60)
    assert stderr == ""


def test_a_printed_week_loads_neither_sqlalchemy_nor_every_country(
    demo_env: str, tmp_path: Path
) -> None:
    # Issue 13's "a printable week ≤ 1 s from command to file": as a process, the command
    # reads on psycopg alone and builds only Bulgaria's holidays (SQLAlchemy's import and the
    # ~250 countries of `holidays` were half of it).
    out = tmp_path / "week.pdf"
    code = (
        "import sys\nfrom coptui.cli import main\n"
        f"code = main(['print', 'week', '--room', 'Групова', '--week', '25.11.2026',"
        f" '--output', {str(out)!r}])\n"
        "print('\\n'.join(sorted(sys.modules)))\nraise SystemExit(code)\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COPTUI_")},
        "COPTUI_AS_OWNER": "1",
        "COPTUI_DATABASE_URL": demo_env,
        "COPTUI_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "Понеделник" in _pdf_text(out)
    assert {"sqlalchemy", "sqlmodel", "alembic", "pydantic"}.isdisjoint(loaded)
    assert "holidays.countries.bulgaria" in loaded
    assert not {"holidays.countries", "holidays.countries.germany"} & loaded
