"""A week switch sends the terminal only the lines that changed, once each (over SSH every byte
goes down the link), and what the terminal ends up showing is still the screen.

What the app would write is captured as Textual renders it for a terminal, and played on a
small terminal of cells (text and colours) kept beside the app.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from sqlalchemy import Engine
from textual._compositor import CompositorUpdate
from textual.worker import WorkerState

from coptui.app import CoptApp
from coptui.widgets.weekgrid import WeekGrid
from tests.ui.test_planner import TODAY, make_app, planner, title, until

MONDAY = TODAY - timedelta(days=TODAY.weekday())
SIZE = (120, 40)  # the planner's in these tests
BUSY = (WorkerState.PENDING, WorkerState.RUNNING)
# A move, a colour, another escape, text.
TOKEN = re.compile(
    r"\x1b\[(\d+);(\d+)H|(\x1b\[[0-9;]*m)|\x1b\[[0-9;?]*[A-Za-z]|([^\x1b\r\n]+)|[\r\n]"
)


class Terminal:
    """The cells a terminal would show after what the app wrote: each its text and colours."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells: dict[int, list[tuple[str, str]]] = {}
        self.written: list[int] = []  # every row written to, in order, since the last clear
        self.sent = 0  # characters written since the last clear

    def play(self, data: str) -> None:
        self.sent += len(data)
        row = col = 0
        style = ""
        for match in TOKEN.finditer(data):
            if match.group(1):
                row, col = int(match.group(1)) - 1, int(match.group(2)) - 1
                self.written.append(row)
            elif match.group(3):
                style = "" if match.group(3) == "\x1b[0m" else style + match.group(3)
            elif match.group(4):
                line = self.cells.setdefault(row, [(" ", "")] * self.width)
                for char in match.group(4):
                    if col < self.width:
                        line[col] = (char, style)
                    col += cell_len(char)

    def lines(self) -> list[list[tuple[str, str]]]:
        return [list(self.cells.get(y, [])) for y in range(self.height)]

    def text(self) -> list[str]:
        return ["".join(char for char, _ in line).rstrip() for line in self.lines()]

    def clear(self) -> None:
        self.written, self.sent = [], 0


def watch(app: CoptApp, size: tuple[int, int] = SIZE) -> Terminal:
    """A terminal that receives every frame the app renders (a test runs headless)."""
    terminal = Terminal(*size)
    real = app._display

    def display(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate) and not app._batch_count:
            terminal.play(renderable.render_segments(app.console))
        real(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    return terminal


def screen_lines(app: CoptApp) -> list[Any]:
    """What the app's screen holds now, line by line (text and style)."""
    return list(app.screen._compositor.render_strips())


def as_drawn(app: CoptApp) -> list[list[tuple[str, str]]]:
    """The app's screen now, drawn whole on a fresh terminal."""
    fresh = Terminal(*app.size)
    for y, line in enumerate(screen_lines(app)):
        fresh.play(f"\x1b[{y + 1};1H" + line.render(app.console))
    return fresh.lines()


async def settled(pilot: Any, app: CoptApp) -> None:
    """Every worker done and every message handled."""
    for _ in range(3):
        await until(pilot, lambda: not any(w.state in BUSY for w in app.workers))
        await pilot.pause()


def _read_ahead(screen: Any) -> bool:
    return all(
        screen.ahead.get(first, "week", screen.resource) is not None
        for first in (MONDAY + timedelta(days=7), MONDAY - timedelta(days=7))
    )


async def test_a_week_switch_sends_each_changed_line_once_and_no_other(
    engine: Engine, tmp_path: Path
) -> None:
    app = make_app(engine, tmp_path)
    terminal = watch(app)
    async with planner(app, SIZE) as (pilot, screen):
        await until(pilot, lambda: _read_ahead(screen))
        app.clear_notifications()
        await settled(pilot, app)
        before = screen_lines(app)
        terminal.clear()
        loads = screen.loads
        await pilot.press("w")
        await until(pilot, lambda: screen.loads > loads)
        await settled(pilot, app)
        assert "30.11 – 06.12.2026" in title(screen)
        after = screen_lines(app)
        changed = [y for y, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
        # The header, the grid's row of days, the rows with events in either week, the cursor's
        # line under the grid: a few lines out of 40, each sent once (the follow-up reads of
        # the switch redraw nothing that is already there).
        assert 0 < len(changed) < 15
        assert sorted(terminal.written) == changed, (terminal.written, changed)
        assert terminal.lines() == as_drawn(app)


async def test_a_line_drawn_by_a_whole_screen_repaint_and_drawn_back_reaches_the_terminal(
    engine: Engine, tmp_path: Path
) -> None:
    """A whole screen drawn (as when a modal closes, or the theme changes) shows the grid as it
    is then, though the grid never sent those lines itself: when the grid goes back to what it
    last sent, those lines must be sent again, not taken for unchanged."""
    app = make_app(engine, tmp_path)
    terminal = watch(app)
    async with planner(app, SIZE) as (pilot, screen):
        app.clear_notifications()
        await settled(pilot, app)
        grid = screen.query_one(WeekGrid)
        grid.cursor_day, grid.cursor_slot = 0, 0
        await settled(pilot, app)
        shown = terminal.lines()
        assert shown == as_drawn(app)
        grid.action_move(0, 1)  # the cursor a half hour down…
        screen.refresh()  # …drawn by the whole screen in the same frame
        await settled(pilot, app)
        assert terminal.lines() != shown
        grid.action_move(0, -1)  # back where the grid last drew it itself
        await settled(pilot, app)
        assert terminal.lines() == as_drawn(app) == shown
