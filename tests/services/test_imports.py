"""Bulk import from a spreadsheet's CSV: the preview, and all or nothing (or the good lines)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.errors import BadInputError
from coptui.services.csv_file import decode, match_columns, sniff_delimiter
from coptui.services.imports import WrongLinesError, import_file, preview_import
from coptui.services.setup import add_record, list_records

TODAY = date(2027, 3, 1)


@pytest.fixture
def centre(session: Session) -> int:
    record = add_record(
        session,
        centre_id=None,
        kind="centre",
        values={"name": "ЦОП „Надежда“", "town": "Ловеч", "capacity": "20"},
        today=TODAY,
    )
    add_record(
        session,
        centre_id=record.id,
        kind="staff",
        values={"name": "Мария Петрова", "profession": "psychologist"},
        today=TODAY,
    )
    return record.id


def count(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


STAFF_SEMICOLON = (
    "Име;Професия;Телефон;№\n"
    "Анна Иванова;психолог;0888 111 222;1\n"
    "Борис Георгиев;социален работник;;2\n"
    "\n"
    "Вера Димова;логопед;0877 000 000;3\n"
)


def test_a_bulgarian_spreadsheet_with_a_bom_and_semicolons(session: Session, centre: int) -> None:
    data = ("\ufeff" + STAFF_SEMICOLON).encode("utf-8")
    preview = preview_import(session, centre_id=centre, kind="staff", data=data, today=TODAY)
    assert preview.delimiter == ";" and preview.encoding == "UTF-8"
    assert preview.columns == {"Име": "name", "Професия": "profession", "Телефон": "phone"}
    assert preview.ignored == ("№",)
    assert [(line.line, line.name) for line in preview.new] == [
        (2, "Анна Иванова"),
        (3, "Борис Георгиев"),
        (5, "Вера Димова"),
    ]
    assert not preview.errors and not preview.duplicates
    assert count(session, "staff") == 1  # a preview writes nothing
    result = import_file(session, centre_id=centre, kind="staff", data=data, today=TODAY)
    assert result.added == 3
    staff = {r.name: r for r in list_records(session, centre_id=centre, kind="staff")}
    assert staff["Борис Георгиев"].values["profession"] == "social_worker"
    assert staff["Анна Иванова"].values["login"] == "aivanova"
    assert staff["Вера Димова"].values["role"] == "specialist"


def test_english_headers_and_commas_without_a_bom(session: Session, centre: int) -> None:
    data = (
        'name,kind,seats,area\n"Групова зала",group,15,"48,30"\nКабинет 1,office,3,12.5\n'
    ).encode()
    result = import_file(session, centre_id=centre, kind="rooms", data=data, today=TODAY)
    assert result.preview.delimiter == "," and result.added == 2
    rooms = {r.name: r for r in list_records(session, centre_id=centre, kind="room")}
    assert rooms["Групова зала"].values["area"] == "48,30"
    assert rooms["Кабинет 1"].values["kind"] == "office"


def test_a_windows_1251_file_is_read_too() -> None:
    assert decode("Име;Професия\n".encode("cp1251")) == ("Име;Професия\n", "Windows-1251")
    assert sniff_delimiter("a,b;c;d") == ";"
    assert sniff_delimiter("name") == ","


def test_a_wrong_line_stops_everything(session: Session, centre: int) -> None:
    data = (
        "Име;Професия\n"
        "Анна Иванова;психолог\n"
        "Борис Георгиев;астронавт\n"
        ";педагог\n"
        "Вера Димова;логопед;излишна\n"
    ).encode()
    before = count(session, "staff"), count(session, "audit_log")
    with pytest.raises(WrongLinesError) as refused:
        import_file(session, centre_id=centre, kind="staff", data=data, today=TODAY)
    errors = refused.value.preview.errors
    assert [(e.line, e.field) for e in errors] == [(3, "Професия"), (4, "Име"), (5, "")]
    assert "астронавт" in errors[0].message
    assert isinstance(refused.value, BadInputError)
    assert (count(session, "staff"), count(session, "audit_log")) == before


def test_skip_bad_adds_the_good_lines(session: Session, centre: int) -> None:
    data = "Име;Професия\nАнна Иванова;психолог\nБорис Георгиев;астронавт\n".encode()
    result = import_file(
        session, centre_id=centre, kind="staff", data=data, today=TODAY, skip_bad=True
    )
    assert result.added == 1 and result.preview.bad_lines == 1
    names = [r.name for r in list_records(session, centre_id=centre, kind="staff")]
    assert names == ["Анна Иванова", "Мария Петрова"]


def test_duplicates_in_the_centre_and_in_the_file_are_left_out(
    session: Session, centre: int
) -> None:
    data = (
        "name;skills\nМария Петрова;\nИван Колев;рисуване, музика\nиван колев;театър\n"
    ).encode()
    preview = preview_import(session, centre_id=centre, kind="volunteers", data=data, today=TODAY)
    assert [line.name for line in preview.new] == ["Мария Петрова", "Иван Колев"]
    assert [(d.line, d.same_as_line) for d in preview.duplicates] == [(4, 3)]
    import_file(session, centre_id=centre, kind="volunteers", data=data, today=TODAY)
    again = preview_import(session, centre_id=centre, kind="volunteers", data=data, today=TODAY)
    assert again.new == () and [d.same_as_line for d in again.duplicates] == [None] * 3


def test_cases_with_a_key_worker_and_a_start(session: Session, centre: int) -> None:
    data = (
        "код;дете;услуга;водещ специалист;от\n"
        "ЦОП-2027-001;Д.;общодостъпна;Мария Петрова;01.03.2027\n"
        "ЦОП-2027-002;Е.;general;Никой Никоев;\n"
    ).encode()
    with pytest.raises(WrongLinesError) as refused:
        import_file(session, centre_id=centre, kind="cases", data=data, today=TODAY)
    assert [(e.line, e.field) for e in refused.value.preview.errors] == [(3, "Водещ специалист")]
    result = import_file(
        session, centre_id=centre, kind="cases", data=data, today=TODAY, skip_bad=True
    )
    assert result.added == 1
    (case,) = list_records(session, centre_id=centre, kind="case")
    assert case.active and case.values["key_worker"] == "Мария Петрова"


def test_a_file_without_a_required_column_is_refused() -> None:
    with pytest.raises(BadInputError, match="Професия"):
        match_columns("staff", ["Име", "Телефон"])
    with pytest.raises(BadInputError, match="name"):
        match_columns("staff", ["Име", "name", "Професия"])


def test_control_characters_in_a_cell_are_a_wrong_line(session: Session, centre: int) -> None:
    data = "name;kind\nЗала\x1b[2J;group\n".encode()
    preview = preview_import(session, centre_id=centre, kind="rooms", data=data, today=TODAY)
    assert [(e.line, e.field) for e in preview.errors] == [(2, "Име")]


def test_specialised_cases_need_their_referral_and_contract_in_the_preview(
    session: Session, centre: int
) -> None:
    data = (
        "code;service;referral;referral_number;referral_date;contract_number;"
        "contract_start;contract_end;from\n"
        "S-1;specialised;;;;;;;\n"
        "S-2;specialised;озд;;;;;;01.03.2027\n"
        "S-3;specialised;дсп;Н-1;01.02.2027;Д-1;01.04.2027;30.09.2027;01.03.2027\n"
        "S-4;specialised;дсп;Н-2;01.02.2027;Д-2;01.03.2027;30.09.2027;01.03.2027\n"
        "G-1;general;;;;;;;01.03.2027\n"
    ).encode()
    preview = preview_import(session, centre_id=centre, kind="cases", data=data, today=TODAY)
    assert [(e.line, e.field) for e in preview.errors] == [
        (2, "Насочване"),
        (3, "Услуга от"),
        (4, "Услуга от"),
    ]
    assert "Номер на направлението" in preview.errors[1].message
    assert "01.04.2027" in preview.errors[2].message
    result = import_file(
        session, centre_id=centre, kind="cases", data=data, today=TODAY, skip_bad=True
    )
    assert result.added == 2
    found = {r.name: r for r in list_records(session, centre_id=centre, kind="case")}
    assert found["S-4"].detail.startswith("активен") and found["G-1"].active
