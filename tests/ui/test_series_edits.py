"""Series edited as series in the planner, by keys: the scope asked, the rule shown, every
date in the way listed before saving."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import Static

from coptui.screens.dialogs import Ask
from tests.ui.test_attendance import ART
from tests.ui.test_planner import loaded_after, make_app, planner, scalar, until


async def test_moving_this_and_following_lists_the_dates_in_the_way(
    engine: Engine, tmp_path: Path
) -> None:
    from datetime import datetime

    from sqlalchemy import text

    from coptui.db import session_scope
    from coptui.domain.timeutil import SOFIA
    from coptui.screens.dialogs import Choose
    from coptui.screens.event_form import EventForm
    from coptui.screens.series_preview import SkipDates
    from coptui.services.booking import BookingRequest, book_event

    app = make_app(engine, tmp_path)
    with session_scope(engine) as session:
        centre, room = session.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room'")
        ).one()
        book_event(
            session,
            request=BookingRequest(
                centre_id=centre,
                title="Пречка",
                start=datetime(2026, 11, 25, 17, 0, tzinfo=SOFIA),
                end=datetime(2026, 11, 25, 17, 30, tzinfo=SOFIA),
                room_id=room,
            ),
        )
    async with planner(app) as (pilot, screen):
        await loaded_after(pilot, screen, "W")  # the art studio of 18.11, of three
        await pilot.press("l", "l", *["j"] * 14)
        block = screen.current_event()
        assert block is not None and block.title == ART and block.series_id is not None
        # e: the form says it is part of a series, and its rule.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.press("tab", "enter")  # «Тази и следващите»
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        form = app.screen
        assert isinstance(form, EventForm) and form.scope == "following"
        series = form.query_one("#series", Static)
        await until(pilot, lambda: "всяка седмица в ср" in str(series.render()))
        assert "среща 2 от 3" in str(series.render())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        # m: this and following to 16:30; on 25.11 the room is taken from 17:00.
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.press("tab", "enter")
        await until(pilot, lambda: isinstance(app.screen, Ask))
        await pilot.press(*["backspace"] * 16, *"18.11.2026 16:30", "enter")
        await until(pilot, lambda: isinstance(app.screen, SkipDates))
        dialog = app.screen
        assert isinstance(dialog, SkipDates)
        assert len(dialog.blocked.lines) == 1 and dialog.blocked.lines[0].startswith("25.11.2026")
        assert "„Пречка“" in dialog.blocked.lines[0]
        before = screen.loads
        await pilot.press("enter")  # save without that date
        await until(pilot, lambda: app.screen is screen and screen.loads > before)
    starts = scalar(
        engine,
        "SELECT string_agg(to_char(lower(during) AT TIME ZONE 'Europe/Sofia', 'DD.MM HH24:MI'),"
        " ' ' ORDER BY lower(during)) FROM event WHERE series_id = :s",
        s=block.series_id,
    )
    assert starts == "11.11 15:00 18.11 16:30 25.11 15:00"
