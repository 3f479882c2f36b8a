"""The monthly report's text, CSV and PDF: the CSV adds up to the text's totals, no child's name."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.export.report_csv import render_csv
from coptui.export.report_pdf import render_pdf
from coptui.export.report_tables import COUNT, MINUTES, hours, tables
from coptui.export.report_text import render_text
from coptui.i18n import _
from coptui.services.report import month_report
from coptui.services.report_rows import MonthReport
from tests.report_data import CHILD_NAMES, FAMILY_NAMES, TODAY, build_month


@pytest.fixture
def report(session: Session) -> MonthReport:
    ids = build_month(session)
    centre = session.execute(
        text("SELECT centre_id FROM case_file WHERE id = :i"), {"i": ids["t3"]}
    ).scalar_one()
    return month_report(session, centre_id=centre, year=2026, month=11, today=TODAY)


def _csv_tables(data: str) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for row in csv.reader(io.StringIO(data)):
        found.setdefault(row[0], []).append(row[1:])
    return found


def _text_sections(data: str) -> dict[str, list[str]]:
    """The text report's tables by title: the lines under each title."""
    sections: dict[str, list[str]] = {}
    for block in data.split("\n\n"):
        lines = block.splitlines()
        if len(lines) > 1 and set(lines[1]) == {"─"}:
            sections[lines[0]] = lines[2:]
    return sections


def _token(value: str) -> str:
    return r"(?<![\d:,])" + re.escape(value) + r"(?![\d:,])"


def test_the_csv_rows_add_up_to_the_text_totals(report: MonthReport) -> None:
    by_key = _csv_tables(render_csv(report))
    sections = _text_sections(render_text(report))
    checked = 0
    for table in tables(report):
        if table.total is None:
            continue
        head, *body = by_key[table.key]
        rows, total = body[:-1], body[-1]
        assert total[0] == _("Total") and len(rows) == len(table.rows)
        # The CSV gives minutes and, next to them, hours: find each column's cell.
        positions, at = [], 0
        for column in table.columns:
            positions.append(at)
            at += 2 if column.kind == MINUTES else 1
        assert len(head) == at
        expected = []
        for column, i in zip(table.columns, positions, strict=True):
            if column.kind not in (COUNT, MINUTES):
                continue
            summed = sum(int(row[i] or 0) for row in rows)  # no seats: no limit
            assert summed == int(total[i]), (table.key, column.title)
            expected.append(hours(summed) if column.kind == MINUTES else str(summed))
            checked += 1
        total_line = sections[table.title][-2 if table.note else -1]
        assert total_line.startswith(_("Total")), total_line
        assert re.search(".*".join(_token(v) for v in expected), total_line), (total_line, expected)
    assert checked >= 20
    # The text shows the hand counts of tests/services/test_report.py.
    assert re.search(r"^Общо\s+12\s+6\s+1\s+3\s+1\s+1\s+58,3 %$", render_text(report), re.M)


def test_no_child_is_named_in_any_output(report: MonthReport) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render_pdf(report)))
    pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    outputs = {"text": render_text(report), "csv": render_csv(report), "pdf": pdf_text}
    for kind, output in outputs.items():
        for name in (*CHILD_NAMES, *FAMILY_NAMES):  # as a word: «Ели» is in «ателие»
            assert not re.search(rf"\b{name}\b", output, re.IGNORECASE), (kind, name)
        # What is there instead: codes, and the withheld reasons counted.
        assert "Т-001" in output and "Т-004" in output, kind
        assert "(не се показва: съдържа име на дете)" in output, kind
    assert "Месечен отчет за 11.2026" in pdf_text
    assert "Арт ателие" in pdf_text and "Анна Тестова" in pdf_text


def test_stored_text_is_neutralised(report: MonthReport) -> None:
    """A programme title that is a formula or carries escapes reaches no output raw."""
    from dataclasses import replace

    from coptui.services.report_rows import HoursLine

    bad = replace(report, staff_hours=(HoursLine("=HYPERLINK(1)\x1b[31m", 1, 60),))
    assert "\x1b" not in render_text(bad)
    assert "'=HYPERLINK(1)" in render_csv(bad) and "\x1b" not in render_csv(bad)


def test_english_output(report: MonthReport) -> None:
    from coptui.i18n import set_language

    set_language("en")
    try:
        shown = render_text(report)
    finally:
        set_language("bg")
    assert shown.startswith("Monthly report for 11.2026 — ЦОП „Тест“, Габрово")
    assert re.search(r"^Total\s+12\s+6\s+1\s+3\s+1\s+1\s+58\.3 %$", shown, re.M)


def _orphan_notes(report: MonthReport) -> list[str]:
    """The tables whose note is printed on another page than their title."""
    from pypdf import PdfReader

    pages = [
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render_pdf(report))).pages
    ]
    orphans = []
    for table in tables(report):
        if table.note and table.rows:  # an empty table prints a line, not its note
            note = " ".join(table.note.split()[:3])
            title_pages = [n for n, p in enumerate(pages) if table.title in p]
            note_pages = [n for n, p in enumerate(pages) if note in p]
            if title_pages[:1] != note_pages[:1]:
                orphans.append(table.title)
    return orphans


def test_the_demo_months_notes_stay_with_their_tables(session: Session) -> None:
    # Its programmes' names wrap in their cells: a table is taller than its rows.
    from coptui.services.demo import load_demo

    load_demo(session, today=date(2026, 11, 24))
    (centre,) = session.execute(text("SELECT id FROM centre")).scalars()
    demo = month_report(session, centre_id=centre, year=2026, month=11, today=date(2026, 11, 24))
    assert _orphan_notes(demo) == []


def test_a_tables_note_is_printed_on_the_page_of_its_table(report: MonthReport) -> None:
    """However long the tables before it, a note never starts a page alone."""
    from dataclasses import replace

    from coptui.services.report_rows import SessionLine

    orphans = []
    for extra in range(0, 56, 2):  # longer and longer session tables push the rest down
        padded = replace(
            report,
            sessions=report.sessions
            + tuple(
                SessionLine("group", f"Младежка инициатива „Гласът на младите“ {n}", 1, 0, 0)
                for n in range(extra)
            ),
        )
        orphans += [(extra, title) for title in _orphan_notes(padded)]
    assert orphans == []
