"""From an empty database to a booked session, by keys only, as a centre's manager would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Select, Static

from coptui.domain.fields import field
from coptui.i18n import _
from coptui.screens.directory import DirectoryScreen
from coptui.screens.event_form import EventForm
from coptui.screens.first_run import Welcome
from coptui.screens.planner import PlannerScreen
from coptui.screens.record_form import RecordForm
from tests.ui.test_planner import make_app, scalar, title, until


async def tab_to(pilot: Pilot[Any], widget_id: str, limit: int = 40) -> None:
    """Press Tab until the widget ``widget_id`` has the focus."""
    for _n in range(limit):
        focused = pilot.app.focused
        if focused is not None and focused.id == widget_id:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached #{widget_id}")


async def choose(pilot: Pilot[Any], kind: str, name: str, value: str) -> None:
    """Pick a choice in a Select by keys: Tab to it, open it, type its label's start, Enter."""
    spec = field(kind, name)
    label = next(_(c.label) for c in spec.choices if c.value == value)
    await tab_to(pilot, f"field-{name}")
    select = pilot.app.focused
    assert isinstance(select, Select)
    await pilot.press("enter")
    await pilot.press(*label[:4])
    await pilot.press("enter")
    await until(pilot, lambda: select.value == value and not select.expanded)


async def type_into(pilot: Pilot[Any], widget_id: str, text: str) -> None:
    await tab_to(pilot, widget_id)
    await pilot.press(*text)


async def saved_form(pilot: Pilot[Any], form: RecordForm) -> None:
    """Ctrl+S and wait until the form is gone."""
    await until(pilot, lambda: form.checks > 0)
    await pilot.press("ctrl+s")
    await until(
        pilot,
        lambda: form not in pilot.app.screen_stack,
        state=lambda: str(form.query_one("#note", Static).render()),
    )


def form_on_top(pilot: Pilot[Any], kind: str) -> RecordForm | None:
    screen = pilot.app.screen
    return screen if isinstance(screen, RecordForm) and screen.kind == kind else None


async def test_from_an_empty_database_to_a_booking_by_keys(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path, load=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, Welcome))
        planner = app.screen_stack[-2]
        assert isinstance(planner, PlannerScreen)
        await pilot.press("enter")  # «Създай центъра»

        await until(pilot, lambda: form_on_top(pilot, "centre") is not None)
        centre = form_on_top(pilot, "centre")
        assert centre is not None
        await pilot.press(*"ЦОП Надежда")
        await type_into(pilot, "field-town", "Ловеч")
        await type_into(pilot, "field-capacity", "20")
        await saved_form(pilot, centre)

        await until(pilot, lambda: form_on_top(pilot, "room") is not None)
        room = form_on_top(pilot, "room")
        assert room is not None
        await type_into(pilot, "field-seats", "15")
        await type_into(pilot, "field-area", "48,30")
        before = planner.loads
        await saved_form(pilot, room)
        await until(pilot, lambda: app.screen is planner and planner.loads > before)
        assert "Зала: Групова зала" in title(planner)

        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        directory = app.screen
        assert isinstance(directory, DirectoryScreen)
        await until(pilot, lambda: directory.loads > 0)
        await pilot.press("3", "n")  # Специалисти, a new one
        await until(pilot, lambda: form_on_top(pilot, "staff") is not None)
        staff = form_on_top(pilot, "staff")
        assert staff is not None
        await pilot.press(*"Мария Петрова")
        await choose(pilot, "staff", "profession", "psychologist")
        await saved_form(pilot, staff)

        await pilot.press("5", "n")  # Случаи, a new one
        await until(pilot, lambda: form_on_top(pilot, "case") is not None)
        case = form_on_top(pilot, "case")
        assert case is not None
        await pilot.press(*"ЦОП-2026-001")
        await type_into(pilot, "field-child", "Д.")
        await choose(pilot, "case", "service", "general_access")
        await type_into(pilot, "field-key_worker", "Мария Петрова")
        await type_into(pilot, "field-from", "днес")
        await saved_form(pilot, case)
        await until(pilot, lambda: directory.loads > 0 and directory.table("case").row_count == 1)

        before = planner.loads
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is planner and planner.loads > before)

        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        event = app.screen
        assert isinstance(event, EventForm)
        await pilot.press(*"Първа среща")
        await type_into(pilot, "staff", "Мария")
        await type_into(pilot, "cases", "ЦОП-2026-001")
        await until(
            pilot,
            lambda: "Няма конфликти" in str(event.query_one("#check", Static).render()),
            state=lambda: str(event.query_one("#check", Static).render()),
        )
        before = planner.loads
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is planner and planner.loads > before)
        assert any(b.title == "Първа среща" for b in planner.query_one("#grid").blocks)  # type: ignore[attr-defined]

    assert scalar(engine, "SELECT name || '/' || town FROM centre") == "ЦОП Надежда/Ловеч"
    assert scalar(engine, "SELECT places FROM centre_capacity") == 20
    assert scalar(engine, "SELECT kind || '/' || max_people FROM room") == "group_room/15"
    assert scalar(engine, "SELECT status FROM case_file WHERE code = 'ЦОП-2026-001'") == "active"
    booked = scalar(
        engine,
        "SELECT r.name || '/' || s.full_name || '/' || c.code FROM event e"
        " JOIN room r ON r.id = e.room_id"
        " JOIN event_staff es ON es.event_id = e.id JOIN staff s ON s.id = es.staff_id"
        " JOIN event_case ec ON ec.event_id = e.id JOIN case_file c ON c.id = ec.case_id"
        " WHERE e.title = 'Първа среща'",
    )
    assert booked == "Групова зала/Мария Петрова/ЦОП-2026-001"
