"""Snapshots of the week at 80×24 and 120×40: frozen day, the demo centre's fixed data.

Update after an intended change of the screen with ``pytest tests/ui --snapshot-update`` and
look at the new SVGs in ``tests/ui/__snapshots__`` before committing them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.worker import WorkerState

from coptui.screens.planner import PlannerScreen
from tests.ui.test_planner import make_app


async def _week_loaded(pilot: Pilot[Any]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not (isinstance(pilot.app.screen, PlannerScreen) and pilot.app.screen.loads > 0):
        assert loop.time() < deadline, "the week never loaded"
        await pilot.pause(0.02)
    # The status line's warnings (cases ending, places still open) are read after the week.
    while any(
        w.group in ("case-warnings", "roster-warnings")
        and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for w in pilot.app.workers
    ):
        assert loop.time() < deadline, "the warnings were never read"
        await pilot.pause(0.02)
    await pilot.press("j", "j", "l")  # the cursor on Tuesday 09:00
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_week_snapshot(
    snap_compare: Any, engine: Engine, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(engine, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_week_loaded)


def test_week_snapshot_without_colour(
    snap_compare: Any, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(engine, tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_week_loaded)


def _art_with_a_waiting_list(engine: Engine) -> None:
    """The demo's art studio of 25.11: full, two children waiting, one place offered."""
    from sqlalchemy import text

    from coptui.services.places import join_session
    from coptui.services.programmes import withdraw
    from coptui.services.transaction import transact
    from tests.ui.test_programme import ART_DAY, art_event, free_cases

    event = art_event(engine)
    codes = free_cases(engine, ART_DAY, ART_DAY.replace(hour=16, minute=30), 5)

    def work(session: Any) -> None:
        ids = dict(session.execute(text("SELECT code, id FROM case_file")).all())
        for code in codes[:2]:
            join_session(session, event_id=event, case_id=ids[code])
        for code in codes[2:]:
            join_session(session, event_id=event, case_id=ids[code], waitlist=True)
        withdraw(session, event_id=event, case_id=ids[codes[0]])

    transact(engine, work)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_programme_snapshot(
    snap_compare: Any, engine: Engine, tmp_path: Path, size: tuple[int, int]
) -> None:
    from coptui.screens.backend import Backend
    from coptui.screens.programme import ProgrammeScreen
    from tests.ui.test_planner import scalar
    from tests.ui.test_programme import ART

    app = make_app(engine, tmp_path)
    _art_with_a_waiting_list(engine)
    programme = scalar(engine, "SELECT id FROM programme WHERE title = :t", t=ART)

    async def opened(pilot: Pilot[Any]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while not (isinstance(pilot.app.screen, PlannerScreen) and pilot.app.screen.loads > 0):
            assert loop.time() < deadline, "the week never loaded"
            await pilot.pause(0.02)
        centre = pilot.app.screen.centre_id
        assert centre is not None
        screen = ProgrammeScreen(
            programme_id=programme, centre_id=centre, backend=Backend.of(pilot.app)
        )
        await pilot.app.push_screen(screen)
        while screen.loads == 0:
            assert loop.time() < deadline, "the programme never loaded"
            await pilot.pause(0.02)
        await pilot.press("tab")  # the children of the session under the cursor
        pilot.app.clear_notifications()  # the planner's toast would hide part of the screen
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=opened)


class TestAttendanceRegister:
    """The attendance register of a held session (the art studio of 18.11.2026, 8 children)."""

    @staticmethod
    async def _register_open(pilot: Pilot[Any]) -> None:
        from coptui.screens.attendance import AttendanceScreen

        await _week_loaded(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PlannerScreen)
        loads = screen.loads
        await pilot.press("W")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while screen.loads == loads:
            assert loop.time() < deadline, "the week never loaded"
            await pilot.pause(0.02)
        await pilot.press("l", *["j"] * 12)  # from Tuesday 09:00 to Wednesday 15:00
        await pilot.press("a")
        while not (isinstance(pilot.app.screen, AttendanceScreen) and pilot.app.screen.loads):
            assert loop.time() < deadline, "the register never opened"
            await pilot.pause(0.02)
        await pilot.press("space", "down", "down", "space", "space", "escape", "down", "space")
        await pilot.pause()

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    def test_register(
        self, snap_compare: Any, engine: Engine, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        app = make_app(engine, tmp_path)
        assert snap_compare(app, terminal_size=size, run_before=self._register_open)
