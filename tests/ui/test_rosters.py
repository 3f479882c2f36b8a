"""Volunteer places in the planner, driven with Pilot: the form's «Свободни места» comes back
when the event is opened again and changes the places; the grid block and the status line
show open places; `o` signs a volunteer up and finds a substitute (issue 12: 2)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from textual.widgets import Input, OptionList, Static

from coptui.domain.timeutil import SOFIA
from coptui.screens.event_form import EventForm
from coptui.screens.planner_load import monday_of
from coptui.screens.substitutes import RosterScreen
from coptui.services.booking import BookingRequest, book_event
from coptui.services.transaction import transact
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import TODAY, make_app, planner, saved, scalar, until

FREE_DAY = date(2027, 1, 15)  # a Friday far from the demo's weeks


def _book(engine: Engine, start: datetime, places: int) -> int:
    def work(session: Any) -> int:
        centre, room_id = session.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room'")
        ).one()
        return book_event(
            session,
            request=BookingRequest(
                centre_id=centre,
                title="Арт ателие",
                start=start,
                end=start + timedelta(minutes=90),
                room_id=room_id,
                open_slots=places,
            ),
        ).id

    return transact(engine, work)


def _open(engine: Engine, event_id: int) -> int:
    return int(
        scalar(
            engine,
            "SELECT count(*) FROM roster_slot WHERE event_id = :e AND status = 'open'",
            e=event_id,
        )
    )


async def test_open_places_come_back_in_the_form_and_change_the_places(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    event_id = _book(engine, datetime.combine(FREE_DAY, time(15), SOFIA), 2)
    async with planner(app) as (pilot, screen):
        for typed, expected in (("3", 3), ("1", 1), ("", 0)):
            form = EventForm(event_id=event_id, resource=screen.resource)
            await app.push_screen(form, screen._after_form)
            await until(pilot, lambda form=form: form.query_one("#title", Input).value != "")
            field = form.query_one("#open_slots", Input)
            shown = str(_open(engine, event_id) or "")
            assert field.value == shown and not field.disabled
            field.value = typed
            await saved(pilot, screen, form)
            assert _open(engine, event_id) == expected


async def test_open_places_show_in_the_block_and_the_status_line(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    soon = datetime.combine(TODAY + timedelta(days=2), time(17), SOFIA)
    event_id = _book(engine, soon, 2)
    async with planner(app) as (pilot, screen):
        await until(pilot, lambda: bool(screen.roster_warnings))
        assert any("2 свободни места за доброволци" in w for w in screen.roster_warnings)
        grid = screen.query_one(WeekGrid)
        await until(pilot, lambda: any(b.id == event_id for b in grid.blocks))
        block = next(b for b in grid.blocks if b.id == event_id)
        assert block.open_places == "2 свободни места за доброволци"
        grid.select_event(event_id)
        await pilot.pause()
        details = str(screen.query_one("#details", Static).render())
        assert "Доброволци: 2 свободни места за доброволци" in details
        assert "Още незаети" in details


async def test_o_signs_a_volunteer_up_and_finds_a_substitute(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    event_id = _book(engine, datetime.combine(FREE_DAY, time(15), SOFIA), 1)
    async with planner(app, size=(120, 40)) as (pilot, screen):
        before = screen.loads
        screen._go(monday_of(FREE_DAY), FREE_DAY)
        await until(pilot, lambda: screen.loads > before)
        grid = screen.query_one(WeekGrid)
        grid.select_event(event_id)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, RosterScreen))
        roster = app.screen
        assert isinstance(roster, RosterScreen)
        await until(pilot, lambda: roster.loads > 0)
        assert roster.found is not None and roster.found.open_places == 1
        first = roster.found.ranked[0]
        await pilot.press("enter")  # the best candidate takes the open place
        await until(pilot, lambda: roster.loads > 1)
        assert roster.found.holders == ((first.volunteer_id, first.name),)
        assert _open(engine, event_id) == 0

        await pilot.press("shift+tab")  # to the list of who holds a place
        assert roster.query_one("#holders", OptionList).has_focus
        await pilot.press("x")  # they cannot come to this one
        await until(pilot, lambda: roster.loads > 2)
        assert roster.found.holders == () and roster.found.open_places == 1
        assert first.volunteer_id not in [c.volunteer_id for c in roster.found.ranked]
        note = str(roster.query_one("#roster-note", Static).render())
        assert "не може да дойде" in note
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
    statuses = scalar(
        engine,
        "SELECT string_agg(status::text, ',' ORDER BY id) FROM roster_slot WHERE event_id = :e",
        e=event_id,
    )
    assert statuses == "declined,open"
