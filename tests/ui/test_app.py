"""The app on a real database, driven with Pilot."""

from __future__ import annotations

import argparse
import contextlib
from datetime import date

import pytest
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


def test_a_crashed_or_signalled_planner_is_not_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's ``run()`` gives the app's result, not its exit code: a traceback (code 1)
    or SIGTERM (143) must reach the shell as such (issue 9, point 11)."""
    from coptui.commands import common

    class Ended:
        failure = None

        def __init__(self, **_kwargs: object) -> None:
            pass

        def run(self) -> None:
            return None  # what App.run() returns after a crash or exit(return_code=…)

    for code in (1, 143):
        monkeypatch.setattr("coptui.app.CoptApp", type("App", (Ended,), {"return_code": code}))
        settings = Settings(database_url="postgresql://nobody@/nothing")
        assert common.run_app(argparse.Namespace(), settings) == code
