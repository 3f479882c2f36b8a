"""The event form keeps nobody's change by accident: a stale reload merges field by field, a
refusal goes when its cause does, and Esc asks before it throws typing away (issue 9: 4, 16, 17)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from textual.widgets import Input, Static

from coptui.domain.timeutil import SOFIA
from coptui.screens.dialogs import Choose
from coptui.screens.event_form import EventForm
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import move_event
from coptui.services.event_reads import load_event
from coptui.services.transaction import transact
from tests.ui.test_planner import make_app, planner, saved, scalar, until

FREE_DAY = date(2027, 1, 15)  # a Friday far from the demo's weeks


def _note(form: EventForm) -> str:
    return str(form.query_one("#note", Static).render())


def _book(engine: Engine, title: str, start: datetime) -> int:
    def work(session: Any) -> int:
        centre, room_id = session.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room'")
        ).one()
        return book_event(
            session,
            request=BookingRequest(
                centre_id=centre,
                title=title,
                start=start,
                end=start + timedelta(hours=1),
                room_id=room_id,
            ),
        ).id

    return transact(engine, work)


async def test_reload_after_a_stale_edit_keeps_their_time_and_my_title(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    event_id = _book(engine, "Среща", datetime.combine(FREE_DAY, time(10), SOFIA))
    async with planner(app) as (pilot, screen):
        form = EventForm(event_id=event_id, resource=screen.resource)
        await app.push_screen(form, screen._after_form)
        await until(pilot, lambda: form.query_one("#start", Input).value == "10:00")

        def they_move_it(session: Any) -> None:
            row = load_event(session, event_id)
            later = timedelta(hours=1)
            move_event(
                session,
                event_id=event_id,
                version=row.version,
                start=row.s + later,
                end=row.u + later,
            )

        transact(engine, they_move_it)
        form.query_one("#title", Input).value = "Моето заглавие"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.click("#choice-reload")
        await until(pilot, lambda: "Презаредено" in _note(form), state=lambda: _note(form))
        assert form.query_one("#title", Input).value == "Моето заглавие"
        assert form.query_one("#start", Input).value == "11:00"
        assert form.query_one("#end", Input).value == "12:00"
        assert "Променено от друг" in _note(form) and "10:00 → 11:00" in _note(form)
        await saved(pilot, screen, form)
    hour = scalar(
        engine,
        "SELECT to_char(lower(during) AT TIME ZONE 'Europe/Sofia', 'HH24:MI')"
        " FROM event WHERE id = :i",
        i=event_id,
    )
    assert hour == "11:00"
    assert scalar(engine, "SELECT title FROM event WHERE id = :i", i=event_id) == "Моето заглавие"


async def test_a_refusal_goes_when_the_fields_behind_it_change(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        form = EventForm(start=datetime.combine(FREE_DAY, time(10)), resource=screen.resource)
        await app.push_screen(form, screen._after_form)
        form.query_one("#title", Input).value = "Моята среща"
        await until(pilot, lambda: form.checks > 0)
        _book(engine, "Чужда среща", datetime.combine(FREE_DAY, time(10), SOFIA))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Чужда среща" in _note(form), state=lambda: _note(form))
        form.query_one("#start", Input).value = "13:00"
        await until(pilot, lambda: _note(form) == "", state=lambda: _note(form))
        assert isinstance(app.screen, EventForm)


async def test_escape_asks_before_a_filled_form_is_thrown_away(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: closes at once
        await until(pilot, lambda: app.screen is screen)

        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        form = app.screen
        assert isinstance(form, EventForm)
        await pilot.press(*"Родителска среща")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        message = str(app.screen.query_one(".message", Static).render())
        assert "Да се откажа ли от промените?" in message
        await pilot.press("escape")  # no: back to the form, nothing lost
        await until(pilot, lambda: app.screen is form)
        assert form.query_one("#title", Input).value == "Родителска среща"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.click("#choice-yes")
        await until(pilot, lambda: app.screen is screen)
    assert scalar(engine, "SELECT count(*) FROM event WHERE title = 'Родителска среща'") == 0
