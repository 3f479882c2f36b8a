"""The printed week as plain text for a printer of 80 or 132 columns: day by day, event by event.

No line is wider than the width asked for, counted in terminal cells (a wide character takes
two, a combining mark none), and every stored text is cleaned again on the way out.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from coptui.domain.text import clean
from coptui.export.week_layout import (
    day_name,
    pieces,
    printed_words,
    week_words,
    where_who,
    whose,
)
from coptui.services.printed_week import PrintedWeek

ELLIPSIS = "…"
INDENT = 15  # «  09:00–10:30  » — where an event's words start


def cell_width(char: str) -> int:
    """How many terminal cells ``char`` takes: 2 for a wide one, 0 for a combining mark."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """The width of ``text`` in terminal cells."""
    if text.isascii():
        return len(text)
    return sum(cell_width(c) for c in text)


def head(text: str, width: int) -> str:
    """The longest start of ``text`` within ``width`` cells (a mark stays with its letter)."""
    used = 0
    for end, char in enumerate(text):
        used += cell_width(char)
        if used > width:
            return text[:end]
    return text


def fit(text: str, width: int) -> str:
    """``text`` shortened with «…» to at most ``width`` cells."""
    if cells(text) <= width:
        return text
    return head(text, width - 1).rstrip() + ELLIPSIS if width >= 1 else ""


def wrap(text: str, width: int, most: int) -> list[str]:
    """``text`` in at most ``most`` lines of at most ``width`` cells; the last one shortened."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < most:
        line = ""
        while words:
            candidate = f"{line} {words[0]}" if line else words[0]
            if cells(candidate) <= width:
                line = candidate
                words.pop(0)
            elif not line:  # a word wider than the line: cut it
                start = head(words[0], width)
                if not start:  # not even its first character fits: skip it
                    line, words[0] = ELLIPSIS, words[0][1:]
                    if not words[0]:
                        words.pop(0)
                    break
                line, words[0] = start, words[0][len(start) :]
                break
            else:
                break
        lines.append(line)
    if words and lines:
        lines[-1] = fit(" ".join([lines[-1], *words]), width)
    return lines


def week_text(week: PrintedWeek, *, width: int, printed: datetime) -> str:
    """The week as lines of at most ``width`` cells (``\\n`` after each).

    Args:
        week: what to print (``services.printed_week.read_printed_week``).
        width: 80 or 132 (any width from 40 works).
        printed: when it is printed (the last line says it).
    """
    width = max(width, 40)
    out: list[str] = []
    left, right = clean(whose(week)), week_words(week)
    if cells(left) + 2 + cells(right) <= width:
        out.append(left + " " * (width - cells(left) - cells(right)) + right)
    else:
        out.extend([fit(left, width), fit(right, width)])
    if week.centre:
        out.append(fit(clean(week.centre), width))
    out.append("=" * width)
    by_day = pieces(week)
    text_w = width - INDENT
    for day in week.days:
        head = f"{day_name(day.day)} {day.day:%d.%m.%Y}"
        if day.holiday:
            head += f" · {clean(day.holiday)}"
        out.append(fit(head, width))
        if not by_day[day.day]:
            out.append("  —")
        for piece in by_day[day.day]:
            title, meta = clean(piece.event.title), clean(where_who(piece, week))
            lead = f"  {piece.times:<11}  "
            together = f"{title} · {meta}" if meta else title
            if cells(together) <= text_w:
                words = [together]
            else:
                words = wrap(title, text_w, 2) + (wrap(meta, text_w, 2) if meta else [])
            out.append(lead + words[0])
            out.extend(" " * INDENT + line for line in words[1:])
        out.append("")
    out.append("-" * width)
    out.append(fit(printed_words(printed) + " · coptui", width))
    return "".join(line.rstrip() + "\n" for line in out)
