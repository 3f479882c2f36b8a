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

from coptui.screens.planner import PlannerScreen
from tests.ui.test_planner import make_app


async def _week_loaded(pilot: Pilot[Any]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not (isinstance(pilot.app.screen, PlannerScreen) and pilot.app.screen.loads > 0):
        assert loop.time() < deadline, "the week never loaded"
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
