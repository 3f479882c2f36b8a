"""The directory on the demo centre, driven with Pilot: filter, edit, stale saves, deactivate,
and a case's own page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from coptui.app import CoptApp
from coptui.screens.case_page import CasePage
from coptui.screens.dialogs import Ask, Choose
from coptui.screens.directory import DirectoryScreen
from coptui.screens.planner import PlannerScreen
from coptui.screens.record_form import RecordForm
from tests.ui.test_planner import TODAY, make_app, planner, scalar, until


@asynccontextmanager
async def directory(
    app: CoptApp, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[Pilot[Any], DirectoryScreen]]:
    """The app with the directory open over the planner (key r), its lists loaded."""
    async with planner(app, size) as (pilot, _screen):
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        await until(pilot, lambda: screen.loads > 0)
        yield pilot, screen


def names(table: DataTable[Any]) -> list[str]:
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


async def reloaded(pilot: Pilot[Any], screen: DirectoryScreen | CasePage, before: int) -> None:
    await until(pilot, lambda: screen.loads > before and pilot.app.screen is screen)


async def test_typing_filters_the_list_latin_finds_cyrillic(engine: Engine, tmp_path: Path) -> None:
    async with directory(make_app(engine, tmp_path)) as (pilot, screen):
        await pilot.press("3")  # Специалисти
        table = screen.table("staff")
        everyone = names(table)
        assert len(everyone) > 3 and screen.focused is table
        await pilot.press(*"мил")  # typed on the list: goes to the filter, no letter lost
        assert screen.filter_input("staff").value == "мил"
        assert names(table) == ["Милена Георгиева"]
        await pilot.press("escape")  # clears the filter, back on the list
        assert names(table) == everyone and screen.focused is table
        await pilot.press("slash", *"plamen", "enter")
        assert names(table) == ["Пламен Стоянов"] and screen.focused is table
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, PlannerScreen))


async def test_add_edit_and_a_stale_save_offers_to_reload(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with directory(app) as (pilot, screen):
        await pilot.press("2")  # Зали
        table = screen.table("room")
        await pilot.press(*"групова")
        await pilot.press("enter")  # from the filter back to the list
        await pilot.press("enter")  # edit the room under the cursor
        await until(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert isinstance(form, RecordForm) and form.record is not None
        seats = form.query_one("#field-seats", Input)
        assert seats.value == str(
            scalar(engine, "SELECT max_people FROM room WHERE name = 'Групова зала'")
        )
        # A number that is not one: the field says so and Save is off.
        seats.value = "много"
        await until(pilot, lambda: "seats" in form.errors)
        assert str(form.query_one("#error-seats", Static).render())
        assert form.query_one("#save").disabled
        seats.value = "12"
        await until(pilot, lambda: not form.errors)
        assert not form.query_one("#save").disabled
        # Somebody else saves the room meanwhile.
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE room SET notes = 'чужда бележка', version = version + 1"
                    " WHERE name = 'Групова зала'"
                )
            )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        assert "промени" in str(app.screen.query_one(".message", Static).render())
        await pilot.click("#choice-reload")
        await until(pilot, lambda: "Презаредено" in str(form.query_one("#note", Static).render()))
        assert seats.value == "12"  # what was typed stays
        before = screen.loads
        await pilot.press("ctrl+s")
        await reloaded(pilot, screen, before)
        assert "12" in [str(c) for c in table.get_row_at(table.cursor_row)]
    with engine.connect() as conn:
        seats_now, notes = conn.execute(
            text("SELECT max_people, notes FROM room WHERE name = 'Групова зала'")
        ).one()
    assert (seats_now, notes) == (12, "чужда бележка")  # both changes kept


async def test_escape_on_a_changed_form_asks_first(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with directory(app) as (pilot, screen):
        await pilot.press("4", "n")  # Доброволци: a new one
        await until(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press("escape")  # nothing typed: closes at once
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press(*"Иван Колев")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.press("enter")  # the first button: keep editing
        await until(pilot, lambda: app.screen is form)
        assert form.query_one("#field-name", Input).value == "Иван Колев"
        before = screen.loads
        await pilot.press("ctrl+s")
        await reloaded(pilot, screen, before)
        assert "Иван Колев" in names(screen.table("volunteer"))
    assert scalar(engine, "SELECT count(*) FROM volunteer WHERE full_name = 'Иван Колев'") == 1


async def test_deactivating_keeps_the_history(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    staff_id, name = next(
        iter(
            engine.connect().execute(
                text(
                    "SELECT s.id, s.full_name FROM staff s JOIN event_staff l ON l.staff_id = s.id"
                    " GROUP BY s.id ORDER BY count(*) DESC LIMIT 1"
                )
            )
        )
    )
    events = scalar(engine, "SELECT count(*) FROM event_staff WHERE staff_id = :s", s=staff_id)
    async with directory(app) as (pilot, screen):
        await pilot.press("3", *name.split()[0], "enter")
        table = screen.table("staff")
        assert names(table) == [name]
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        await pilot.click("#choice-yes")
        await until(pilot, lambda: app.screen is screen and "(неактивен)" in names(table)[0])
        assert table.get_row_at(0)[0].style == "dim"  # type: ignore[union-attr]
        await pilot.press("i")  # hide the inactive
        assert names(table) == []
    assert scalar(engine, "SELECT active FROM staff WHERE id = :s", s=staff_id) is False
    after = scalar(engine, "SELECT count(*) FROM event_staff WHERE staff_id = :s", s=staff_id)
    assert after == events  # the history stays


async def test_closing_a_case_asks_the_reason(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    code = scalar(engine, "SELECT code FROM case_file WHERE status = 'active' ORDER BY id LIMIT 1")
    async with directory(app) as (pilot, screen):
        await pilot.press("5", *code, "enter", "x")
        await until(pilot, lambda: isinstance(app.screen, Ask))
        await pilot.press("enter")  # no reason: refused inside the dialog
        assert isinstance(app.screen, Ask)
        before = screen.loads
        await pilot.press(*"преместване", "enter")
        await reloaded(pilot, screen, before)
    closed = scalar(
        engine, "SELECT status || '/' || close_reason FROM case_file WHERE code = :c", c=code
    )
    assert closed == "closed/преместване"


async def test_the_case_page_shows_days_left_and_sessions(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    # A general-access case with sessions before and after today.
    case_id, code = next(
        iter(
            engine.connect().execute(
                text(
                    "SELECT c.id, c.code FROM case_file c JOIN event_case l ON l.case_id = c.id"
                    " WHERE c.status = 'active' AND c.service_kind = 'general_access'"
                    " GROUP BY c.id HAVING min(lower(l.during)) < :t AND max(lower(l.during)) > :t"
                    " ORDER BY c.id LIMIT 1"
                ),
                {"t": TODAY},
            )
        )
    )
    past = scalar(
        engine,
        "SELECT count(*) FROM event_case WHERE case_id = :c"
        " AND (lower(during) AT TIME ZONE 'Europe/Sofia')::date < :t",
        c=case_id,
        t=TODAY,
    )
    async with directory(app) as (pilot, screen):
        await pilot.press("5", *code, "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, CasePage) and app.screen.loads > 0)
        page = app.screen
        assert isinstance(page, CasePage) and page.shown is not None
        case = page.shown.case
        assert case.days_left is not None and case.ends_on is not None
        head = str(page.query_one("#case-title", Static).render())
        assert f"Случай {code}" in head
        assert f"{case.days_left} дни (до {case.ends_on:%d.%m.%Y})" in head
        assert page.query_one("#past", DataTable).row_count == past
        assert page.query_one("#upcoming", DataTable).row_count > 0
        marks = {str(page.query_one("#past", DataTable).get_row_at(n)[2]) for n in range(past)}
        assert marks <= {
            "присъства",
            "отсъства",
            "извинено отсъствие",
            "закъснял",
            "не е отбелязано",
            "отменено",
        }
        await pilot.press("e")  # the case's form, from its page
        await until(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert isinstance(form, RecordForm) and form.kind == "case"
        assert form.query_one("#field-code", Input).value == code
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is page)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)


async def test_directory_at_80x24_shows_every_tab(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with directory(app, (80, 24)) as (pilot, screen):
        from textual.widgets import Tab

        for tab in screen.query(Tab):
            region = tab.region
            assert region.width > 0 and region.right <= 80, (str(tab.label), region)
        await pilot.press("5")
        assert screen.table("case").row_count > 5


async def test_a_refused_deactivation_is_said(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    said: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs: Any) -> None:
        said.append(message)
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    async with directory(app) as (pilot, _screen):
        await pilot.press("2", *"групова", "enter", "x")
        await until(pilot, lambda: isinstance(app.screen, Choose))
        with engine.begin() as conn:  # somebody else saves the room meanwhile
            conn.execute(text("UPDATE room SET version = version + 1 WHERE name = 'Групова зала'"))
        await pilot.click("#choice-yes")
        await until(pilot, lambda: any("промени" in s for s in said), state=lambda: repr(said))
    assert scalar(engine, "SELECT active FROM room WHERE name = 'Групова зала'") is True


async def test_the_key_workers_planner_warns_a_week_before_the_end(
    engine: Engine, tmp_path: Path
) -> None:
    from datetime import timedelta

    from coptui.domain.caserules import general_access_end

    start = next(
        TODAY - timedelta(days=n)
        for n in range(40, 80)
        if general_access_end(TODAY - timedelta(days=n)) == TODAY + timedelta(days=7)
    )
    app = make_app(engine, tmp_path)
    with engine.begin() as conn:
        staff, name = conn.execute(
            text("SELECT id, full_name FROM staff WHERE full_name LIKE 'Милена%'")
        ).one()
        code = conn.execute(
            text(
                "UPDATE case_file SET key_worker_id = :s, active_from = :d, status = 'active',"
                " service_kind = 'general_access', referral_source = 'self'"
                " WHERE id = (SELECT min(id) FROM case_file) RETURNING code"
            ),
            {"s": staff, "d": start},
        ).scalar_one()
    said: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs: Any) -> None:
        said.append(message)
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    async with planner(app, (80, 24)) as (pilot, screen):
        await pilot.press("p")
        await until(pilot, lambda: type(app.screen).__name__ == "Picker")
        await pilot.press(*"милена", "enter")
        await until(pilot, lambda: any(code in w for w in screen.case_warnings))
        details = str(screen.query_one("#details", Static).render())
        assert f"Случай {code}" in details and "(след 7 дни)" in " ".join(screen.case_warnings)
        assert any(code in s for s in said)  # told once, as it appears
        assert name in str(screen.query_one("#planner-title", Static).render())


async def test_the_case_page_from_the_cases_week(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    code = scalar(engine, "SELECT code FROM case_file WHERE status = 'active' ORDER BY id LIMIT 1")
    async with planner(app) as (pilot, screen):
        await pilot.press("c")  # the group room's week: no case to show
        assert app.screen is screen
        await pilot.press("p")
        await until(pilot, lambda: type(app.screen).__name__ == "Picker")
        await pilot.press(*code)
        before = screen.loads
        await pilot.press("enter")
        await until(pilot, lambda: screen.loads > before)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CasePage) and app.screen.loads > 0)
        page = app.screen
        assert isinstance(page, CasePage) and page.shown is not None
        assert page.shown.case.code == code


async def test_closing_from_the_case_page_says_what_becomes_of_its_sessions(
    engine: Engine, tmp_path: Path
) -> None:
    """The question says beforehand what closing frees; the notice says what it did."""
    from sqlalchemy.orm import Session

    from coptui.services.case_closing import first_moment_after, later_sessions, later_text

    app = make_app(engine, tmp_path)
    after = first_moment_after(TODAY)
    later = (
        "SELECT count(*) FROM event_case l JOIN event e ON e.id = l.event_id"
        " WHERE l.case_id = :c AND e.status = 'planned' AND lower(e.during) >= :a"
    )
    case_id, code = next(
        iter(
            engine.connect().execute(
                text(
                    "SELECT c.id, c.code FROM case_file c WHERE c.status = 'active'"
                    f" AND ({later.replace(':c', 'c.id')}) > 0 ORDER BY c.id LIMIT 1"
                ),
                {"a": after},
            )
        )
    )
    with Session(engine) as session:
        expected = later_sessions(session, case_id=case_id, on=TODAY)
    assert expected.cancelled + expected.left > 0
    history = "SELECT count(*) FROM event_case WHERE case_id = :c AND lower(during) < :a"
    kept = scalar(engine, history, c=case_id, a=after)
    async with directory(app) as (pilot, _screen):
        await pilot.press("5", *code, "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, CasePage) and app.screen.loads > 0)
        page = app.screen
        assert isinstance(page, CasePage)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, Ask))
        ask = app.screen
        assert isinstance(ask, Ask)
        assert ask.prompt == (
            later_text(expected, TODAY) + " Каква е причината за закриване на случая?"
        )
        assert f"След {TODAY:%d.%m.%Y}: " in ask.prompt
        before = page.loads
        await pilot.press(*"преместване", "enter")
        await reloaded(pilot, page, before)
        assert page.closed_notice.startswith("Случаят е закрит. Предстоящи занимания: ")
        if expected.cancelled:
            assert "отмен" in page.closed_notice
        if expected.left:
            assert "място" in page.closed_notice or "места" in page.closed_notice
    assert scalar(engine, later, c=case_id, a=after) == 0
    assert scalar(engine, history, c=case_id, a=after) == kept  # up to today: as it was
