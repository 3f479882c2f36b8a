"""The planner's header, grid and list always describe the same days, and an empty database
is a normal state (issue 9, points 11–15)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from textual.widgets import Input

from coptui.db import session_scope
from coptui.domain.timeutil import SOFIA
from coptui.errors import DatabaseUnavailableError
from coptui.screens.event_form import EventForm
from coptui.screens.first_run import Welcome
from coptui.screens.planner import PlannerScreen
from coptui.services.booking import BookingRequest, book_event
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import TODAY, loaded_after, make_app, planner, title, until


def notes_of(app: Any) -> list[str]:
    """Every notification the app shows from now on (tests run with the toasts switched off)."""
    seen: list[str] = []
    notify = app.notify

    def recording(message: Any, **kwargs: Any) -> None:
        seen.append(str(message))
        notify(message, **kwargs)

    app.notify = recording
    return seen


def _grid_text(grid: WeekGrid) -> str:
    return "\n".join(grid.render_line(y).text for y in range(grid.size.height))


async def test_an_empty_database_says_what_to_do_and_every_key_works(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path, load=False)
    notes = notes_of(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, Welcome))  # the first-run path…
        await pilot.press("escape")  # … declined: the planner still works, and says so
        screen = app.screen
        assert isinstance(screen, PlannerScreen) and screen.loads > 0
        assert "coptui demo" in title(screen)
        for key in ["w", "W", "t", "n", "e", "g", "p", "v", "d", "m", "slash", "f", "v", "v"]:
            before = screen.loads
            await pilot.press(key)
            await pilot.pause()
            if pilot.app.screen is not screen:  # a dialog asks for a date: leave it
                await pilot.press("escape")
                await until(pilot, lambda: pilot.app.screen is screen)
            if key in ("w", "W", "t", "v"):
                await until(pilot, lambda b=before: screen.loads > b)  # type: ignore[misc]
            assert app.is_running and app.return_code is None
            assert "coptui demo" in title(screen), key
        assert isinstance(pilot.app.screen, PlannerScreen)
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, EventForm)
        assert any("coptui demo" in note for note in notes)
    assert app.return_code in (None, 0) and app._exception is None


def _book(engine: Engine, title_text: str, start: datetime, minutes: int = 60) -> int:
    with session_scope(engine) as session:
        room = session.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room'")
        ).one()
        return book_event(
            session,
            request=BookingRequest(
                centre_id=room.centre_id,
                title=title_text,
                start=start,
                end=start + timedelta(minutes=minutes),
                room_id=room.id,
            ),
        ).id


async def test_an_evening_event_is_drawn_in_the_grid(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    event_id = _book(engine, "Вечерна среща", datetime(2026, 11, 26, 20, 0, tzinfo=SOFIA))
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        assert any(b.id == event_id for b in grid.blocks)
        grid.select_event(event_id)
        await pilot.pause()
        current = grid.current()
        assert current is not None and current.id == event_id
        assert "20:00 Вечерна" in _grid_text(grid)
        assert "20:00" in _grid_text(grid)


async def test_an_evening_event_below_the_rows_in_view_is_named_at_the_edge(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    _book(engine, "Вечерна среща", datetime(2026, 11, 26, 20, 0, tzinfo=SOFIA))
    async with planner(app, (80, 24)) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        assert grid.top == 0 and grid.slots > grid.size.height - 1  # 20:00 is out of view
        bottom = grid.render_line(grid.size.height - 1).text
        assert "↓20:00" in bottom
        await pilot.press("end")  # the rows scroll to the evening
        assert "↓20:00" not in _grid_text(grid)
        assert "Вечерн" in _grid_text(grid)


async def test_go_to_a_date_and_today_put_the_cursor_on_that_day(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        await pilot.press("f")  # the whole week, weekend too
        await pilot.press("g")
        await until(pilot, lambda: "Ask" in type(app.screen).__name__)
        await pilot.press(*"02.12.2026")
        await loaded_after(pilot, screen, "enter")
        at = grid.cursor_start()
        assert at is not None and at.date() == date(2026, 12, 2)
        await pilot.press("l", "l")  # Friday 04.12
        await loaded_after(pilot, screen, "t")
        at = grid.cursor_start()
        assert at is not None and at.date() == TODAY
        await loaded_after(pilot, screen, "w")
        await pilot.press("l", "l")
        await pilot.press("g")
        await until(pilot, lambda: "Ask" in type(app.screen).__name__)
        await pilot.press(*"24.11.2026")
        await loaded_after(pilot, screen, "enter")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        assert app.screen.query_one("#day", Input).value == "24.11.2026"


async def test_without_the_database_the_header_stays_with_the_grid(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        shown = title(screen)
        assert "23.11 – 29.11.2026" in shown

        def down(work: Any) -> Any:
            raise DatabaseUnavailableError("the database is down")

        app.read = down  # type: ignore[method-assign]
        notes = notes_of(app)
        for n in range(1, 3):
            await pilot.press("w")
            await until(pilot, lambda n=n: len(notes) >= n)  # type: ignore[misc]
            await pilot.pause()
            assert title(screen) == shown
            assert grid.days[0].day == date(2026, 11, 23)


async def test_the_list_of_14_days_counts_what_it_lists(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await loaded_after(pilot, screen, "v")
        await loaded_after(pilot, screen, "v")
        assert screen.view == "agenda"
        table = screen.query_one("#agenda")
        rows = table.row_count  # type: ignore[attr-defined]
        assert rows > 0
        assert f"· {rows} " in title(screen)
        first = set(table.rows)  # type: ignore[attr-defined]
        await loaded_after(pilot, screen, "w")
        rows = table.row_count  # type: ignore[attr-defined]
        assert f"· {rows} " in title(screen)
        assert set(table.rows) != first  # type: ignore[attr-defined]
        assert "09.12" in title(screen) and "22.12.2026" in title(screen)
