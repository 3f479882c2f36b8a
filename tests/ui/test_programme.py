"""The programme screen and the event form's seats, on the demo centre, driven with Pilot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from coptui.app import CoptApp
from coptui.domain.timeutil import SOFIA
from coptui.screens.dialogs import Ask, Choose, Picker
from coptui.screens.event_form import EventForm
from coptui.screens.programme import ProgrammeScreen
from coptui.services.caseterms import case_terms_refusals
from coptui.services.clashes import find_clashes
from coptui.services.transaction import transact
from tests.ui.test_planner import make_app, planner, scalar, until

ART = "Арт ателие „Цветна работилница“"
ART_DAY = datetime(2026, 11, 25, 15, 0, tzinfo=SOFIA)  # the demo's Wednesday session


def free_cases(engine: Engine, start: datetime, end: datetime, n: int) -> list[str]:
    """Codes of ``n`` active demo cases that may have a session at that time and are free."""

    def work(session: Session) -> list[str]:
        found = []
        for case_id, code in session.execute(
            text("SELECT id, code FROM case_file WHERE status = 'active' ORDER BY code")
        ):
            if case_terms_refusals(session, case_ids=[case_id], start=start, end=end):
                continue
            if find_clashes(session, start=start, end=end, case_ids=[case_id]):
                continue
            found.append(code)
        return found[:n]

    found = transact(engine, work)
    assert len(found) == n, found
    return found


def art_event(engine: Engine, start: datetime = ART_DAY) -> int:
    return int(
        scalar(
            engine,
            "SELECT e.id FROM event e JOIN programme p ON p.id = e.programme_id"
            " WHERE p.title = :t AND lower(e.during) = :s",
            t=ART,
            s=start,
        )
    )


@asynccontextmanager
async def programme_screen(
    app: CoptApp, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[Pilot[Any], ProgrammeScreen]]:
    """The planner, then `o` and the art studio chosen in the picker."""
    async with planner(app, size) as (pilot, _planner):
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, Picker))
        await pilot.press(*"арт", "enter")
        await until(pilot, lambda: isinstance(app.screen, ProgrammeScreen))
        screen = app.screen
        assert isinstance(screen, ProgrammeScreen)
        await until(pilot, lambda: screen.loads > 0)
        yield pilot, screen


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def enrol(pilot: Pilot[Any], screen: ProgrammeScreen, code: str, scope: str) -> None:
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, Ask))
    await pilot.press(*code, "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, Choose))
    await pilot.click(f"#choice-{scope}")


async def test_enrol_until_full_then_the_waiting_list_and_an_offer(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    event = art_event(engine)
    end = ART_DAY.replace(hour=16, minute=30)
    first, second, third = free_cases(engine, ART_DAY, end, 3)
    async with programme_screen(app) as (pilot, screen):
        sessions = screen.query_one("#sessions", DataTable)
        title = str(screen.query_one("#programme-title", Static).render())
        assert ART in title and "арт ателие" in title
        # The cursor starts on the first session from today on, 8 of its 10 places taken.
        current = screen.current_session()
        assert current is not None and current.event_id == event
        assert rows(sessions)[sessions.cursor_row][2] == "8/10"
        for code in (first, second):
            before = screen.loads
            await enrol(pilot, screen, code, "one")
            await until(pilot, lambda b=before: screen.loads > b and app.screen is screen)
        assert rows(sessions)[sessions.cursor_row][2] == "10/10 пълно"
        await enrol(pilot, screen, third, "one")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        message = str(app.screen.query_one(".message", Static).render())
        assert "10 от 10" in message and "№ 1" in message
        before = screen.loads
        await pilot.click("#choice-wait")
        await until(pilot, lambda: screen.loads > before and app.screen is screen)
        children = screen.query_one("#children", DataTable)
        assert [third, "чака (№ 1)"] in rows(children)
        # A child leaves: the place is offered to the one who waits, held until confirmed.
        await pilot.press("tab")
        assert screen.focused is children
        children.move_cursor(row=[r[0] for r in rows(children)].index(first))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        before = screen.loads
        await pilot.click("#choice-yes")
        await until(pilot, lambda: screen.loads > before and app.screen is screen)
        assert [third, "предложено място, за потвърждаване"] in rows(children)
        assert first not in [r[0] for r in rows(children)]
        children.move_cursor(row=[r[0] for r in rows(children)].index(third))
        before = screen.loads
        await pilot.press("y")
        await until(pilot, lambda: screen.loads > before)
        assert [third, "записан"] in rows(children)
    assert scalar(engine, "SELECT count(*) FROM event_case WHERE event_id = :e", e=event) == 10


async def test_the_planner_tells_the_key_worker_of_an_offered_place(
    engine: Engine, tmp_path: Path
) -> None:
    from coptui.services.places import join_session
    from coptui.services.programmes import withdraw

    app = make_app(engine, tmp_path)
    event = art_event(engine)
    end = ART_DAY.replace(hour=16, minute=30)
    a, b, waiting = free_cases(engine, ART_DAY, end, 3)

    def fill(session: Session) -> tuple[int, str]:
        ids = dict(session.execute(text("SELECT code, id FROM case_file")).all())
        for code in (a, b):
            join_session(session, event_id=event, case_id=ids[code])
        join_session(session, event_id=event, case_id=ids[waiting], waitlist=True)
        withdraw(session, event_id=event, case_id=ids[a])
        worker = session.execute(
            text(
                "SELECT s.id, s.full_name FROM case_file c JOIN staff s ON s.id = c.key_worker_id"
                " WHERE c.id = :c"
            ),
            {"c": ids[waiting]},
        ).one()
        return worker.id, worker.full_name

    _staff_id, name = transact(engine, fill)
    async with planner(app) as (pilot, screen):
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, Picker))
        before = screen.loads
        await pilot.press(*name, "enter")
        await until(pilot, lambda: screen.loads > before and bool(screen.case_warnings))
        line = next(w for w in screen.case_warnings if waiting in w)
        assert "25.11.2026 15:00" in line and "потвърдете" in line
        details = str(screen.query_one("#details", Static).render())
        assert waiting in details


async def test_the_form_counts_seats_as_it_counts_clashes(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    start = datetime(2026, 11, 27, 16, 30, tzinfo=SOFIA)  # a Friday afternoon
    end = start.replace(hour=17, minute=30)
    codes = free_cases(engine, start, end, 3)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO programme (centre_id, kind, title, capacity)"
                " SELECT id, 'art_studio', 'Малко ателие', 2 FROM centre"
            )
        )
    async with planner(app) as (pilot, screen):
        form = EventForm(start=start.replace(tzinfo=None), resource=screen.resource)
        await app.push_screen(form, screen._after_form)
        await until(pilot, lambda: form.centre_id is not None)
        form.query_one("#title", Input).value = "Рисуване"
        form.query_one("#programme", Input).value = "малко"
        form.query_one("#cases", Input).value = ", ".join(codes[:2])
        check = form.query_one("#check", Static)
        slots = form.query_one("#slots", Static)
        await until(
            pilot,
            lambda: "2 от 2 места заети" in str(slots.render()),
            state=lambda: f"{check.render()} | {slots.render()}",
        )
        assert "problem" not in check.classes
        form.query_one("#cases", Input).value = ", ".join(codes)
        await until(
            pilot,
            lambda: "3 деца за 2 места" in str(check.render()),
            state=lambda: str(check.render()),
        )
        assert "problem" in check.classes
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        message = str(app.screen.query_one(".message", Static).render())
        assert codes[2] in message and "списъка на чакащите" in message
        before = screen.loads
        await pilot.click("#choice-wait")
        await until(pilot, lambda: screen.loads > before and app.screen is screen)
    event = scalar(engine, "SELECT id FROM event WHERE title = 'Рисуване'")
    assert scalar(engine, "SELECT count(*) FROM event_case WHERE event_id = :e", e=event) == 2
    waiting = scalar(
        engine,
        "SELECT c.code FROM waitlist_entry w JOIN case_file c ON c.id = w.case_id"
        " WHERE w.event_id = :e",
        e=event,
    )
    assert waiting == codes[2]
    assert (
        scalar(
            engine,
            "SELECT p.title FROM event e JOIN programme p ON p.id = e.programme_id WHERE e.id = :e",
            e=event,
        )
        == "Малко ателие"
    )


async def test_enter_on_a_programme_in_the_directory_opens_it(
    engine: Engine, tmp_path: Path
) -> None:
    from tests.ui.test_directory import directory

    async with directory(make_app(engine, tmp_path)) as (pilot, screen):
        await pilot.press("6")
        table = screen.table("programme")
        table.move_cursor(
            row=[str(table.get_row_at(n)[0]) for n in range(table.row_count)].index(ART)
        )
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ProgrammeScreen))
        shown = pilot.app.screen
        assert isinstance(shown, ProgrammeScreen)
        await until(pilot, lambda: shown.loads > 0)
        assert shown.shown is not None and shown.shown.title == ART
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is screen)
