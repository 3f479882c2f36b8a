"""A volunteer's papers in date and the skill match, without a database (issue 12: 2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coptui.config import Settings, SettingsError
from coptui.domain.volunteering import (
    asked_skills,
    certificate_last_day,
    ends_soon,
    in_date,
    matching_skills,
    papers,
)

TODAY = date(2026, 11, 30)


def test_a_certificate_is_in_date_for_six_months() -> None:
    assert certificate_last_day(date(2026, 6, 1)) == date(2026, 11, 30)
    assert certificate_last_day(date(2026, 8, 31)) == date(2027, 2, 27)  # no 31 February
    agreement, certificate = papers(
        agreement_date=date(2026, 1, 1), agreement_ends=None, criminal_record_date=date(2026, 6, 1)
    )
    assert in_date(certificate, date(2026, 11, 30)) and not in_date(certificate, date(2026, 12, 1))
    assert in_date(agreement, date(2030, 1, 1))  # open-ended
    assert not in_date(agreement, date(2025, 12, 31))  # not signed yet


def test_missing_papers_are_never_in_date() -> None:
    agreement, certificate = papers(
        agreement_date=None, agreement_ends=None, criminal_record_date=None
    )
    assert agreement.missing and certificate.missing
    assert not in_date(agreement, TODAY) and not in_date(certificate, TODAY)
    assert not ends_soon(agreement, TODAY)


@pytest.mark.parametrize(
    ("days_left", "warned"), [(-1, False), (0, True), (29, True), (30, True), (31, False)]
)
def test_the_warning_starts_30_days_before_the_last_day(days_left: int, warned: bool) -> None:
    agreement, _certificate = papers(
        agreement_date=date(2026, 1, 1),
        agreement_ends=TODAY + timedelta(days=days_left),
        criminal_record_date=TODAY,
    )
    assert ends_soon(agreement, TODAY) is warned


def test_skills_match_by_stem_the_task_and_the_programme_kind() -> None:
    art = asked_skills("помощ при занимания", "art_studio")
    assert matching_skills(["Рисуване", "музика"], art) == ("Рисуване",)
    assert matching_skills(["приложно изкуство"], art) == ("приложно изкуство",)
    # «помощ» says nothing about a skill: first aid does not fit a general helper's place.
    assert matching_skills(["първа помощ"], asked_skills("помощ при занимания", None)) == ()
    assert matching_skills(["първа помощ"], asked_skills("", "eco_holiday")) == ("първа помощ",)
    assert matching_skills(["китара"], asked_skills("музика и китара", None)) == ("китара",)


def test_the_open_places_setting() -> None:
    assert Settings.from_env({}).open_places_warn_days == 3
    assert Settings.from_env({"COPTUI_OPEN_PLACES_WARN_DAYS": "7"}).open_places_warn_days == 7
    for bad in ("-1", "x", "61"):
        with pytest.raises(SettingsError):
            Settings.from_env({"COPTUI_OPEN_PLACES_WARN_DAYS": bad})
