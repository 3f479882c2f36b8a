"""`coptui list … --format json` gives scripts each case's state as fields, not only words."""

from __future__ import annotations

import json

import pytest

from coptui.cli import main


def test_list_cases_json_has_each_status(demo_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "cases", "--format", "json"]) == 0
    cases = json.loads(capsys.readouterr().out)
    assert cases
    for case in cases:
        assert case["status"] in {"waiting", "active", "closed"}
        assert {"active_from", "ends_on", "days_left", "queue_position"} <= set(case)
        if case["status"] == "active":
            assert case["active_from"] is not None


def test_a_case_that_starts_later_says_when(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["add", "case", "ЦОП-2099-777", "--service", "general", "--from", "01.03.2099"])
    out = capsys.readouterr().out
    assert code == 0
    assert "от 01.03.2099 до 01.05.2099" in out


def test_agenda_names_each_events_cases_by_code_and_its_programme(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "cases", "--format", "json"]) == 0
    codes = {c["name"] for c in json.loads(capsys.readouterr().out)}
    args = ["agenda", "--from", "16.11.2026", "--days", "14", "--format", "json"]
    assert main(args) == 0
    events = json.loads(capsys.readouterr().out)
    assert any(e["programme"] for e in events)
    with_cases = [e for e in events if e["cases"]]
    assert with_cases
    assert all(set(e["cases"]) <= codes for e in with_cases)
    assert main([*args[:-1], "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[-2:] == ["cases", "programme"]
