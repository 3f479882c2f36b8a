"""The planner on a real database, driven with Pilot the way a person would use it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from coptui.app import CoptApp
from coptui.config import Settings
from coptui.db import session_scope
from coptui.i18n import set_language
from coptui.screens.dialogs import Choose, Picker
from coptui.screens.event_form import EventForm
from coptui.screens.planner import PlannerScreen
from coptui.services.demo import load_demo
from coptui.widgets.weekgrid import WeekGrid

TODAY = date(2026, 11, 25)  # a Wednesday


def make_app(engine: Engine, home: Path, *, live: bool = False, load: bool = True) -> CoptApp:
    if load:
        with session_scope(engine) as session:
            load_demo(session, today=TODAY)
    settings = Settings(database_url=str(engine.url), home=home)
    return CoptApp(settings=settings, engine=engine, today=TODAY, live=live)


async def until(
    pilot: Pilot[Any],
    condition: Callable[[], bool],
    seconds: float = 10,
    state: Callable[[], str] | None = None,
) -> None:
    """Let the app run until ``condition`` holds (workers finish, messages land)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(
                "the app did not get there in time" + (f": {state()}" if state else "")
            )
        await pilot.pause(0.02)


@asynccontextmanager
async def planner(
    app: CoptApp, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[Pilot[Any], PlannerScreen]]:
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlannerScreen) and app.screen.loads > 0)
        screen = app.screen
        assert isinstance(screen, PlannerScreen)
        yield pilot, screen


def title(screen: PlannerScreen) -> str:
    return str(screen.query_one("#planner-title", Static).render())


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


async def loaded_after(pilot: Pilot[Any], screen: PlannerScreen, keys: str | list[str]) -> None:
    before = screen.loads
    for key in [keys] if isinstance(keys, str) else keys:
        await pilot.press(key)
    await until(pilot, lambda: screen.loads > before)


async def saved(pilot: Pilot[Any], screen: PlannerScreen, form: EventForm) -> None:
    """Save the form (ctrl+s) and wait until the planner is back and has reloaded."""
    before = screen.loads
    await pilot.press("ctrl+s")
    await until(
        pilot,
        lambda: screen.loads > before and pilot.app.screen is screen,
        state=lambda: _check(form),
    )


async def put_cursor(pilot: Pilot[Any], screen: PlannerScreen, day: date, hhmm: str) -> None:
    hours, minutes = map(int, hhmm.split(":"))
    screen.query_one(WeekGrid).go_to(day, time(hours, minutes))
    await pilot.pause()


async def test_week_of_the_group_room_and_moving_by_week(engine: Engine, tmp_path: Path) -> None:
    async with planner(make_app(engine, tmp_path)) as (pilot, screen):
        assert "Зала: Групова зала" in title(screen)
        assert "Седмица 23.11 – 29.11.2026" in title(screen)
        grid = screen.query_one(WeekGrid)
        assert grid.blocks and grid.today == TODAY
        await loaded_after(pilot, screen, "w")
        assert "30.11 – 06.12.2026" in title(screen)
        await loaded_after(pilot, screen, "pageup")
        await loaded_after(pilot, screen, "W")
        assert "16.11 – 22.11.2026" in title(screen)
        await loaded_after(pilot, screen, "t")
        assert "23.11 – 29.11.2026" in title(screen)
        await pilot.press("question_mark")
        await until(pilot, lambda: "Help" in type(pilot.app.screen).__name__)
        await pilot.press("escape")


async def test_picker_finds_cyrillic_and_is_remembered(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, Picker))
        await pilot.press(*"милена")
        await pilot.pause()
        await loaded_after(pilot, screen, "enter")
        assert "Специалист: Милена Георгиева" in title(screen)
        assert all("Милена Георгиева" in b.people for b in screen.query_one(WeekGrid).blocks)
    again = make_app(engine, tmp_path, load=False)
    async with planner(again) as (_pilot, screen):
        assert "Специалист: Милена Георгиева" in title(screen)


async def test_new_event_from_the_cursor(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await put_cursor(pilot, screen, date(2026, 11, 27), "08:00")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        form = app.screen
        assert isinstance(form, EventForm)
        assert form.query_one("#day", Input).value == "27.11.2026"
        assert form.query_one("#room", Input).value == "Групова зала"
        await pilot.press(*"Родителска среща")
        form.query_one("#staff", Input).value = "Пламен"
        await until(
            pilot,
            lambda: form.checks > 0 and "Няма конфликти" in _check(form),
            state=lambda: _check(form),
        )
        await saved(pilot, screen, form)
        assert any(b.title == "Родителска среща" for b in screen.query_one(WeekGrid).blocks)
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM event e JOIN event_staff l ON l.event_id = e.id"
            " JOIN staff s ON s.id = l.staff_id WHERE e.title = 'Родителска среща'"
            " AND s.full_name = 'Пламен Стоянов'",
        )
        == 1
    )


def _check(form: EventForm) -> str:
    return str(form.query_one("#check", Static).render())


async def test_clash_shows_in_the_form_with_free_slots(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        taken = next(b for b in grid.blocks if b.status == "planned" and b.start.date() > TODAY)
        await put_cursor(pilot, screen, taken.start.date(), f"{taken.start:%H:%M}")
        grid.cursor_slot += 0
        form = EventForm(start=taken.start.replace(tzinfo=None), resource=screen.resource)
        await app.push_screen(form, screen._after_form)
        form.query_one("#title", Input).value = "Опит"
        await until(
            pilot,
            lambda: form.checks > 0 and taken.title in _check(form),
            state=lambda: _check(form),
        )
        assert "заета" in _check(form) or "заето" in _check(form)
        slots = str(form.query_one("#slots", Static).render())
        assert "F2" in slots
        await pilot.press("f2")
        await until(pilot, lambda: "Няма конфликти" in _check(form), state=lambda: _check(form))
        await saved(pilot, screen, form)
    assert scalar(engine, "SELECT count(*) FROM event WHERE title = 'Опит'") == 1


async def test_edit_move_and_cancel(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        block = next(
            b
            for b in grid.blocks
            if b.status == "planned" and b.start.date() > TODAY and b.series_id is None
        )
        grid.select_event(block.id)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        form = app.screen
        assert isinstance(form, EventForm)
        await until(pilot, lambda: form.query_one("#title", Input).value == block.title)
        form.query_one("#title", Input).value = "Преименувано"
        await saved(pilot, screen, form)
        assert scalar(engine, "SELECT title FROM event WHERE id = :i", i=block.id) == "Преименувано"

        grid.select_event(block.id)
        await pilot.press("m")
        await until(pilot, lambda: "Ask" in type(app.screen).__name__)
        answer = app.screen.query_one("#answer", Input)
        answer.value = "04.12.2026 17:00"
        await loaded_after(pilot, screen, "enter")
        hour = scalar(
            engine,
            "SELECT to_char(lower(during) AT TIME ZONE 'Europe/Sofia', 'DD.MM HH24:MI')"
            " FROM event WHERE id = :i",
            i=block.id,
        )
        assert hour == "04.12 17:00"

        await loaded_after(pilot, screen, "w")
        grid.select_event(block.id)
        await pilot.press("d")
        await until(pilot, lambda: "Ask" in type(app.screen).__name__)
        await pilot.press("enter")  # no reason: refused inside the dialog
        assert "Ask" in type(app.screen).__name__
        await pilot.press(*"болест")
        await loaded_after(pilot, screen, "enter")
    assert scalar(engine, "SELECT status FROM event WHERE id = :i", i=block.id) == "cancelled"
    assert scalar(engine, "SELECT cancel_reason FROM event WHERE id = :i", i=block.id) == "болест"


async def test_recurrence_with_a_conflict_is_previewed_and_skipped(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    with session_scope(engine) as session:
        from coptui.domain.timeutil import SOFIA
        from coptui.services.booking import BookingRequest, book_event

        centre, room = session.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room'")
        ).one()
        book_event(
            session,
            request=BookingRequest(
                centre_id=centre,
                title="Пречка",
                start=datetime(2026, 12, 7, 8, 0, tzinfo=SOFIA),
                end=datetime(2026, 12, 7, 8, 45, tzinfo=SOFIA),
                room_id=room,
            ),
        )
    async with planner(app) as (pilot, screen):
        form = EventForm(
            start=datetime.combine(date(2026, 11, 30), time(8)), resource=screen.resource
        )
        await app.push_screen(form, screen._after_form)
        form.query_one("#title", Input).value = "Серия"
        form.query_one("#duration", Input).value = "45"
        form.query_one("#repeat", Input).value = "всяка седмица 3 пъти"
        await until(
            pilot,
            lambda: form.checks > 0 and "3 срещи" in _check(form),
            state=lambda: _check(form),
        )
        assert "застъпват се: 1" in _check(form) and "„Пречка“" in _check(form)
        # F2–F4 offer the first times when every occurrence is free.
        # (the room holds the team meeting on Mondays 09:00–10:00).
        assert "F2: Пн 30.11 10:00" in str(form.query_one("#slots", Static).render())
        # Saving lists every date in the way and asks before saving without it.
        from coptui.screens.series_preview import SkipDates

        before = screen.loads
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SkipDates), state=lambda: _check(form))
        dialog = app.screen
        assert isinstance(dialog, SkipDates)
        assert dialog.blocked.lines == [
            "07.12.2026: Групова зала: заето на 07.12.2026 08:00–08:45 от „Пречка“"
        ]
        assert scalar(engine, "SELECT count(*) FROM event WHERE title = 'Серия'") == 0
        await pilot.press("enter")  # «Запази без тези дати»
        await until(pilot, lambda: screen.loads > before and app.screen is screen)
    assert scalar(engine, "SELECT count(*) FROM event WHERE title = 'Серия'") == 2


async def test_stale_edit_says_who_and_keeps_what_was_typed(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        block = next(b for b in grid.blocks if b.status == "planned" and b.start.date() > TODAY)
        form = EventForm(event_id=block.id, resource=screen.resource)
        await app.push_screen(form, screen._after_form)
        await until(pilot, lambda: form.version is not None)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE event SET notes = 'чужда промяна', version = version + 1 WHERE id = :i"
                ),
                {"i": block.id},
            )
        form.query_one("#title", Input).value = "Моето заглавие"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        message = str(app.screen.query_one(".message", Static).render())
        assert "промени този запис" in message
        await pilot.click("#choice-reload")
        await until(pilot, lambda: "Презаредено" in str(form.query_one("#note", Static).render()))
        assert form.query_one("#title", Input).value == "Моето заглавие"
        await saved(pilot, screen, form)
    assert scalar(engine, "SELECT title FROM event WHERE id = :i", i=block.id) == "Моето заглавие"


async def test_switching_language(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    try:
        async with planner(app) as (pilot, screen):
            assert "Седмица" in title(screen)
            await screen.action_switch_language()
            await pilot.pause()
            assert "Room: Групова зала · Week 23.11 – 29.11.2026" in title(screen)
            keys = {b.description for bs in screen._bindings.key_to_bindings.values() for b in bs}
            assert "Next week" in keys and "Следваща седмица" not in keys
            assert "Mon 23.11" in screen.query_one(WeekGrid).render_line(0).text
            await screen.action_switch_language()
            await pilot.pause()
            assert "Зала: Групова зала · Седмица" in title(screen)
    finally:
        set_language("bg")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_two_sessions_see_each_other_without_a_key(
    engine: Engine, tmp_path: Path, size: tuple[int, int]
) -> None:
    first = make_app(engine, tmp_path / "a", live=True)
    second = make_app(engine, tmp_path / "b", live=True, load=False)
    async with (
        planner(first, size) as (pilot_a, screen_a),
        planner(second, size) as (
            pilot_b,
            screen_b,
        ),
    ):
        await until(
            pilot_b, lambda: second.workers and any(w.name == "live" for w in second.workers)
        )
        grid_b = screen_b.query_one(WeekGrid)
        before = len(grid_b.blocks)
        form = EventForm(
            start=datetime.combine(date(2026, 11, 27), time(8)), resource=screen_a.resource
        )
        await first.push_screen(form)
        form.query_one("#title", Input).value = "На живо"
        await until(pilot_a, lambda: form.checks > 0)
        await pilot_a.press("ctrl+s")
        await until(pilot_b, lambda: len(grid_b.blocks) == before + 1)
        assert any(b.title == "На живо" for b in grid_b.blocks)


async def test_views_search_and_weekend(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app, (80, 24)) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        assert len(grid.days) == 5  # an empty weekend folds on a narrow terminal
        await pilot.press("f")
        assert len(grid.days) == 7
        await loaded_after(pilot, screen, "v")
        assert screen.view == "day" and len(grid.days) == 1
        await loaded_after(pilot, screen, "v")
        assert screen.view == "agenda"
        assert "Следващите 14 дни" in title(screen)
        assert screen.query_one("#agenda").row_count > 5  # type: ignore[attr-defined]
        await loaded_after(pilot, screen, "v")
        assert screen.view == "week"
        await pilot.press("slash")
        await until(pilot, lambda: "Ask" in type(app.screen).__name__)
        await pilot.press(*"арт")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, Picker))
        await loaded_after(pilot, screen, "enter")
        current = grid.current()
        assert current is not None and "Арт" in current.title
        assert "Център" in title(screen)


async def test_connection_loss_is_shown_and_recovered(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path, live=True)
    async with planner(app) as (pilot, screen):
        await until(pilot, lambda: any(w.name == "live" for w in app.workers))
        await pilot.pause(0.3)
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name LIKE 'coptui%' AND pid <> pg_backend_pid()"
                    " AND datname = current_database()"
                )
            )
            conn.commit()
        await until(pilot, lambda: app.connection_log[:2] == [False, True], seconds=15)
        assert not screen.query_one("#banner", Static).display
        before = len(screen.query_one(WeekGrid).blocks)
        await loaded_after(pilot, screen, "w")
        await loaded_after(pilot, screen, "W")
        assert len(screen.query_one(WeekGrid).blocks) == before


async def test_holidays_are_shaded_and_a_double_click_edits(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await pilot.press("g")
        await until(pilot, lambda: "Ask" in type(app.screen).__name__)
        await pilot.press(*"28.12.2026", "enter")
        grid = screen.query_one(WeekGrid)
        await until(pilot, lambda: bool(grid.days) and grid.days[0].day == date(2026, 12, 28))
        await until(pilot, lambda: grid.days[0].closed is not None)
        assert "Рождество Христово" in (grid.days[0].closed or "")  # the moved Christmas day
        assert grid.days[2].closed is None  # 30.12 is a working day
        await loaded_after(pilot, screen, "t")
        # (an occurrence of a series asks first which occurrences to edit)
        block = next(b for b in grid.blocks if b.status == "planned" and b.series_id is None)
        grid.select_event(block.id)
        await pilot.pause()
        column = (grid.size.width - 6) // len(grid.days)
        x = 6 + grid.cursor_day * column + 2
        y = 1 + grid.cursor_slot - grid.top
        await pilot.click(grid, offset=(x, y), times=2)
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        form = app.screen
        assert isinstance(form, EventForm) and form.event_id == block.id


def test_fuzzy_matching_finds_cyrillic_from_latin_too() -> None:
    from coptui.screens.dialogs import fuzzy_score, to_latin

    assert to_latin("Милена Георгиева") == "milena georgieva"
    assert to_latin("Щастливец Жълтев") == "shtastlivets zhaltev"
    assert fuzzy_score("мил", "Милена Георгиева") == 0
    assert fuzzy_score("МИЛ", "Милена Георгиева") == 0
    assert fuzzy_score("георг", "Милена Георгиева") == 7  # the start of a word: its position
    assert fuzzy_score("мгв", "Милена Георгиева") is not None  # letters in order
    assert fuzzy_score("xyz", "Милена Георгиева") is None


async def test_the_command_palette_speaks_bulgarian(engine: Engine, tmp_path: Path) -> None:
    from textual.command import CommandInput, CommandPalette
    from textual.widgets import Footer

    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, _screen):
        footer = app.screen.query_one(Footer)
        assert "^p команди" in "".join(
            str(k.render()) for k in footer.query(".-command-palette")
        ).replace("\xa0", " ")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        assert palette.query_one(CommandInput).placeholder == "Търсене на команда…"
        await pilot.press(*"изх")
        await until(pilot, lambda: palette.query_one("CommandList").option_count > 0)
        shown = str(palette.query_one("CommandList").get_option_at_index(0).prompt)
        assert "Изход" in shown
        # Textual's English system commands (themes, screenshots, its key panel) are gone.
        assert [c.title for c in app.get_system_commands(app.screen)] == ["Изход"]
