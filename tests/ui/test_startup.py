"""The way to the first week: read in the same hop as the connection, not by another worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from coptui.screens.planner import PlannerScreen
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import until
from tests.ui.test_session_connections import _app


async def test_the_first_week_comes_with_the_connection(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Any] = []
    load = PlannerScreen.load

    def counted(self: PlannerScreen, *args: Any) -> Any:
        reads.append(args)
        return load(self, *args)

    monkeypatch.setattr(PlannerScreen, "load", counted)
    app = _app(database_url, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlannerScreen) and app.screen.loads > 0)
        screen = app.screen
        assert isinstance(screen, PlannerScreen)
        assert screen.query_one(WeekGrid).blocks
        title = str(screen.query_one("#planner-title", Static).render())
        assert "Зала: Групова зала" in title and "23.11 – 29.11.2026" in title
        # The start read the week with who is logged in: no second read, no second hop.
        assert reads == []
        # What follows the week (shading, warnings) still comes, after it.
        await until(pilot, lambda: screen.shown is not None and screen.shown.shaded)
        assert reads == []
