"""Database errors that reach the app past the services still read as one line for people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from coptui.app import CoptApp
from coptui.config import Settings
from coptui.errors import DatabaseUnavailableError, SchemaBehindError
from tests.ui.test_planner import TODAY, until


def _app(engine: Engine) -> CoptApp:
    url = engine.url.render_as_string(hide_password=False)
    return CoptApp(settings=Settings(database_url=url), engine=engine, today=TODAY, live=False)


def test_a_read_of_a_missing_table_says_upgrade(engine: Engine) -> None:
    app = _app(engine)
    with pytest.raises(SchemaBehindError) as caught:
        app.read(lambda conn: conn.execute("SELECT * FROM no_such_table").fetchall())
    assert "coptui db upgrade" in caught.value.message
    assert "no_such_table" not in caught.value.message


def test_a_read_that_loses_its_connection_twice_is_one_line(engine: Engine) -> None:
    app = _app(engine)
    attempts: list[int] = []

    def suicide(conn: Any) -> None:
        attempts.append(1)
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    with pytest.raises(DatabaseUnavailableError) as caught:
        app.read(suicide)
    assert len(attempts) == 2  # reconnected once
    assert caught.value.message == "Връзката с базата данни прекъсна; опитайте отново след малко."


async def test_a_worker_failing_inside_the_driver_is_told_in_words(engine: Engine) -> None:
    app = _app(engine)

    def broken() -> None:
        with engine.connect() as conn:  # past the services, as a careless screen might
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": "Тайна"})

    async with app.run_test() as pilot:
        app.run_worker(broken, thread=True, exit_on_error=False)
        await until(pilot, lambda: len(app._notifications) > 0)
        (note,) = list(app._notifications)
        assert note.message == "Базата данни не е обновена: изпълнете `coptui db upgrade`."
        assert note.title != "Неочаквана грешка"
        for leaked in ("sqlalche.me", "SELECT", "Тайна", "psycopg"):
            assert leaked not in note.message


async def test_a_resize_after_the_planners_grid_is_gone_does_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    from coptui.widgets.weekgrid import WeekGrid
    from tests.ui.test_planner import make_app, planner

    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await until(pilot, lambda: all(w.is_finished for w in app.workers))
        await screen.query_one(WeekGrid).remove()  # as when the app closes around it
        screen.on_resize()  # seen once in a loaded full run: NoMatches, the app crashed
        await pilot.pause()
    assert app._exception is None
