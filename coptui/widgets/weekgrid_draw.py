"""How the week grid draws itself: the days, events and holidays it holds, as lines of text.

The rows run over the centre's hours, widened to whole hours around any event shown that
starts earlier or ends later, so every event counted is drawn. Text is drawn as segments,
never read as markup. :class:`~coptui.widgets.weekgrid.WeekGrid` adds the cursor, the keys
and the data coming in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from coptui.i18n import N_, _
from coptui.widgets.changed_lines import ChangedLines

GUTTER = 6
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
MAX_LANES = 3

# Colours by event kind; with NO_COLOR Textual drops them and the reverse/bold/strike remain.
KIND_COLOURS = {
    "individual": "#2d4f6c",
    "group": "#3f6130",
    "programme_session": "#6b4a1f",
    "meeting": "#4b3a63",
    "mobile_work": "#1f5b5b",
    "block": "#585858",  # busy time: muted, holds the slot but is no work of the centre
}
BASE = Style(color="#d0d0d0", bgcolor="#1c1c1c")
GRID = Style(color="#4e4e4e", bgcolor="#1c1c1c")
HEADER = Style(color="#e4e4e4", bgcolor="#303030", bold=True)
TODAY_HEADER = Style(color="#1c1c1c", bgcolor="#d7af5f", bold=True)
HOLIDAY = Style(color="#8a8a8a", bgcolor="#3a3a3a", italic=True)
GUTTER_STYLE = Style(color="#8a8a8a", bgcolor="#1c1c1c")
CURSOR = Style(reverse=True, bold=True)
NOW_LINE = Style(color="#d7af5f", bgcolor="#1c1c1c")


@dataclass(frozen=True)
class Day:
    """One column: its date, and the holiday or closure that shades it."""

    day: date
    closed: str | None = None


@dataclass(frozen=True)
class Block:
    """An event as the grid draws it (local times)."""

    id: int
    title: str
    kind: str
    start: datetime
    end: datetime
    status: str
    room: str | None
    people: str
    series_id: int | None = None
    volunteers: str = ""  # who holds a volunteer place
    open_places: str = ""  # «2 open places for volunteers», drawn under the room


def _fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


class WeekDrawing(ChangedLines):
    """The drawing half of the week grid: its rows, columns and lines (``WeekGrid`` adds the rest).

    Drawn line by line (Textual's line API) rather than a cell widget per day and slot: a
    keypress costs one layout of a few dozen strips, not of 84 widgets; and only the lines
    that changed go to the terminal (a week switch leaves most empty half hours as they were).
    """

    cursor_day: reactive[int] = reactive(0)
    cursor_slot: reactive[int] = reactive(0)

    days: list[Day]
    today: date | None
    blocks: list[Block]
    slot_minutes: int
    first_minute: int
    last_minute: int
    top: int  # first slot shown
    _lines: list[Strip]
    _lanes: dict[int, tuple[int, int]]  # block id -> (lane, lanes that day)
    _day_lanes: dict[int, int]  # column -> lanes

    @property
    def minutes(self) -> int:
        """How many minutes the rows cover."""
        return self.last_minute - self.first_minute

    @property
    def slots(self) -> int:
        """How many rows the day has at the current slot size."""
        return max(-(-self.minutes // self.slot_minutes), 1)

    def slot_time(self, slot: int) -> time:
        """The time a slot starts."""
        minutes = min(self.first_minute + slot * self.slot_minutes, 1439)
        return time(minutes // 60, minutes % 60)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.slots + 1

    def _column_width(self) -> int:
        return max((self.size.width - GUTTER) // max(len(self.days), 1), 1)

    def _rebuild(self) -> None:
        self._lines = []
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if not self._lines:
            self._lines = self._draw()
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, BASE)

    def _draw(self) -> list[Strip]:
        width = self.size.width
        if not self.days or width <= GUTTER:
            return []
        column = self._column_width()
        lines = [self._header(column, width)]
        visible = max(self.size.height - 1, 0)
        cells = self._cells(column)
        last = min(self.top + visible, self.slots) - 1
        self._mark_hidden(cells, column, last)
        for slot in range(self.top, last + 1):
            at = self.slot_time(slot)
            label = f"{at:%H:%M} " if at.minute == 0 else f"  :{at:%M} "
            segments = [Segment(label.rjust(GUTTER), GUTTER_STYLE)]
            for day in range(len(self.days)):
                parts = cells[(day, slot)]
                if (day, slot) == (self.cursor_day, self.cursor_slot):
                    mark = CURSOR if self.has_focus else Style(underline=True)
                    # An empty slot turns light, an event turns inside out; both without colour.
                    parts = [
                        (text, (BASE if style is GRID else style) + mark) for text, style in parts
                    ]
                segments.extend(Segment(text, style) for text, style in parts)
            used = GUTTER + column * len(self.days)
            if used < width:
                segments.append(Segment(" " * (width - used), BASE))
            # Neighbours of one style become one segment: fewer escape codes per frame.
            lines.append(Strip(Segment.simplify(segments), width))
        return lines

    def _mark_hidden(
        self, cells: dict[tuple[int, int], list[tuple[str, Style]]], column: int, last: int
    ) -> None:
        """An event above or below the rows in view is named at that edge, with its time."""
        if self.top == 0 and last >= self.slots - 1:
            return
        index = {shown.day: n for n, shown in enumerate(self.days)}
        above: dict[int, Block] = {}
        below: dict[int, Block] = {}
        for block in self.blocks:
            day = index.get(block.start.date())
            if day is None or block.status == "cancelled":
                continue
            first_slot, last_slot = self._slot_span(block)
            if last_slot < self.top and (day not in above or block.start > above[day].start):
                above[day] = block
            if first_slot > last and (day not in below or block.start < below[day].start):
                below[day] = block
        for edges, slot, arrow in ((above, self.top, "↑"), (below, last, "↓")):
            for day, block in edges.items():
                style = Style(color="#ffffff", bgcolor=KIND_COLOURS.get(block.kind, "#444444"))
                text = f"{arrow}{block.start:%H:%M} {block.title}"
                cells[(day, slot)] = [(_fit(text, column), style)]

    def _slot_span(self, block: Block) -> tuple[int, int]:
        """The first and last row a block covers (may lie outside the rows shown)."""
        start_min = block.start.hour * 60 + block.start.minute - self.first_minute
        end_min = block.end.hour * 60 + block.end.minute - self.first_minute
        if block.end.date() != block.start.date():
            end_min = self.slots * self.slot_minutes
        first_slot = max(start_min // self.slot_minutes, 0)
        last_slot = min((max(end_min, start_min + 1) - 1) // self.slot_minutes, self.slots - 1)
        return first_slot, last_slot

    def _header(self, column: int, width: int) -> Strip:
        segments = [Segment(" " * GUTTER, HEADER)]
        for shown in self.days:
            label = f"{_(WEEKDAYS[shown.day.weekday()])} {shown.day:%d.%m}"
            style = TODAY_HEADER if shown.day == self.today else HEADER
            segments.append(Segment(_fit(" " + label, column), style))
        used = GUTTER + column * len(self.days)
        if used < width:
            segments.append(Segment(" " * (width - used), HEADER))
        return Strip(Segment.simplify(segments), width)

    def _cells(self, column: int) -> dict[tuple[int, int], list[tuple[str, Style]]]:
        """Every slot's pieces of text and style, holidays and events drawn in."""
        cells: dict[tuple[int, int], list[tuple[str, Style]]] = {}
        index = {shown.day: n for n, shown in enumerate(self.days)}
        for n, shown in enumerate(self.days):
            for slot in range(self.slots):
                text = "·" + " " * (column - 1) if column > 1 else "·"
                cells[(n, slot)] = [(_fit(text, column), GRID)]
            if shown.closed:
                words = _fit(" " + shown.closed, column * self.slots)
                for slot in range(self.slots):
                    piece = words[slot * column : (slot + 1) * column] if slot < 3 else ""
                    cells[(n, slot)] = [(_fit(piece, column), HOLIDAY)]
        # Lane pieces of one slot are joined left to right after all blocks are placed.
        pieces: dict[tuple[int, int], dict[int, tuple[str, Style]]] = {}
        for block in self.blocks:
            day = index.get(block.start.date())
            if day is None:
                continue
            lane, lanes = self._lanes.get(block.id, (0, 1))
            if lane >= MAX_LANES:
                continue
            lane_width = _lane_width(column, lane, lanes)
            first_slot, last_slot = self._slot_span(block)
            if first_slot > self.slots - 1 or last_slot < 0:
                continue
            style = Style(color="#ffffff", bgcolor=KIND_COLOURS.get(block.kind, "#444444"))
            if block.status == "cancelled":
                style = Style(color="#8a8a8a", bgcolor="#262626", strike=True)
            elif block.status == "held":
                style += Style(dim=True)
            # The row already says when it starts; narrow columns keep their width for words.
            head = f"{block.start:%H:%M} {block.title}" if lane_width >= 16 else block.title
            texts = [head, block.room or ""]
            if block.open_places and block.status == "planned":
                texts.append(block.open_places)
            texts.append(block.people)
            for k, slot in enumerate(range(first_slot, last_slot + 1)):
                text = texts[k] if k < len(texts) else ""
                if k == 0 and last_slot == first_slot and lane_width >= 16 and block.room:
                    text = f"{text} · {block.room}"
                pieces.setdefault((day, slot), {})[lane] = (
                    _fit(" " + text if text else "", lane_width),
                    style,
                )
        for (day, slot), lanes_here in pieces.items():
            lanes = self._day_lanes.get(day, 1)
            parts = []
            for lane in range(lanes):
                width = _lane_width(column, lane, lanes)
                parts.append(lanes_here.get(lane, (_fit("", width), BASE)))
            cells[(day, slot)] = parts
        return cells


def _lane_width(column: int, lane: int, lanes: int) -> int:
    """Lanes share a day's column; the last takes what division leaves over."""
    share = column // lanes
    return share if lane < lanes - 1 else column - share * (lanes - 1)
