"""The monthly report as one CSV file: every row starts with its table's English name.

Each table gives a header row, its rows and, when it adds up, a total row (second cell «Общо» /
«Total»). Counts and minutes are plain numbers a spreadsheet adds up; hours are also given as
hours with two decimals next to the minutes, and rates as fractions (0.583).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from coptui.domain.text import csv_cell
from coptui.export.report_tables import MINUTES, RATE, Cell, Column, Table, tables
from coptui.i18n import _

if TYPE_CHECKING:
    from coptui.services.report_rows import MonthReport


def _cells(row: tuple[Cell, ...], columns: tuple[Column, ...]) -> list[str]:
    out: list[str] = []
    for value, column in zip(row, columns, strict=True):
        if value is None:
            out.append("")
        elif column.kind == RATE and isinstance(value, float):
            out.append(f"{value:.3f}")
        else:
            out.append(csv_cell(value))
        if column.kind == MINUTES:
            out.append(f"{int(value or 0) / 60:.2f}")
    return out


def _heads(table: Table) -> list[str]:
    out: list[str] = []
    for column in table.columns:
        if column.kind == MINUTES:
            out += [
                csv_cell(_("{what} (minutes)").format(what=column.title)),
                csv_cell(column.title),
            ]
        else:
            out.append(csv_cell(column.title))
    return out


def render_csv(report: MonthReport) -> str:
    """The whole report as CSV text (every cell through ``csv_cell``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["report", csv_cell(_("Month")), f"{report.month:02d}.{report.year}"])
    writer.writerow(["report", csv_cell(_("Centre")), csv_cell(report.centre)])
    writer.writerow(["report", csv_cell(_("State on")), f"{report.as_of:%d.%m.%Y}"])
    for table in tables(report):
        writer.writerow([table.key, *_heads(table)])
        for row in table.rows:
            writer.writerow([table.key, *_cells(row, table.columns)])
        if table.total:
            writer.writerow([table.key, *_cells(table.total, table.columns)])
    return buffer.getvalue()
