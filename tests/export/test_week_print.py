"""The printed week without a database: the PDF's words, the text's widths, hostile text."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from coptui.domain.timeutil import SOFIA
from coptui.export.week_layout import hours, pieces
from coptui.export.week_pdf import _lanes, _Page, week_pdf
from coptui.export.week_text import cells, fit, week_text, wrap
from coptui.services.calendar import EventRow
from coptui.services.printed_week import PrintedDay, PrintedWeek

MONDAY = date(2026, 12, 21)  # Christmas week: 24, 25 and 26 December are holidays
PRINTED = datetime(2026, 12, 18, 14, 5, tzinfo=SOFIA)
LONG = "Много дълго заглавие на занимание, " * 8 + "КРАЙ"
HOSTILE = "Зла\x1b[2Jтитла\r\nс\u202eобратен\x07текст 漢字漢字漢字 e\u0301"


def _event(
    n: int, title: str, day: int, start: str, end: str, *, kind: str = "group", room: str = "Зала"
) -> EventRow:
    def at(hhmm: str) -> datetime:
        hour, minute = (int(p) for p in hhmm.split(":"))
        return datetime(2026, 12, day, hour, minute, tzinfo=SOFIA)

    return EventRow(
        id=n,
        title=title,
        kind=kind,
        start=at(start),
        end=at(end),
        status="planned",
        room=room,
        staff=("Мария Петрова",),
        version=1,
    )


def _week(*events: EventRow, kind: str | None = "room", name: str = "Групова зала") -> PrintedWeek:
    holidays = {24: "Бъдни вечер", 25: "Рождество Христово", 26: "Рождество Христово"}
    days = tuple(
        PrintedDay(
            day=date(2026, 12, d),
            holiday=holidays.get(d),
            working=d not in holidays and d < 26,
        )
        for d in range(21, 28)
    )
    return PrintedWeek(
        centre="ЦОП „Слънце“, Ловеч",
        kind=kind,
        name=name,
        monday=MONDAY,
        days=days,
        events=events,
    )


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def _busy_week() -> PrintedWeek:
    return _week(
        _event(1, "Арт ателие", 21, "09:00", "10:30", kind="programme_session"),
        _event(2, "Логопедична терапия", 22, "10:00", "10:45", kind="individual"),
        _event(3, "Група за родители", 22, "10:15", "11:30"),
        _event(4, LONG, 23, "14:00", "15:00"),
        _event(5, HOSTILE, 23, "16:00", "16:30"),
        _event(6, "Ранна среща", 21, "07:15", "08:00", kind="meeting"),
    )


def test_the_pdf_names_the_days_dates_holidays_and_titles() -> None:
    text = _pdf_text(week_pdf(_busy_week(), day_start=time(8), day_end=time(18), printed=PRINTED))
    for word in ("Понеделник", "Вторник", "Сряда", "Четвъртък", "Петък"):
        assert word in text
    for day in range(21, 26):
        assert f"{day}.12.2026" in text
    assert "Бъдни вечер" in text and "Рождество Христово" in text
    assert "Зала: Групова зала" in text and "Седмица 21.12 – 27.12.2026" in text
    assert "ЦОП „Слънце“, Ловеч" in text
    assert "Арт ателие" in text and "Логопедична" in text and "Ранна среща" in text
    assert "Отпечатано на 18.12.2026 в 14:05" in text and "Стр. 1 от 1" in text
    # The weekend is empty: it is folded away, and the footer says so.
    assert "26.12.2026" not in text and "няма планирани дейности" in text
    # An event before the centre's day widens the hours instead of vanishing.
    assert "07:00" in text and "07:15" in text
    # The long title is shortened in its box, the hostile one printed without its controls.
    assert "КРАЙ" not in text and "…" in text
    assert "\x1b" not in text and "\x07" not in text


def test_short_events_after_another_box_print_in_their_own_words() -> None:
    # A half-hour box holds one line in a size of its own; after another box its text came
    # out in the glyphs of another font (fpdf2's clip restored the PDF's font, not fpdf2's).
    data = week_pdf(
        _week(
            _event(1, "Обикновено", 21, "10:00", "11:00"),
            _event(2, "Тест", 22, "10:00", "10:30"),
            *(_event(3 + n, f"Кампания {n}", 23, "12:00", "12:30") for n in range(5)),
        ),
        day_start=time(8),
        day_end=time(18),
        printed=PRINTED,
    )
    words = _pdf_text(data)
    assert "10:00–10:30 Тест" in words
    # Five side by side have no room for their time: each keeps the start of its title.
    assert words.count("Камп") == 5


def test_the_pdf_shows_a_weekend_that_has_events() -> None:
    week = _week(_event(1, "Еко събота", 26, "10:00", "12:00"))
    text = _pdf_text(week_pdf(week, day_start=time(8), day_end=time(18), printed=PRINTED))
    assert "Събота" in text and "Неделя" in text and "Еко събота" in text
    assert "няма планирани дейности" not in text


def test_the_pdf_in_english() -> None:
    from coptui.i18n import set_language

    set_language("en")
    text = _pdf_text(week_pdf(_busy_week(), day_start=time(8), day_end=time(18), printed=PRINTED))
    assert "Monday" in text and "Week 21.12 – 27.12.2026" in text and "Room: " in text


def _fills(data: bytes) -> set[str]:
    contents = PdfReader(io.BytesIO(data)).pages[0].get_contents()
    assert contents is not None
    lines = contents.get_data().decode("latin-1").splitlines()
    return {line for line in lines if line.endswith(" rg")}


def test_busy_time_is_printed_in_its_own_muted_grey() -> None:
    def printed(kind: str) -> set[str]:
        week = _week(_event(1, "Зъболекар", 21, "09:00", "10:00", kind=kind))
        return _fills(week_pdf(week, day_start=time(8), day_end=time(18), printed=PRINTED))

    grey = "0.949 0.949 0.949 rg"
    assert grey in printed("block")
    for kind in ("individual", "group", "programme_session", "meeting", "mobile_work"):
        assert grey not in printed(kind)


def test_overlapping_events_share_the_column_and_apart_ones_do_not() -> None:
    week = _week(
        _event(1, "А", 21, "09:00", "10:00"),
        _event(2, "Б", 21, "09:30", "11:00"),
        _event(3, "В", 21, "10:00", "10:30"),
        _event(4, "Г", 21, "12:00", "13:00"),
        kind=None,
    )
    placed = {p.event.title: (lane, lanes) for p, lane, lanes in _lanes(pieces(week)[MONDAY])}
    assert placed == {"А": (0, 2), "Б": (1, 2), "В": (0, 2), "Г": (0, 1)}


def test_an_event_across_midnight_is_cut_into_both_days() -> None:
    event = EventRow(
        id=1,
        title="Нощно бдение",
        kind="group",
        start=datetime(2026, 12, 22, 22, 0, tzinfo=SOFIA),
        end=datetime(2026, 12, 23, 1, 0, tzinfo=SOFIA),
        status="planned",
        room=None,
        staff=(),
        version=1,
    )
    by_day = pieces(_week(event))
    assert [(p.start_minute, p.end_minute) for p in by_day[date(2026, 12, 22)]] == [(1320, 1440)]
    assert [(p.start_minute, p.end_minute) for p in by_day[date(2026, 12, 23)]] == [(0, 60)]
    assert hours(by_day, time(8), time(18)) == (0, 1440)


@pytest.mark.parametrize("width", [80, 132])
def test_text_lines_fit_the_width(width: int) -> None:
    text = week_text(_busy_week(), width=width, printed=PRINTED)
    lines = text.splitlines()
    assert max(cells(line) for line in lines) <= width
    assert any(cells(line) > width - 20 for line in lines)  # it uses the width it has
    assert "Понеделник 21.12.2026" in text and "Четвъртък 24.12.2026 · Бъдни вечер" in text
    assert "Събота 26.12.2026" in text  # the list keeps every day
    assert "Арт ателие" in text and "КРАЙ" not in text and "…" in text
    assert "漢字" in text  # wide characters are kept, and counted as two cells
    assert all(c == "\n" or c.isprintable() for c in text)  # the bidi override too
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=120), st.integers(min_value=1, max_value=60))
@example("00\u1cd0", 1)  # a word one cell too wide whose last character is a mark (CI found it)
@example("a\u0301b\u0301c", 2)
def test_text_fit_and_wrap_never_pass_the_width(value: str, width: int) -> None:
    assert cells(fit(value, width)) <= width
    for line in wrap(value, width, 3):
        assert cells(line) <= width


_PAGE = _Page(__import__("coptui.export.pdf", fromlist=["document"]).document(landscape=True))


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("абвгд ежзий 漢WMШЩ„“–…\x1b"), max_size=80),
    st.floats(min_value=2, max_value=60),
)
def test_pdf_box_text_never_passes_the_box(value: str, width: float) -> None:
    page = _PAGE
    page.font(7, bold=True)
    assert page.pdf.get_string_width(page.fit(value, width)) <= width + 1e-6
    for line in page.wrap(value, width, 3):
        assert page.pdf.get_string_width(line) <= width + 1e-6


def test_printing_never_imports_textual() -> None:
    from tests.test_layers import _modules_after

    loaded = _modules_after(
        [
            "coptui.export.week_pdf",
            "coptui.export.week_text",
            "coptui.export.files",
            "coptui.services.printed_week",
            "coptui.commands.printing",
        ]
    )
    assert "coptui.export.week_layout" in loaded
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_the_header_names_the_town_once() -> None:
    from coptui.services.printed_week import _centre_line

    assert _centre_line("ЦОП „Слънце“ – Дряново", "Дряново") == "ЦОП „Слънце“ – Дряново"
    assert _centre_line("ЦОП „Слънце“", "Дряново") == "ЦОП „Слънце“, Дряново"
    assert _centre_line("ЦОП „Слънце“", None) == "ЦОП „Слънце“"


def test_an_invisible_format_character_is_left_out_not_printed_as_a_question_mark() -> None:
    page = _PAGE
    page.font(8)
    assert page.printable("Арт\u200f ателие\u200e") == "Арт ателие"
    assert page.printable("Арт \U0001f600") == "Арт ?"  # a glyph the font lacks still shows


def test_an_end_at_midnight_reads_24_00_in_text_and_pdf() -> None:
    event = EventRow(
        id=1,
        title="Нощно бдение",
        kind="group",
        start=datetime(2026, 12, 22, 22, 0, tzinfo=SOFIA),
        end=datetime(2026, 12, 23, 0, 0, tzinfo=SOFIA),
        status="planned",
        room=None,
        staff=(),
        version=1,
    )
    text = week_text(_week(event), width=132, printed=PRINTED)
    assert "22:00–24:00" in text and "00:00" not in text.replace("24:00", "")
    pdf = _pdf_text(week_pdf(_week(event), day_start=time(8), day_end=time(18), printed=PRINTED))
    assert "22:00–24:00" in pdf and "22:00–00:00" not in pdf
