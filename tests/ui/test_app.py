"""The app on a real database, driven with Pilot."""

from __future__ import annotations

import contextlib
from datetime import date

from textual.worker import WorkerFailed

from coptui.app import CoptApp
from coptui.config import Settings

TODAY = date(2026, 11, 25)


async def test_schema_behind_stops_the_app_with_one_line(empty_database_url: str) -> None:
    app = CoptApp(settings=Settings(database_url=empty_database_url), today=TODAY)
    async with app.run_test() as pilot:
        # The worker may already have failed and been reaped before this line runs.
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    assert app.failure is not None and "coptui db upgrade" in app.failure


def test_no_animation() -> None:
    app = CoptApp(settings=Settings(database_url="postgresql://nobody@/nothing"), today=TODAY)
    assert app.animation_level == "none"
