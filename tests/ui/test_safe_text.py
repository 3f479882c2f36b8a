"""Stored text reaches the screen as plain, harmless text: never as markup, never raw
(issue 9, point 1, on screen). A title like ``[bold red]x`` or ``[/]`` shows as typed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from textual.widgets import DataTable, Input, Label, OptionList, Static

from coptui.domain.timeutil import SOFIA
from coptui.screens.dialogs import Ask, Choose, Picker
from coptui.screens.event_form import EventForm
from coptui.services.booking import BookingRequest, book_event
from coptui.services.transaction import transact
from coptui.widgets.weekgrid import Block, Day, WeekGrid
from tests.ui.test_planner import loaded_after, make_app, planner, until

BOLD = "[bold red]x"
CLOSE = "[/]"
NAME = "[/] Мария [i]Тест"
ACTS = "[@click=app.quit]Арт[/]"


def _book(engine: Engine, title: str, start: datetime, *, with_name: bool = False) -> int:
    def work(session: Any) -> int:
        centre, room = session.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room'")
        ).one()
        staff: tuple[int, ...] = ()
        if with_name:
            staff_id = session.execute(
                text(
                    "SELECT id FROM staff s WHERE centre_id = :c AND NOT EXISTS ("
                    " SELECT 1 FROM event_staff l JOIN event e ON e.id = l.event_id"
                    " WHERE l.staff_id = s.id AND e.during && tstzrange(:a, :b))"
                    " ORDER BY id LIMIT 1"
                ),
                {"c": centre, "a": start, "b": start + timedelta(hours=1)},
            ).scalar_one()
            session.execute(
                text("UPDATE staff SET full_name = :n WHERE id = :i"), {"n": NAME, "i": staff_id}
            )
            staff = (staff_id,)
        return book_event(
            session,
            request=BookingRequest(
                centre_id=centre,
                title=title,
                start=start,
                end=start + timedelta(hours=1),
                room_id=room,
                staff_ids=staff,
            ),
        ).id

    return transact(engine, work)


def _text(widget: Any) -> str:
    return str(widget.render())


async def test_titles_and_names_that_look_like_markup_show_as_typed(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    bold = _book(engine, BOLD, datetime(2026, 11, 23, 11, 0, tzinfo=SOFIA), with_name=True)
    close = _book(engine, CLOSE, datetime(2026, 11, 24, 11, 0, tzinfo=SOFIA))
    async with planner(app, (160, 40)) as (pilot, screen):
        grid = screen.query_one(WeekGrid)
        details = screen.query_one("#details", Static)
        grid.select_event(bold)
        await pilot.pause()
        assert BOLD in _text(details) and NAME in _text(details)
        assert any(BOLD in grid.render_line(y).text for y in range(grid.size.height))
        grid.select_event(close)
        await pilot.pause()
        assert CLOSE in _text(details)

        await pilot.press("m")  # the move dialog names the event in its title
        await until(pilot, lambda: isinstance(app.screen, Ask))
        assert f"„{CLOSE}“" in _text(app.screen.query_one(".dialog-title", Label))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

        form = EventForm(
            start=datetime.combine(date(2026, 11, 24), time(11)), resource=screen.resource
        )
        await app.push_screen(form)
        form.query_one("#title", Input).value = "Опит"
        check = form.query_one("#check", Static)
        await until(pilot, lambda: f"„{CLOSE}“" in _text(check), state=lambda: _text(check))
        await pilot.press("ctrl+s")  # refused: the refusal names the holder, as typed
        note = form.query_one("#note", Static)
        await until(pilot, lambda: f"„{CLOSE}“" in _text(note), state=lambda: _text(note))
        form.dismiss(None)
        await until(pilot, lambda: app.screen is screen)

        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, Picker))
        picker = app.screen
        await pilot.press(*"мария")
        await pilot.pause()
        options = picker.query_one(OptionList)
        assert options.option_count >= 1
        assert NAME in str(options.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

        await loaded_after(pilot, screen, "v")
        await loaded_after(pilot, screen, ["t", "v"])
        assert screen.view == "agenda"
        await loaded_after(pilot, screen, "W")  # the 14 days before: 11.11 – 24.11
        table = screen.query_one("#agenda", DataTable)
        cells = [str(table.get_cell_at((n, 2))) for n in range(table.row_count)]
        assert BOLD in cells and CLOSE in cells
    assert app._exception is None


async def test_control_characters_never_reach_the_terminal(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app, (160, 40)) as (pilot, screen):
        # The holidays are shaded in after the first load, redrawing the grid: wait for it,
        # or it may draw over the blocks given below.
        await until(pilot, lambda: screen._shaded)
        grid = screen.query_one(WeekGrid)
        monday = date(2026, 11, 23)
        hostile = "x\x1b]0;pwned\x07y\x1b[2J"
        grid.show(
            [
                Day(day=monday + timedelta(days=n), closed="\x1b[5m" if n == 2 else None)
                for n in range(7)
            ],
            [
                Block(
                    id=1,
                    title=hostile,
                    kind="group",
                    start=datetime.combine(monday, time(9)),
                    end=datetime.combine(monday, time(10)),
                    status="planned",
                    room="зала\x9b1m",
                    people="Иван\nПетров",
                )
            ],
            monday,
        )
        grid.select_event(1)
        await pilot.pause()
        lines = [grid.render_line(y) for y in range(grid.size.height)]
        drawn = "".join(segment.text for line in lines for segment in line)
        assert "x\ufffd]0;pwned\ufffdy" in drawn
        assert not any(ch in drawn for ch in "\x1b\x07\x9b\n")
        assert "\ufffd" in _text(screen.query_one("#details", Static))
        assert "\x1b" not in _text(screen.query_one("#details", Static))

        await app.push_screen(Choose(f"[b]{hostile}", f"{hostile}\n[/]", [("ok", "OK")]))
        dialog = app.screen
        assert "\x1b" not in _text(dialog.query_one(".dialog-title", Label))
        assert "[/]" in _text(dialog.query_one(".message", Static))


async def test_a_refusal_naming_markup_shows_in_a_toast_without_breaking(
    engine: Engine, tmp_path: Path
) -> None:
    from coptui.screens.planner import PlannerScreen

    app = make_app(engine, tmp_path)
    close = _book(engine, CLOSE, datetime(2026, 11, 24, 11, 0, tzinfo=SOFIA))
    mover = _book(engine, "Преместваемо", datetime(2026, 11, 23, 11, 0, tzinfo=SOFIA))
    shown: list[str] = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlannerScreen) and app.screen.loads > 0)
        screen = app.screen
        assert isinstance(screen, PlannerScreen)
        notify = app.notify

        def recording(message: str, **kwargs: Any) -> None:
            shown.append(message)
            notify(message, **kwargs)

        app.notify = recording  # type: ignore[method-assign]
        screen.query_one(WeekGrid).select_event(mover)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, Ask))
        app.screen.query_one("#answer", Input).value = "24.11.2026 11:00"
        await pilot.press("enter")
        await until(pilot, lambda: any(f"„{CLOSE}“" in m for m in shown), state=lambda: str(shown))
        await pilot.pause(0.2)  # the toast is drawn
        assert app.is_running
    assert app._exception is None
    assert close


async def test_the_directory_its_forms_and_a_case_page_show_markup_as_typed(
    engine: Engine, tmp_path: Path
) -> None:
    """A centre, a case or a typed value like ``[/]`` is text there too, never a crash."""
    from coptui.screens.case_page import CasePage
    from coptui.screens.directory import DirectoryScreen
    from coptui.screens.record_form import RecordForm

    app = make_app(engine, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE centre SET name = :n"), {"n": f"ЦОП {CLOSE}"})
        case_id = conn.execute(text("SELECT id FROM case_file ORDER BY id LIMIT 1")).scalar_one()
        conn.execute(
            text("UPDATE case_file SET code = :c, child_name = :n WHERE id = :i"),
            {"c": f"К-{CLOSE}", "n": NAME, "i": case_id},
        )
        # Its sessions are listed in a table: a title that is markup, and one that acts.
        sessions = conn.execute(
            text("SELECT event_id FROM event_case WHERE case_id = :i ORDER BY event_id LIMIT 2"),
            {"i": case_id},
        ).scalars()
        for event_id, title in zip(sessions, (CLOSE, ACTS), strict=False):
            conn.execute(
                text("UPDATE event SET title = :t WHERE id = :i"), {"t": title, "i": event_id}
            )
    async with planner(app, (120, 40)) as (pilot, _screen):
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, DirectoryScreen))
        directory = app.screen
        assert isinstance(directory, DirectoryScreen)
        await until(pilot, lambda: directory.loads > 0)
        title = directory.query_one("#directory-title", Static)
        assert f"ЦОП {CLOSE}" in _text(title)

        await pilot.press("2", "enter")  # Зали: a typed number that is markup
        await until(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#field-seats", Input).value = CLOSE
        await until(pilot, lambda: "seats" in form.errors)
        await pilot.pause()
        assert CLOSE in _text(form.query_one("#error-seats", Static))
        form.dismiss(None)
        await until(pilot, lambda: app.screen is directory)

        await pilot.press("5", *"К-", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, CasePage) and app.screen.loads > 0)
        page = app.screen
        assert f"К-{CLOSE}" in _text(page.query_one("#case-title", Static))
        assert NAME in _text(page.query_one("#case-details", Static))
        cells = [
            page.query_one(f"#{which}", DataTable).get_row_at(n)[3]
            for which in ("upcoming", "past")
            for n in range(page.query_one(f"#{which}", DataTable).row_count)
        ]
        await pilot.pause()
        assert CLOSE in [str(c) for c in cells] and ACTS in [str(c) for c in cells]
        assert all(not getattr(c, "spans", None) for c in cells)  # no style, no action
    assert app._exception is None
