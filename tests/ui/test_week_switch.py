"""A week switch draws the new week with the key, from the weeks read ahead (issue 14, point 1).

The read that follows the key still goes to the database, and corrects what was drawn if
anything changed meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from coptui.domain.timeutil import SOFIA
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import TODAY, make_app, planner, title, until
from tests.ui.test_planner_weeks import _book

MONDAY = TODAY - timedelta(days=TODAY.weekday())


@contextmanager
def _reads_held(app: Any) -> Iterator[None]:
    """Every read the app starts waits until the block ends (none reaches the database)."""
    gate = threading.Event()
    real = app.read

    def held(work: Any) -> Any:
        gate.wait()
        return real(work)

    app.read = held
    try:
        yield
    finally:
        app.read = real
        gate.set()


def _read_ahead(screen: object, first: date) -> bool:
    ahead = screen.ahead  # type: ignore[attr-defined]
    return ahead.get(first, "week", screen.resource) is not None  # type: ignore[attr-defined]


async def test_the_next_week_is_drawn_with_the_key_before_any_read(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        following = MONDAY + timedelta(days=7)
        await until(
            pilot,
            lambda: (
                _read_ahead(screen, following) and _read_ahead(screen, MONDAY - timedelta(days=7))
            ),
        )
        grid = screen.query_one(WeekGrid)
        before = screen.loads
        # No read can reach the database while the key is handled: what the key draws comes
        # from the weeks read ahead.
        with _reads_held(app):
            await pilot.press("w")
            assert "30.11 – 06.12.2026" in title(screen)
            assert grid.days[0].day == following
            assert screen.loads == before
        await until(pilot, lambda: screen.loads > before)
        assert "30.11 – 06.12.2026" in title(screen) and grid.days[0].day == following
        # …and back, from the week it kept.
        before = screen.loads
        with _reads_held(app):
            await pilot.press("W")
            assert "23.11 – 29.11.2026" in title(screen) and grid.days[0].day == MONDAY
        await until(pilot, lambda: screen.loads > before)


async def test_what_changed_after_the_read_ahead_is_shown_after_the_key(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)  # not following changes: only the read after the key
    async with planner(app) as (pilot, screen):
        following = MONDAY + timedelta(days=7)
        await until(pilot, lambda: _read_ahead(screen, following))
        _book(engine, "Добавено след", datetime(2026, 12, 2, 19, 0, tzinfo=SOFIA))
        before = screen.loads
        await pilot.press("w")
        await until(pilot, lambda: screen.loads > before)
        grid = screen.query_one(WeekGrid)
        assert any(b.title == "Добавено след" for b in grid.blocks)
        assert "30.11 – 06.12.2026" in title(screen)


async def test_a_reload_forgets_the_weeks_read_ahead(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        following = MONDAY + timedelta(days=7)
        await until(pilot, lambda: _read_ahead(screen, following))
        generation = screen.ahead.generation
        screen.reload()
        assert not _read_ahead(screen, following)
        assert screen.ahead.generation == generation + 1
        await until(pilot, lambda: _read_ahead(screen, following))
