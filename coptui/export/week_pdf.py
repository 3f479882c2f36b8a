"""The printed week as an A4 landscape PDF: days across, hours down, events as boxes.

One page per week. The header names the centre, whose week and its dates; holidays and
closures are shaded and named; the footer says when it was printed and the page. Every text
is shortened to fit its box (never drawn past it), and a character the embedded font lacks
is printed as «?».
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from coptui.export.week_layout import (
    Piece,
    day_name,
    folded_words,
    hours,
    pieces,
    printed_words,
    shown_days,
    week_words,
    where_who,
    whose,
)
from coptui.i18n import _
from coptui.services.printed_week import PrintedDay, PrintedWeek

if TYPE_CHECKING:
    from fpdf import FPDF

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 10.0
HOURS_W = 11.0  # the column of hours
HEAD_H = 12.0  # the row of day names
GRID_TOP = 27.0
FOOTER_Y = PAGE_H - 8.0
PAD = 0.8
PT = 0.3528  # millimetres per point
ELLIPSIS = "…"

INK = (30, 30, 30)
GREY = (110, 110, 110)
LINE = (190, 190, 190)
HALF_LINE = (225, 225, 225)
WEEKEND = (244, 244, 244)
HOLIDAY = (251, 228, 228)
HOLIDAY_INK = (150, 30, 30)
# Light fills by kind of event, dark enough to tell apart on a grey printer too.
FILLS = {
    "individual": (219, 234, 254),
    "group": (220, 242, 220),
    "programme_session": (254, 240, 200),
    "meeting": (236, 228, 248),
    "mobile_work": (214, 240, 240),
    "block": (242, 242, 242),  # busy time: muted, paler than any work of the centre
}
DEFAULT_FILL = (232, 232, 232)


def week_pdf(week: PrintedWeek, *, day_start: time, day_end: time, printed: datetime) -> bytes:
    """The week as the bytes of a one-page PDF.

    Args:
        week: what to print (``services.printed_week.read_printed_week``).
        day_start, day_end: the centre's hours; the grid widens to show every event.
        printed: when it is printed (the footer says it).
    """
    from coptui.export.pdf import document

    by_day = pieces(week)
    days = shown_days(week, by_day)
    first, last = hours(by_day, day_start, day_end)
    title = f"{whose(week)} · {week_words(week)}"
    pdf = document(landscape=True, title=title)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    page = _Page(pdf)
    _header(page, week)
    col_w = (PAGE_W - 2 * MARGIN - HOURS_W) / len(days)
    body_top = GRID_TOP + HEAD_H
    body_h = FOOTER_Y - 3 - body_top
    per_minute = body_h / (last - first)
    for n, day in enumerate(days):
        x = MARGIN + HOURS_W + n * col_w
        _day_column(page, day, x, col_w, body_top, body_h)
    _hour_lines(page, first, last, body_top, per_minute, col_w * len(days))
    for n, day in enumerate(days):
        x = MARGIN + HOURS_W + n * col_w
        for piece, lane, lanes in _lanes(by_day[day.day]):
            width = col_w / lanes
            top = body_top + (max(piece.start_minute, first) - first) * per_minute
            bottom = body_top + (min(piece.end_minute, last) - first) * per_minute
            _event_box(
                page, piece, where_who(piece, week), (x + lane * width, top, width, bottom - top)
            )
    _footer(page, printed, folded=len(days) == 5)
    return bytes(pdf.output())


class _Page:
    """The document and what drawing on it needs: text the font can show, text that fits."""

    def __init__(self, pdf: FPDF) -> None:
        from coptui.export.pdf import FAMILY

        self.pdf = pdf
        self.family = FAMILY
        pdf.set_font(FAMILY, size=10)
        font = pdf.current_font
        # The code points the embedded font has (a TTF font always knows them).
        self._glyphs: dict[int, int] = getattr(font, "cmap", {})

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def printable(self, text: str) -> str:
        """``text`` with every character the font has no glyph for as «?» (an invisible
        format character, such as a right-to-left mark, is left out)."""
        glyphs = self._glyphs
        if all(ord(c) in glyphs or c == " " for c in text):
            return text
        return "".join(
            c if ord(c) in glyphs or c == " " else "" if unicodedata.category(c) == "Cf" else "?"
            for c in text
        )

    def fit(self, text: str, width: float) -> str:
        """``text``, shortened with «…» so it is no wider than ``width``."""
        text = self.printable(text)
        measure = self.pdf.get_string_width
        if measure(text) <= width:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest prefix that fits with the ellipsis
            middle = (low + high + 1) // 2
            if measure(text[:middle].rstrip() + ELLIPSIS) <= width:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + ELLIPSIS if low else ""

    def wrap(self, text: str, width: float, most: int) -> list[str]:
        """``text`` in at most ``most`` lines no wider than ``width``; the last one shortened."""
        text = self.printable(text)
        measure = self.pdf.get_string_width
        lines: list[str] = []
        rest = text.split()
        while rest and len(lines) < most:
            line = ""
            while rest:
                word = rest[0]
                candidate = f"{line} {word}" if line else word
                if measure(candidate) <= width:
                    line = candidate
                    rest.pop(0)
                elif not line:  # one word wider than the box: hyphenate where it stops fitting
                    cut = 0
                    while cut < len(word) - 1 and measure(word[: cut + 1] + "-") <= width:
                        cut += 1
                    if cut:
                        line, rest[0] = word[:cut] + "-", word[cut:]
                    else:  # a box too narrow for a letter and a hyphen
                        line = self.fit(word, width)
                        rest.pop(0)
                    break
                else:
                    break
            lines.append(line)
        if rest and lines:
            lines[-1] = self.fit(" ".join([lines[-1], *rest]), width)
        return lines

    def text(self, x: float, y: float, text: str) -> None:
        """Write ``text`` with its baseline at ``y``."""
        self.pdf.text(x, y, text)


def _header(page: _Page, week: PrintedWeek) -> None:
    pdf = page.pdf
    width = PAGE_W - 2 * MARGIN
    pdf.set_text_color(*INK)
    page.font(15, bold=True)
    right = week_words(week)
    right_w = pdf.get_string_width(right)
    page.text(MARGIN, MARGIN + 5, page.fit(whose(week), width - right_w - 8))
    page.text(PAGE_W - MARGIN - right_w, MARGIN + 5, right)
    page.font(10)
    pdf.set_text_color(*GREY)
    page.text(MARGIN, MARGIN + 11.5, page.fit(week.centre, width))


def _day_column(
    page: _Page, day: PrintedDay, x: float, width: float, top: float, height: float
) -> None:
    pdf = page.pdf
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*LINE)
    fill = HOLIDAY if day.holiday else WEEKEND if not day.working else None
    if fill:
        pdf.set_fill_color(*fill)
        pdf.rect(x, GRID_TOP, width, HEAD_H + height, style="F")
    pdf.rect(x, GRID_TOP, width, HEAD_H + height)
    pdf.line(x, top, x + width, top)
    pdf.set_text_color(*INK)
    page.font(10, bold=True)
    page.text(x + 1.5, GRID_TOP + 4.5, page.fit(day_name(day.day), width - 3))
    page.font(9)
    page.text(x + 1.5, GRID_TOP + 8.5, f"{day.day:%d.%m.%Y}")
    if day.holiday:
        pdf.set_text_color(*HOLIDAY_INK)
        page.font(7.5, bold=True)
        page.text(x + 1.5, GRID_TOP + 11.3, page.fit(day.holiday, width - 3))


def _hour_lines(
    page: _Page, first: int, last: int, top: float, per_minute: float, width: float
) -> None:
    pdf = page.pdf
    left = MARGIN + HOURS_W
    page.font(7.5)
    pdf.set_text_color(*GREY)
    for minute in range(first, last + 1, 30):
        y = top + (minute - first) * per_minute
        whole = minute % 60 == 0
        pdf.set_draw_color(*(LINE if whole else HALF_LINE))
        pdf.set_line_width(0.2 if whole else 0.1)
        pdf.line(left, y, left + width, y)
        if whole and minute < last:
            page.text(MARGIN, y + 2.8, f"{minute // 60:02d}:00")
    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.2)
    pdf.rect(left, GRID_TOP, width, top - GRID_TOP + (last - first) * per_minute)


def _lanes(day_pieces: Sequence[Piece]) -> list[tuple[Piece, int, int]]:
    """Each piece with its lane and how many lanes its group of overlapping pieces needs."""
    placed: list[tuple[Piece, int, int]] = []
    group: list[tuple[Piece, int]] = []
    group_end = -1
    ends: list[int] = []  # the end of the last piece in each lane of the group

    def close() -> None:
        placed.extend((piece, lane, len(ends)) for piece, lane in group)

    for piece in day_pieces:
        if piece.start_minute >= group_end and group:
            close()
            group, ends = [], []
        lane = next((n for n, end in enumerate(ends) if end <= piece.start_minute), len(ends))
        if lane == len(ends):
            ends.append(piece.end_minute)
        else:
            ends[lane] = piece.end_minute
        group.append((piece, lane))
        group_end = max(group_end, piece.end_minute) if group_end >= 0 else piece.end_minute
    if group:
        close()
    return placed


def _event_box(
    page: _Page, piece: Piece, meta: str, box: tuple[float, float, float, float]
) -> None:
    pdf = page.pdf
    x, y, width, height = box
    x, width = x + 0.4, width - 0.8  # a gap between boxes side by side
    y, height = y + 0.25, max(height - 0.5, 0.6)
    pdf.set_fill_color(*FILLS.get(piece.event.kind, DEFAULT_FILL))
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, width, height, style="DF")
    inner_w = width - 2 * PAD
    if inner_w < 2:
        return
    size = 8.0 if inner_w >= 40 else 7.0  # a day of its own on a five-day page reads larger
    line_h = size * PT * 1.2
    room_for = int((height - 2 * PAD) // line_h)
    if room_for < 1:  # a short event: one smaller line, or none at all
        size = max((height - 2 * PAD) / (PT * 1.2), 4.0)
        line_h = size * PT * 1.2
        room_for = 1 if line_h <= height else 0
    if room_for < 1:
        return
    lines: list[tuple[str, bool]] = []
    title = piece.event.title
    # A last guard: nothing is drawn past the box. fpdf2's clip alone restores the PDF's
    # font and colours at its end but not what fpdf2 believes them to be: the next box then
    # skipped setting the same font and its text came out in another font's glyphs. The
    # local context restores both.
    with pdf.local_context(), pdf.rect_clip(x, y, width, height):
        page.font(size, bold=True)
        if room_for == 1:
            # Its time, when the line has room for it; else the title, as the ruler shows the time.
            line = f"{piece.times} {title}"
            if pdf.get_string_width(page.printable(line)) > inner_w:
                line = title
            lines.append((page.fit(line, inner_w), True))
        else:
            page.font(size)
            times = (
                piece.times if pdf.get_string_width(piece.times) <= inner_w else piece.start_text
            )
            lines.append((page.fit(times, inner_w), False))
            page.font(size, bold=True)
            meta_lines = 1 if meta and room_for >= 3 else 0
            title_most = room_for - 1 - meta_lines
            title_lines = page.wrap(title, inner_w, title_most)
            lines.extend((line, True) for line in title_lines)
            page.font(size)
            meta_most = room_for - 1 - len(title_lines)
            lines.extend((line, False) for line in page.wrap(meta, inner_w, meta_most))
        pdf.set_text_color(*INK)
        for n, (line, bold) in enumerate(lines):
            page.font(size, bold=bold)
            page.text(x + PAD, y + PAD + (n + 1) * line_h - 0.25 * line_h, line)


def _footer(page: _Page, printed: datetime, *, folded: bool) -> None:
    pdf = page.pdf
    page.font(8)
    pdf.set_text_color(*GREY)
    left = printed_words(printed) + " · coptui"
    if folded:
        left += " · " + folded_words()
    page.text(MARGIN, PAGE_H - 5, page.fit(left, PAGE_W - 2 * MARGIN - 30))
    # One week is one page, always.
    number = _("Page {page} of {pages}").format(page=pdf.page_no(), pages=1)
    page.text(PAGE_W - MARGIN - pdf.get_string_width(number), PAGE_H - 5, number)
