"""The monthly report as an A4 PDF, set in the embedded font (``coptui.export.pdf``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from coptui.domain.text import clean
from coptui.export.pdf import FAMILY, document
from coptui.export.report_tables import TEXT, Table, month_subtitle, month_title, shown, tables

if TYPE_CHECKING:
    from fpdf import FPDF

    from coptui.services.report_rows import MonthReport


TEXT_WIDTH = 48  # mm of a column of words; a number's column is 27


def _table(pdf: FPDF, table: Table) -> None:
    from fpdf.fonts import FontFace

    # A table that fits on a page is kept whole with its title and its note: it starts a new
    # page when the rest of this one is too short. A longer one starts where it is.
    height = _height(pdf, table)
    if pdf.will_page_break(min(height, 30) if height > pdf.eph else height):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(text=clean(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FAMILY, "", 9)
    if not table.rows:
        pdf.cell(text=clean(table.empty or "—"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        return
    widths = tuple(TEXT_WIDTH if c.kind == TEXT else 27 for c in table.columns)
    align = tuple("LEFT" if c.kind == TEXT else "RIGHT" for c in table.columns)
    body = [*table.rows, *([table.total] if table.total else [])]
    with pdf.table(
        width=min(pdf.epw, sum(widths)),
        col_widths=widths,
        align="LEFT",
        text_align=align,
        line_height=5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(232, 236, 240)),
        borders_layout="SINGLE_TOP_LINE",
    ) as grid:
        head = grid.row()
        for column in table.columns:
            head.cell(clean(column.title))
        for n, row in enumerate(body):
            last = table.total is not None and n == len(body) - 1
            cells = grid.row(style=FontFace(emphasis="BOLD") if last else None)
            for value, column in zip(row, table.columns, strict=True):
                cells.cell(clean(shown(value, column.kind)))
    if table.note:
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(0, 4, clean(table.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _height(pdf: FPDF, table: Table) -> float:
    """About how tall ``table`` prints (mm): its title, rows (a long name wraps), its note."""
    pdf.set_font(FAMILY, "", 9)
    body = [*table.rows, *([table.total] if table.total else [])]
    lines = 1  # the header row
    for row in body:
        lines += max(
            (
                math.ceil(pdf.get_string_width(clean(shown(v, c.kind))) / (TEXT_WIDTH - 2)) or 1
                for v, c in zip(row, table.columns, strict=True)
                if c.kind == TEXT
            ),
            default=1,
        )
    pdf.set_font(FAMILY, "", 8)
    note = math.ceil(pdf.get_string_width(clean(table.note)) / pdf.epw) if table.note else 0
    return 9 + 5 * max(lines, 2) + 4 * note + 4


def render_pdf(report: MonthReport) -> bytes:
    """The whole report as the bytes of a PDF file."""
    title = clean(month_title(report))
    pdf = document(title=title)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.multi_cell(0, 5, clean(month_subtitle(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for table in tables(report):
        _table(pdf, table)
    return bytes(pdf.output())
