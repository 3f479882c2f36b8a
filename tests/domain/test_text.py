"""Text safety primitives: refuse control characters at input, neutralise them at output."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coptui.domain.text import (
    MAX_NAME,
    MAX_NOTES,
    check_line,
    check_notes,
    clean,
    clean_notes,
    clean_optional,
    csv_cell,
)
from coptui.errors import BadInputError, CoptError

# The classes of the rule: C0, DEL, C1, lone surrogates, the Unicode line breaks, and the
# bidirectional embeddings, overrides and isolates.
BIDI = "\u202a-\u202e\u2066-\u2069"
FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{BIDI}]")
FORBIDDEN_IN_NOTES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{BIDI}]")

HOSTILE = [
    "x\x1b]0;pwned\x07y",  # sets the window title
    "\x1b[2J",  # clears the screen
    "Арт\n10:00 Фалшив ред",  # forges an agenda line
    "C1 \x9b31m",  # CSI as one C1 byte
    "lone \ud800 surrogate",
    "tab\there",
    "cr\rhere",
    "nul\x00here",
    "del\x7fhere",
    "sep\u2028here",
    "nel\x85here",
    "Среща с \u202eкорем\u202c",  # shown backwards where a terminal reorders RTL text
    "изолирано \u2067x\u2069",
]

# Any code point at all, surrogates included: what a bad decoding can leave in a str.
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=60)
awkward = st.text(
    alphabet=st.sampled_from(list("=+-@\t\r\n \x1b\x9b\ud800\u2028\u202e\u2066\u200faя")),
    max_size=12,
)


@pytest.mark.parametrize("value", HOSTILE)
def test_check_line_refuses_every_control_character(value: str) -> None:
    with pytest.raises(BadInputError) as caught:
        check_line(value, "заглавието")
    assert caught.value.message.startswith("Заглавието")


def test_check_line_strips_and_limits() -> None:
    assert check_line("  Арт ателие  ", "заглавието") == "Арт ателие"
    assert check_line("д" * MAX_NAME, "заглавието") == "д" * MAX_NAME
    with pytest.raises(BadInputError, match="200"):
        check_line("д" * (MAX_NAME + 1), "заглавието")


def test_the_field_keeps_its_capitals() -> None:
    with pytest.raises(BadInputError) as caught:
        check_line("\x1b", "името на ЦОП")
    assert "Името на ЦОП" in caught.value.message


def test_check_notes_keeps_lines_and_refuses_controls() -> None:
    assert check_notes(" ред 1\r\nред 2\tкрай \n", "бележките") == "ред 1\nред 2    край"
    for value in ("\x1b[2J", "a\rb", "\x9b", "\ud800", "\x7f"):
        with pytest.raises(BadInputError):
            check_notes(value, "бележките")
    with pytest.raises(BadInputError, match=str(MAX_NOTES)):
        check_notes("д" * (MAX_NOTES + 1), "бележките")


@pytest.mark.parametrize("value", HOSTILE)
def test_clean_leaves_no_control_character(value: str) -> None:
    cleaned = clean(value)
    assert not FORBIDDEN.search(cleaned)
    assert "\ufffd" in cleaned


def test_clean_keeps_harmless_text() -> None:
    for value in ("Арт ателие", "Ели 🙂", "a\u00a0b", "„Кавички“ – тире", ""):
        assert clean(value) == value
    assert clean(12) == "12"
    assert clean_optional(None) is None
    assert clean_optional("\x1b") == "\ufffd"


def test_clean_notes_keeps_newlines_only() -> None:
    assert clean_notes("ред 1\r\nред 2\x1b[2J\tкрай") == "ред 1\nред 2\ufffd[2J\ufffdкрай"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "\ufffd=1"),
        ("Арт ателие", "Арт ателие"),
        (-5, "-5"),
        (Decimal("-1.50"), "-1.50"),
        (2.5, "2.5"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_an_error_message_is_cleaned_whoever_made_it() -> None:
    error = CoptError("Зала\x1b]0;pwned\x07 е заета\nот „\x9b2J“", title="\x1b[2J")
    assert error.message == "Зала\ufffd]0;pwned\ufffd е заета\nот „\ufffd2J“"
    assert str(error) == error.message
    assert error.title == "\ufffd[2J"


@given(any_text)
def test_clean_never_lets_a_control_character_through(value: str) -> None:
    cleaned = clean(value)
    assert not FORBIDDEN.search(cleaned)
    assert len(cleaned) == len(value)


@given(any_text)
def test_clean_notes_never_lets_a_control_character_through(value: str) -> None:
    assert not FORBIDDEN_IN_NOTES.search(clean_notes(value))


@given(st.one_of(any_text, awkward))
def test_a_csv_cell_never_starts_a_formula(value: str) -> None:
    cell = csv_cell(value)
    assert not cell.startswith(("=", "+", "-", "@"))
    assert not FORBIDDEN.search(cell)


@given(st.one_of(any_text, awkward))
def test_what_check_line_accepts_is_clean(value: str) -> None:
    try:
        checked = check_line(value, "заглавието")
    except BadInputError:
        assert FORBIDDEN.search(value) or len(value.strip()) > MAX_NAME
    else:
        assert clean(checked) == checked
