"""The week as one widget: days across, the centre's hours down, events as blocks.

Data in (:meth:`WeekGrid.show`), a cursor moved by keys and the mouse, messages out. How it
draws is in :mod:`coptui.widgets.weekgrid_draw`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from coptui.domain.text import clean
from coptui.i18n import N_, translate_bindings
from coptui.widgets.weekgrid_draw import (
    GUTTER,
    MAX_LANES,
    WEEKDAYS,
    Block,
    Day,
    WeekDrawing,
    _minutes,
)

__all__ = ["GUTTER", "MAX_LANES", "WEEKDAYS", "Block", "Day", "WeekGrid"]


class WeekGrid(WeekDrawing, can_focus=True):
    """Days × time slots with a cursor; events as blocks with time, title, room and people."""

    DEFAULT_CSS = """
    WeekGrid { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1, 0)", N_("Previous day"), show=False),
        Binding("right,l", "move(1, 0)", N_("Next day"), show=False),
        Binding("up,k", "move(0, -1)", N_("Earlier"), show=False),
        Binding("down,j", "move(0, 1)", N_("Later"), show=False),
        Binding("home", "move(0, -99)", N_("First hour"), show=False),
        Binding("end", "move(0, 99)", N_("Last hour"), show=False),
        Binding("right_square_bracket", "next_overlap", N_("Next event at this time"), show=False),
    ]

    class CursorMoved(Message):
        """The cursor is on another day or time."""

    class Activated(Message):
        """Enter or a double click on an event (or an empty slot, with ``event_id`` None)."""

        def __init__(self, event_id: int | None) -> None:
            super().__init__()
            self.event_id = event_id

    def __init__(self, *, day_start: time, day_end: time, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        translate_bindings(self)
        self.day_start = day_start
        self.day_end = day_end
        # The rows shown, in minutes from midnight: the centre's hours, widened for events.
        self.first_minute = _minutes(day_start)
        self.last_minute = max(_minutes(day_end), self.first_minute + 30)
        self.days = []
        self.today = None
        self.blocks = []
        self.slot_minutes = 30
        self.top = 0
        self.selected_id: int | None = None  # among overlapping events, the one chosen
        self._lines = []
        self._lanes = {}
        self._day_lanes = {}

    # -- data -------------------------------------------------------------------------------

    def show(self, days: list[Day], blocks: list[Block], today: date) -> None:
        """Show these days and events; the cursor stays at the same day column and time."""
        at = self.slot_time(self.cursor_slot)
        self.days = [replace(d, closed=clean(d.closed)) if d.closed else d for d in days]
        self.blocks = [
            replace(
                b,
                title=clean(b.title),
                room=clean(b.room) if b.room else b.room,
                people=clean(b.people),
                volunteers=clean(b.volunteers),
                open_places=clean(b.open_places),
            )
            for b in blocks
        ]
        self.today = today
        self._place_lanes()
        self._widen_hours()
        self.cursor_day = min(self.cursor_day, max(len(days) - 1, 0))
        self.cursor_slot = self._slot_of(at)
        self._rebuild()

    def _widen_hours(self) -> None:
        """The centre's hours, widened to whole hours around the events of the days shown."""
        first = _minutes(self.day_start)
        last = max(_minutes(self.day_end), first + 30)
        shown = {d.day for d in self.days}
        for block in self.blocks:
            if block.start.date() not in shown:
                continue
            start = _minutes(block.start.time())
            end = _minutes(block.end.time()) if block.end.date() == block.start.date() else 1440
            first = min(first, start // 60 * 60)
            last = max(last, -(-max(end, start + 1) // 60) * 60)
        self.first_minute, self.last_minute = first, min(last, 1440)

    def _slot_of(self, at: time) -> int:
        minutes = _minutes(at) - self.first_minute
        return max(0, min(minutes // self.slot_minutes, self.slots - 1))

    def _place_lanes(self) -> None:
        self._lanes = {}
        self._day_lanes = {}
        by_day: dict[date, list[Block]] = {}
        for block in self.blocks:
            by_day.setdefault(block.start.date(), []).append(block)
        for blocks in by_day.values():
            ends: list[datetime] = []
            placed: list[tuple[Block, int]] = []
            for block in sorted(blocks, key=lambda b: (b.start, b.end, b.id)):
                lane = next((i for i, end in enumerate(ends) if end <= block.start), len(ends))
                if lane == len(ends):
                    ends.append(block.end)
                else:
                    ends[lane] = block.end
                placed.append((block, lane))
            lanes = min(len(ends), MAX_LANES)
            for block, lane in placed:
                self._lanes[block.id] = (lane, lanes)
            column = next(
                (n for n, shown in enumerate(self.days) if shown.day == blocks[0].start.date()),
                None,
            )
            if column is not None:
                self._day_lanes[column] = lanes

    def cursor_start(self) -> datetime | None:
        """The local date and time under the cursor."""
        if not self.days:
            return None
        return datetime.combine(self.days[self.cursor_day].day, self.slot_time(self.cursor_slot))

    def block_at(self, day: int, slot: int) -> Block | None:
        """The event covering a slot of a day (the first lane's, if several)."""
        if not 0 <= day < len(self.days):
            return None
        start = datetime.combine(self.days[day].day, self.slot_time(slot))
        end = start + timedelta(minutes=self.slot_minutes)
        found = [
            b
            for b in self.blocks
            if b.start.replace(tzinfo=None) < end and start < b.end.replace(tzinfo=None)
        ]
        found.sort(key=lambda b: (b.status == "cancelled", self._lanes.get(b.id, (0, 1))[0]))
        for block in found:
            if block.id == self.selected_id:
                return block
        return found[0] if found else None

    def overlapping(self) -> list[Block]:
        """Every event at the cursor's slot, first lane first."""
        if not self.days:
            return []
        start = datetime.combine(self.days[self.cursor_day].day, self.slot_time(self.cursor_slot))
        end = start + timedelta(minutes=self.slot_minutes)
        found = [
            b
            for b in self.blocks
            if b.start.replace(tzinfo=None) < end and start < b.end.replace(tzinfo=None)
        ]
        return sorted(found, key=lambda b: self._lanes.get(b.id, (0, 1))[0])

    def action_next_overlap(self) -> None:
        """Choose the next of several events at the same time (a centre's week has them)."""
        found = self.overlapping()
        if len(found) < 2:
            return
        ids = [b.id for b in found]
        current = self.current()
        at = ids.index(current.id) if current is not None and current.id in ids else -1
        self.selected_id = ids[(at + 1) % len(ids)]
        self._cursor_changed()

    def current(self) -> Block | None:
        """The event under the cursor."""
        return self.block_at(self.cursor_day, self.cursor_slot)

    def select_event(self, event_id: int) -> None:
        """Put the cursor on an event's first slot."""
        self.selected_id = event_id
        for block in self.blocks:
            if block.id == event_id:
                for n, day in enumerate(self.days):
                    if day.day == block.start.date():
                        self.cursor_day = n
                        self.cursor_slot = self._slot_of(block.start.time())
                return

    def go_to(self, day: date, at: time | None = None) -> None:
        """Put the cursor on a day (and time) shown."""
        for n, shown in enumerate(self.days):
            if shown.day == day:
                self.cursor_day = n
        if at is not None:
            self.cursor_slot = self._slot_of(at)

    # -- keys and mouse ---------------------------------------------------------------------

    def action_move(self, days: int, slots: int) -> None:
        """Move the cursor by days and slots, staying on the grid."""
        if not self.days:
            return
        self.cursor_day = max(0, min(self.cursor_day + days, len(self.days) - 1))
        self.cursor_slot = max(0, min(self.cursor_slot + slots, self.slots - 1))

    def key_enter(self) -> None:
        block = self.current()
        self.post_message(self.Activated(block.id if block else None))

    def on_click(self, event: events.Click) -> None:
        if not self.days or event.y == 0 or event.x < GUTTER:
            return
        width = self._column_width()
        day = min((event.x - GUTTER) // max(width, 1), len(self.days) - 1)
        slot = min(self.top + event.y - 1, self.slots - 1)
        self.cursor_day, self.cursor_slot = day, slot
        if event.chain >= 2:
            block = self.current()
            self.post_message(self.Activated(block.id if block else None))

    def watch_cursor_day(self) -> None:
        self._cursor_changed()

    def watch_cursor_slot(self) -> None:
        self._cursor_changed()

    def _cursor_changed(self) -> None:
        visible = max(self.size.height - 1, 1)
        if self.cursor_slot < self.top:
            self.top = self.cursor_slot
        elif self.cursor_slot >= self.top + visible:
            self.top = self.cursor_slot - visible + 1
        self._rebuild()
        self.post_message(self.CursorMoved())

    def set_slot_minutes(self, minutes: int) -> None:
        """Rows of 15 or 30 minutes; the cursor stays at the same time of day."""
        if minutes == self.slot_minutes:
            return
        at = self.slot_time(self.cursor_slot)
        self.slot_minutes = minutes
        if self.days:
            self.go_to(self.days[self.cursor_day].day, at)
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        self.top = max(0, min(self.top, self.slots - max(event.size.height - 1, 1)))
        self._cursor_changed()
