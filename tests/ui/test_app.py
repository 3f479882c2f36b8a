"""The app on a real database, driven with Pilot."""

from __future__ import annotations

import contextlib
from datetime import date

from sqlalchemy import Engine
from textual.widgets import DataTable, Static
from textual.worker import WorkerFailed

from coptui.app import CoptApp
from coptui.config import Settings
from coptui.db import session_scope
from coptui.services.demo import load_demo

TODAY = date(2026, 11, 25)


def demo_app(engine: Engine) -> CoptApp:
    with session_scope(engine) as session:
        load_demo(session, today=TODAY)
    return CoptApp(settings=Settings(database_url=str(engine.url)), engine=engine, today=TODAY)


async def test_week_lists_the_demo_events_and_moves_by_week(engine: Engine) -> None:
    app = demo_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        title = str(screen.query_one("#week-title", Static).render())
        assert "23.11" in title and "29.11.2026" in title
        table = screen.query_one(DataTable)
        first_week = table.row_count
        assert first_week > 20
        assert "Екипна среща" in str(table.get_row_at(0))
        await pilot.press("w")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "30.11" in str(screen.query_one("#week-title", Static).render())
        assert table.row_count > 20
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == first_week


async def test_schema_behind_stops_the_app_with_one_line(empty_database_url: str) -> None:
    app = CoptApp(settings=Settings(database_url=empty_database_url), today=TODAY)
    async with app.run_test() as pilot:
        # The worker may already have failed and been reaped before this line runs.
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    assert app.failure is not None and "coptui db upgrade" in app.failure
