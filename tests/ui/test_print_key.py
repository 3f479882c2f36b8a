"""X in the planner: the week on screen as a PDF in the home folder, and where it went."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.ui.test_planner import make_app, planner, title, until
from tests.ui.test_planner_weeks import notes_of


async def test_x_prints_the_week_on_screen_to_the_home_folder(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    app = make_app(engine, tmp_path / "coptui")
    notes = notes_of(app)
    async with planner(app) as (pilot, screen):
        assert "Групова зала" in title(screen)
        await pilot.press("X")
        await until(pilot, lambda: any(".pdf" in n for n in notes), state=lambda: str(notes))
        files = sorted(home.glob("coptui-*.pdf"))
        assert [f.name for f in files] == ["coptui-групова-зала-2026-11-23.pdf"]
        assert str(files[0]) in notes[-1]
        words = PdfReader(io.BytesIO(files[0].read_bytes())).pages[0].extract_text()
        assert "Зала: Групова зала" in words and "Седмица 23.11 – 29.11.2026" in words
        assert "Понеделник" in words and "23.11.2026" in words
        assert "Група „Подготовка за училище“" in words or "Подготовка" in words
        # A second press never overwrites the first file.
        await pilot.press("X")
        await until(pilot, lambda: len(list(home.glob("coptui-*.pdf"))) == 2)
        assert (home / "coptui-групова-зала-2026-11-23-2.pdf").exists()
