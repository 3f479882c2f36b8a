"""The monthly report as plain text: one aligned table after another, for a terminal or a file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coptui.domain.text import clean
from coptui.export.report_tables import TEXT, Table, month_subtitle, month_title, shown, tables

if TYPE_CHECKING:
    from coptui.services.report_rows import MonthReport


def _table_lines(table: Table) -> list[str]:
    lines = [table.title, "─" * len(table.title)]
    if not table.rows:
        return [*lines, table.empty or "—", ""]
    body = [*table.rows, *([table.total] if table.total else [])]
    cells = [
        [clean(shown(v, c.kind)) for v, c in zip(row, table.columns, strict=True)] for row in body
    ]
    heads = [clean(c.title) for c in table.columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(heads)]

    def line(values: list[str]) -> str:
        parts = [
            v.ljust(w) if c.kind == TEXT else v.rjust(w)
            for v, w, c in zip(values, widths, table.columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines.append(line(heads))
    lines += [line(r) for r in cells[: len(table.rows)]]
    if table.total:
        lines.append("  ".join("─" * w for w in widths))
        lines.append(line(cells[-1]))
    if table.note:
        lines.append(clean(table.note))
    return [*lines, ""]


def render_text(report: MonthReport) -> str:
    """The whole report as text lines (every stored text cleaned for a terminal)."""
    title = clean(month_title(report))
    lines = [title, "═" * len(title), clean(month_subtitle(report)), ""]
    for table in tables(report):
        lines += _table_lines(table)
    return "\n".join(lines).rstrip() + "\n"
