"""The report screen: R in the planner, [ and ] between months, the CLI's figures."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session
from textual.widgets import Static

from coptui.app import CoptApp
from coptui.config import Settings
from coptui.export.report_text import render_text
from coptui.screens.report import ReportScreen, shifted
from coptui.services.report import read_month_report
from coptui.services.transaction import transact
from tests.report_data import TODAY, build_month
from tests.ui.test_planner import planner, until


def _app(engine: Engine, home: Path) -> CoptApp:
    with Session(engine) as session:
        build_month(session)
        session.commit()
    return CoptApp(settings=Settings(database_url=str(engine.url), home=home), engine=engine,
                   today=TODAY)  # fmt: skip


def test_months_wrap_around_the_year() -> None:
    assert shifted(2026, 12, 1) == (2027, 1)
    assert shifted(2027, 1, -1) == (2026, 12)
    assert shifted(2026, 11, -23) == (2024, 12)


async def test_r_opens_the_month_and_brackets_move_by_a_month(
    engine: Engine, tmp_path: Path
) -> None:
    app = _app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        assert any(name == "Месечен отчет" for name, _key, _run in screen.commands())
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        assert isinstance(report, ReportScreen)
        # December 2026 is running on 15.12: its state is taken on that day.
        await until(pilot, lambda: report.report is not None and report.report.month == 12)
        assert report.report is not None and report.report.as_of == TODAY
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: report.report is not None and report.report.month == 11)
        body = str(report.query_one("#report-body", Static).render())
        cli = transact(engine, lambda s: read_month_report(s, year=2026, month=11, today=TODAY))
        assert report.report == cli  # the same call as `coptui report month 11.2026`
        assert body.rstrip() == render_text(cli).rstrip()
        assert "58,3 %" in body and "Т-001" in body and "Ели" not in body.split()
        # January 2027 has not begun: said in the note, nothing drawn.
        await pilot.press("right_square_bracket", "right_square_bracket")
        note = report.query_one("#report-note", Static)
        await until(pilot, lambda: "01.01.2027" in str(note.render()))
        assert report.report is None
        # Not before 01.2000, as the command: the earliest month stays.
        report.year, report.month = 2000, 1
        await pilot.press("left_square_bracket")
        assert (report.year, report.month) == (2000, 1)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)


def test_only_those_who_plan_are_offered_the_report() -> None:
    from coptui.screens.host import permits
    from coptui.services.identity import Identity

    def who(role: str) -> Identity:
        return Identity(login="x", role=role, staff_id=1, volunteer_id=None, name="x", centre_id=1)

    offered = {role: permits(who(role), "report") for role in
               ("manager", "coordinator", "specialist", "volunteer", "owner")}  # fmt: skip
    assert offered == {"manager": True, "coordinator": True, "specialist": False,
                       "volunteer": False, "owner": True}  # fmt: skip
