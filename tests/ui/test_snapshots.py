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
