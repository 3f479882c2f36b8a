"""Typed text into field values: Bulgarian numbers, choices in both languages, dates, lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coptui.domain.field_values import format_value, login_from_name, parse_value, parse_values
from coptui.domain.fields import FIELDS, KINDS, TYPES, field
from coptui.errors import BadInputError
from coptui.i18n import set_language

TODAY = date(2027, 3, 1)


def parse(kind: str, name: str, text: str) -> object:
    return parse_value(field(kind, name), text, today=TODAY)


def test_every_kind_has_its_fields_and_a_name_first() -> None:
    assert set(FIELDS) == set(KINDS)
    for kind, specs in FIELDS.items():
        assert specs[0].required, kind
        names = [s.name for s in specs]
        assert len(names) == len(set(names)), kind
        for spec in specs:
            assert spec.type in TYPES
            assert (spec.type == "choice") == bool(spec.choices), spec.name
            if spec.default:
                parse_value(spec, spec.default, today=TODAY)


@pytest.mark.parametrize(
    ("text", "value"),
    [("48,30", Decimal("48.30")), ("48.3", Decimal("48.30")), (" 1 048,5 ", Decimal("1048.50"))],
)
def test_decimals_in_bulgarian_style(text: str, value: Decimal) -> None:
    assert parse("room", "area", text) == value


def test_decimals_are_formatted_as_people_write_them() -> None:
    spec = field("room", "area")
    assert format_value(spec, Decimal("48.3")) == "48,30"
    set_language("en")
    assert format_value(spec, Decimal("48.3")) == "48.30"


@pytest.mark.parametrize("text", ["много", "1,2,3", "0", "-5", "12x"])
def test_bad_numbers_name_the_field(text: str) -> None:
    with pytest.raises(BadInputError, match=r"Площ|Места"):
        parse("room", "area" if "," in text else "seats", text)


def test_numbers_have_bounds() -> None:
    assert parse("room", "seats", "15") == 15
    assert parse("programme", "volunteers_per_session", "0") == 0
    with pytest.raises(BadInputError, match="1989"):
        parse("case", "birth_year", "1989")


@pytest.mark.parametrize(
    ("kind", "name", "text", "value"),
    [
        ("room", "kind", "group", "group_room"),
        ("room", "kind", "Групова зала", "group_room"),
        ("room", "kind", "GROUP_ROOM", "group_room"),
        ("room", "kind", "кабинет", "office"),
        ("staff", "profession", "psychologist", "psychologist"),
        ("staff", "profession", "Психолог", "psychologist"),
        ("staff", "profession", "social worker", "social_worker"),
        ("staff", "profession", "социален работник", "social_worker"),
        ("staff", "profession", "логопед", "speech_therapist"),
        ("case", "service", "general", "general_access"),
        ("case", "service", "общодостъпна", "general_access"),
        ("case", "service", "Специализирана", "specialised"),
        ("case", "referral", "ОЗД", "ozd"),
        ("case", "referral", "самонасочване", "self"),
        ("programme", "kind", "art", "art_studio"),
        ("programme", "kind", "Арт ателие", "art_studio"),
        ("programme", "kind", "еко", "eco_holiday"),
        ("closure", "kind", "работен ден", "working_day"),
    ],
)
def test_choices_in_both_languages(kind: str, name: str, text: str, value: str) -> None:
    assert parse(kind, name, text) == value
    assert parse_value(field(kind, name), value, today=TODAY) == value


def test_choices_by_their_translated_label() -> None:
    set_language("en")
    assert parse("room", "kind", "off-site") == "off_site"
    with pytest.raises(BadInputError, match="group room"):
        parse("room", "kind", "space")


def test_dates_as_typed() -> None:
    assert parse("case", "from", "01.03.2027") == date(2027, 3, 1)
    assert parse("case", "from", "1.3") == date(2027, 3, 1)
    assert parse("case", "from", "утре") == date(2027, 3, 2)
    assert format_value(field("case", "from"), date(2027, 3, 1)) == "01.03.2027"
    with pytest.raises(BadInputError, match="Услуга от"):
        parse("case", "from", "31.02.2027")


def test_lists_split_on_commas_and_semicolons() -> None:
    assert parse("volunteer", "skills", "рисуване,музика") == ("рисуване", "музика")
    assert parse("volunteer", "skills", " рисуване ; Музика, музика,, ") == ("рисуване", "Музика")
    assert parse("volunteer", "skills", "") == ()
    assert format_value(field("volunteer", "skills"), ("рисуване", "музика")) == (
        "рисуване, музика"
    )


def test_empty_is_none_and_names_stay_text() -> None:
    assert parse("room", "seats", "  ") is None
    assert parse("room", "notes", "") is None
    assert parse("programme", "lead", " Мария ") == "Мария"


@pytest.mark.parametrize("text", ["Зала\x1b[31m", "Зала\nВтора", "a\x00b", "a\u2028b", "a\x85b"])
def test_control_characters_are_refused(text: str) -> None:
    with pytest.raises(BadInputError, match="Име"):
        parse("room", "name", text)


def test_notes_keep_their_lines_but_no_controls() -> None:
    assert parse("room", "notes", "ред 1\r\nред 2") == "ред 1\nред 2"
    with pytest.raises(BadInputError):
        parse("room", "notes", "ред\x1b")


def test_dates_in_order() -> None:
    _, errors = parse_values(
        "case", {"contract_start": "01.03.2027", "contract_end": "28.02.2027"}, today=TODAY
    )
    assert set(errors) == {"contract_end"} and "01.03.2027" in errors["contract_end"]


def test_logins_from_names() -> None:
    assert login_from_name("Мария Петрова") == "mpetrova"
    assert login_from_name("Щерю Жеков Юруков") == "syurukov"
    assert login_from_name("Ана") == "ana"
    assert login_from_name("„“") == "staff"
    assert login_from_name("1 Иванов") == "u1ivanov"


@given(st.integers(min_value=1, max_value=10000))
def test_whole_numbers_round_trip(value: int) -> None:
    spec = field("room", "seats")
    assert parse_value(spec, format_value(spec, value), today=TODAY) == value


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999"), places=2))
def test_decimals_round_trip(value: Decimal) -> None:
    spec = field("room", "area")
    assert parse_value(spec, format_value(spec, value), today=TODAY) == value


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_round_trip(value: date) -> None:
    spec = field("closure", "day")
    assert parse_value(spec, format_value(spec, value), today=TODAY) == value
