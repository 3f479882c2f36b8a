"""One planner session holds two connections at most: reads and writes share one, the
listener has the other; a connection the server drops is replaced for reads and writes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text
from textual.widgets import Input

from coptui import db
from coptui.app import CoptApp
from coptui.config import Settings
from coptui.screens.event_form import EventForm
from coptui.screens.planner import PlannerScreen
from coptui.services.demo import load_demo
from coptui.services.transaction import transact
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import TODAY, loaded_after, saved, until


def _libpq(url: str) -> str:
    return url.replace("+psycopg", "")


def _backends(database_url: str) -> dict[int, str]:
    """pid → application_name of coptui's connections to this test's database."""
    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, application_name FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name LIKE 'coptui%%'"
        ).fetchall()
    return {int(pid): str(name) for pid, name in rows}


def load_demo_at(database_url: str) -> None:
    """The demo centre in the database at ``database_url`` (an engine of its own, let go)."""
    engine = db.make_engine(database_url)
    try:
        with db.session_scope(engine) as session:
            load_demo(session, today=TODAY)
    finally:
        engine.dispose()


def _app(database_url: str, home: Path) -> CoptApp:
    load_demo_at(database_url)
    # The path a person's planner takes: no engine handed in, the listener on.
    return CoptApp(settings=Settings(database_url=database_url, home=home), today=TODAY)


async def test_a_session_holds_two_connections_after_opening_a_save_and_a_read(
    database_url: str, tmp_path: Path
) -> None:
    app = _app(database_url, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlannerScreen) and app.screen.loads > 0)
        screen = app.screen
        assert isinstance(screen, PlannerScreen)
        await until(pilot, lambda: "coptui-listen" in _backends(database_url).values())
        assert len(_backends(database_url)) <= 2

        grid = screen.query_one(WeekGrid)
        block = next(b for b in grid.blocks if b.status == "planned" and b.series_id is None)
        grid.select_event(block.id)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        form = app.screen
        assert isinstance(form, EventForm)
        title = form.query_one("#title", Input)
        await until(pilot, lambda: title.value == block.title)
        title.value = "Преименувано"
        await saved(pilot, screen, form)
        await loaded_after(pilot, screen, "w")
        await until(pilot, lambda: all(w.is_finished for w in app.workers if w.name != "live"))

        held = _backends(database_url)
        assert sorted(held.values()) == ["coptui", "coptui-listen"], held
        # Reads and writes are on that one connection.
        (pid,) = [p for p, name in held.items() if name == "coptui"]
        assert app.read(lambda conn: conn.execute("SELECT pg_backend_pid()").fetchone()[0]) == pid
        engine = app.wait_engine()
        written = transact(engine, lambda s: s.execute(text("SELECT pg_backend_pid()")).scalar())
        assert written == pid


def _kill(database_url: str, pid: int) -> None:
    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        while conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            conn.execute("SELECT pg_sleep(0.01)")


async def test_the_shared_connection_dropped_is_replaced_for_reads_and_writes(
    database_url: str, tmp_path: Path
) -> None:
    app = _app(database_url, tmp_path)
    app.live = False
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlannerScreen) and app.screen.loads > 0)

        def pid_read() -> int:
            return int(app.read(lambda conn: conn.execute("SELECT pg_backend_pid()").fetchone()[0]))

        def pid_written() -> int:
            engine = app.wait_engine()
            return int(
                transact(engine, lambda s: s.execute(text("SELECT pg_backend_pid()")).scalar())
            )

        # Before the engine took the connection over, and after.
        first = await asyncio.to_thread(pid_read)
        _kill(database_url, first)
        second = await asyncio.to_thread(pid_read)
        assert second != first
        assert await asyncio.to_thread(pid_written) == second
        _kill(database_url, second)
        third = await asyncio.to_thread(pid_written)  # transact retries on a new connection
        assert third != second
        assert await asyncio.to_thread(pid_read) == third
        _kill(database_url, third)
        fourth = await asyncio.to_thread(pid_read)  # the read reconnects once
        assert fourth != third
        assert await asyncio.to_thread(pid_written) == fourth
        assert len(_backends(database_url)) == 1


async def test_reads_and_writes_from_many_workers_at_once_share_the_connection(
    database_url: str, tmp_path: Path
) -> None:
    app = _app(database_url, tmp_path)
    app.live = False
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlannerScreen) and app.screen.loads > 0)
        engine = await asyncio.to_thread(app.wait_engine)

        def read(_n: int) -> Any:
            return app.read(lambda conn: conn.execute("SELECT count(*) FROM event").fetchone()[0])

        def write(_n: int) -> Any:
            return transact(
                engine,
                lambda s: s.execute(
                    text("SELECT count(*) FROM event WHERE pg_sleep(0.001) IS NOT NULL")
                ).scalar(),
            )

        results = await asyncio.gather(
            *(asyncio.to_thread(read if n % 2 else write, n) for n in range(40))
        )
        assert len(set(results)) == 1
        assert len(_backends(database_url)) == 1
