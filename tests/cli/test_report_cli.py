"""`coptui report month`: the three formats, the files, exit 2 on bad input, who may run it."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from coptui import db
from coptui.cli import main
from tests.conftest import _create_copy, _drop, _with_database
from tests.report_data import CHILD_NAMES, TODAY, build_month
from tests.roles import RolesWorld, roles_world

__all__ = ["roles_world"]


@pytest.fixture(scope="module")
def month_url(admin_url: str, template_name: str) -> Iterator[str]:
    """A database holding the hand-counted month of tests/report_data.py."""
    name = _create_copy(admin_url, template_name)
    url = _with_database(admin_url, name)
    engine = db.make_engine(url)
    with Session(engine) as session:
        build_month(session)
        session.commit()
    engine.dispose()
    yield url
    _drop(admin_url, name)


def _today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr("coptui.domain.timeutil.today", lambda zone=None: day)


@pytest.fixture
def env(month_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for key in ("COPTUI_LANG", "COPTUI_DAY_START", "COPTUI_DAY_END"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("COPTUI_DATABASE_URL", month_url)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    _today(monkeypatch, TODAY)
    return month_url


def test_text_to_the_terminal(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "month", "11.2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Месечен отчет за 11.2026 — ЦОП „Тест“, Габрово\n")
    assert "Състояние на случаите към 30.11.2026" in out
    assert re.search(r"^Общо\s+9\s+14:15$", out, re.M)  # the specialists' hours
    assert not any(name in out.split() for name in CHILD_NAMES)


def test_csv_and_pdf_to_files(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader

    target = tmp_path / "ноември.csv"
    assert main(["report", "month", "11.2026", "--format", "csv", "--output", str(target)]) == 0
    assert capsys.readouterr().out == f"Отчетът е записан в {target}.\n"
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert ["attendance", "Общо", "12", "6", "1", "3", "1", "1", "0.583"] in rows
    pdf_file = tmp_path / "ноември.pdf"
    assert main(["report", "month", "11.2026", "--format", "pdf", "--output", str(pdf_file)]) == 0
    assert pdf_file.read_bytes().startswith(b"%PDF")
    shown = "\n".join(p.extract_text() for p in PdfReader(pdf_file).pages)
    assert "Месечен отчет за 11.2026" in shown and "Т-001" in shown
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize("month", ["13.2026", "2026-11", "ноември", "11.26", "0.2026"])
def test_a_bad_month_names_the_form(
    env: str, month: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "month", month]) == 2
    err = capsys.readouterr().err
    assert "ММ.ГГГГ" in err and "11.2026" in err and len(err.strip().splitlines()) == 1


def test_pdf_needs_a_file_and_a_month_must_have_begun(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["report", "month", "11.2026", "--format", "pdf"]) == 2
    assert "--output" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert main(["report"]) == 2
    assert "month" in capsys.readouterr().err
    _today(monkeypatch, date(2026, 11, 24))
    assert main(["report", "month", "12.2026"]) == 2
    assert "01.12.2026" in capsys.readouterr().err
    missing = tmp_path / "няма" / "отчет.txt"
    assert main(["report", "month", "11.2026", "--output", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("who", "code"),
    [("manager", 0), ("coordinator", 0), ("specialist", 1), ("volunteer", 1)],
)
def test_only_the_manager_and_the_coordinator_make_it(
    roles_world: RolesWorld,
    who: str,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("COPTUI_LANG", raising=False)
    monkeypatch.setenv("COPTUI_DATABASE_URL", roles_world.url_of(who))
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    _today(monkeypatch, TODAY)
    assert main(["report", "month", "12.2026"]) == code
    out, err = capsys.readouterr()
    if code:
        assert "управителя или координатора" in err and not out
    else:
        # The centre of the login only: «Далеч» and its child are not in it.
        assert "ЦОП „Тест“" in out and "Далеч" not in out and "В-001" not in out
