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
