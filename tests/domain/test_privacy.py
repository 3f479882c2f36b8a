"""Children's names and case codes found in typed text the way Bulgarian writes them."""

from __future__ import annotations

import pytest

from coptui.domain.privacy import Redactor, latin

NAMES = ["Мартин Петров", "семейство Петрови", "Ани", "Георгиев"]
CODES = ["ЦОП-2026-001"]


@pytest.mark.parametrize(
    "typed",
    [
        "Разговор с Мартин",  # a first name alone
        "Разговор с МАРТИН ПЕТРОВ",
        "майката Петрова се обади",  # a feminine form
        "Мартинчо е болен",  # a diminutive
        "Марто е на лагер",
        "Martin Petrov sick",  # in Latin letters
        "Георгиеви",
        "Анито",
        "ЦОП\u20112026\u2011001",  # a code with non-breaking hyphens
        "ЦОП 2026 001",
        "цоп-2026-001",
    ],
)
def test_a_name_or_code_in_any_form_is_found_and_blanked(typed: str) -> None:
    redactor = Redactor(NAMES, CODES)
    assert redactor.names_a_child(typed)
    blanked = redactor.blank(typed)
    assert "…" in blanked
    assert not redactor.names_a_child(blanked)


@pytest.mark.parametrize(
    "typed",
    [
        "Консултация със семейството",  # «семейство» in a name field names nobody
        "Арт ателие",
        "анимация за деца",  # «Ани» grows by three letters at most
        "Група за родители",
        "ЦОП-2026-0011",  # another code
    ],
)
def test_ordinary_words_stay(typed: str) -> None:
    redactor = Redactor(NAMES, CODES)
    assert not redactor.names_a_child(typed)
    assert redactor.blank(typed) == typed


def test_codes_are_left_when_not_asked_for() -> None:
    assert not Redactor(NAMES).names_a_child("Т-001 ЦОП-2026-001")


def test_transliteration_is_bulgarias_official_one() -> None:
    assert latin("жечо цвети щастлива юлия яна ъгъл") == "zhecho tsveti shtastliva yuliya yana agal"
