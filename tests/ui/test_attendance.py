"""The attendance register driven by keys only, on the demo centre (today 25.11.2026)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Static

from coptui.screens.attendance import AttendanceScreen
from coptui.screens.dialogs import Ask
from coptui.screens.planner import PlannerScreen
from tests.ui.test_planner import make_app, planner, scalar, until

ART = "Арт ателие „Цветна работилница“"


async def open_register(pilot: Pilot[Any], screen: PlannerScreen) -> AttendanceScreen:
    """From Monday 08:00 to Wednesday 15:00 (today's art studio) and `a`, by keys."""
    await pilot.press("l", "l", *["j"] * 14)
    block = screen.current_event()
    assert block is not None and block.title == ART
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, AttendanceScreen))
    register = pilot.app.screen
    assert isinstance(register, AttendanceScreen)
    await until(pilot, lambda: register.loads > 0)
    return register


def summary(register: AttendanceScreen) -> str:
    return str(register.query_one("#attendance-summary", Static).render())


async def test_attendance_by_keys_only(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        register = await open_register(pilot, screen)
        rows = [m.row for m in register.marked]
        assert len(rows) >= 3 and all(m.attendance == "expected" for m in register.marked)
        event_id = register.event_id
        await pilot.press("space")  # the first child: present
        await pilot.press("down", "space", "space")  # the second: absent, asks why
        await until(pilot, lambda: isinstance(app.screen, Ask))
        await pilot.press(*"болен", "enter")
        await until(pilot, lambda: app.screen is register)
        await pilot.press("down", "space", "space")  # the third: absent, reason not known
        await until(pilot, lambda: isinstance(app.screen, Ask))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is register)
        await pilot.press("space", "space")  # … excused, then late
        assert [m.attendance for m in register.marked[:3]] == ["present", "absent", "late"]
        assert "незаписани промени: 3" in summary(register)
        before = screen.loads
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen and screen.loads > before)

    def mark(case_id: int) -> Any:
        return scalar(
            engine,
            "SELECT attendance || ':' || coalesce(attendance_note, '') FROM event_case"
            " WHERE event_id = :e AND case_id = :c",
            e=event_id,
            c=case_id,
        )

    assert [mark(r.case_id) for r in rows[:3]] == ["present:", "absent:болен", "late:"]
    assert mark(rows[3].case_id) == "expected:"
    assert scalar(engine, "SELECT status FROM event WHERE id = :e", e=event_id) == "held"


async def test_a_future_session_has_no_register(engine: Engine, tmp_path: Path) -> None:
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):
        await pilot.press("l", "l", "l", *["j"] * 12)  # Thursday 14:00, a group tomorrow
        block = screen.current_event()
        assert block is not None and block.status == "planned"
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen
