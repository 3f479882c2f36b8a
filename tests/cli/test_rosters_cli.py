"""`coptui signup`, `coptui hours` and the roster columns of `agenda` on the demo centre
(issue 12: 2, 5)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from coptui.cli import main


def _agenda(capsys: pytest.CaptureFixture[str], day: str, days: int = 1) -> list[dict[str, Any]]:
    assert main(["agenda", "--from", day, "--days", str(days), "--format", "json"]) == 0
    records: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return records


def test_agenda_has_volunteers_and_open_places(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _agenda(capsys, "24.11.2026", 4)
    assert records and all({"volunteers", "open_places"} <= set(r) for r in records)
    stand = next(r for r in records if r["title"].startswith("Информационен щанд"))
    assert stand["open_places"] == 1 and len(stand["volunteers"]) == 1
    assert all(r["open_places"] == 0 and r["volunteers"] == [] for r in records if r["staff"] == [])
    assert main(["agenda", "--from", "24.11.2026", "--days", "1", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    row = next(r for r in rows if r["title"].startswith("Информационен щанд"))
    assert row["open_places"] == "1" and row["volunteers"] == stand["volunteers"][0]
    assert main(["agenda", "--from", "24.11.2026", "--days", "1"]) == 0
    text = capsys.readouterr().out
    assert "1 свободно място за доброволец" in text


def test_signup_takes_the_open_place_once(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _agenda(capsys, "24.11.2026", 1)
    stand = next(r for r in records if r["title"].startswith("Информационен щанд"))
    assert main(["list", "volunteers", "--format", "json"]) == 0
    everyone = [v["name"] for v in json.loads(capsys.readouterr().out)]
    name = next(n for n in everyone if n not in stand["volunteers"])
    assert main(["signup", str(stand["id"]), "--volunteer", name]) == 0
    out = capsys.readouterr().out
    assert f"{name} е записан(а)" in out and f"събитие {stand['id']}" in out
    other = next(n for n in everyone if n not in stand["volunteers"] and n != name)
    assert main(["signup", str(stand["id"]), "--volunteer", other]) == 3
    assert "няма свободно място" in capsys.readouterr().err
    after = next(r for r in _agenda(capsys, "24.11.2026", 1) if r["id"] == stand["id"])
    assert after["open_places"] == 0 and name in after["volunteers"]
    assert main(["signup", "999999", "--volunteer", other]) == 2


def test_signup_refuses_a_volunteer_elsewhere_naming_where(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _agenda(capsys, "27.11.2026", 1)
    eco = next(r for r in records if r["title"].startswith("Еко ваканция"))
    youth = next(r for r in records if r["title"].startswith("Младежка инициатива"))
    assert youth["open_places"] == 1
    busy = eco["volunteers"][0]
    assert main(["signup", str(youth["id"]), "--volunteer", busy]) == 3
    err = capsys.readouterr().err
    assert busy in err and "Еко ваканция" in err and len(err.strip().splitlines()) == 1


def test_hours_per_month_as_text_and_csv(demo_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hours", "--month", "11.2026"]) == 0
    text = capsys.readouterr().out
    assert "Часове от проведени занимания, 11.2026" in text
    assert "Специалист" in text and "Доброволец" in text
    assert main(["hours", "--month", "11.2026", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and set(rows[0]) == {"role", "name", "sessions", "minutes", "hours"}
    for row in rows:
        assert float(row["hours"]) == pytest.approx(int(row["minutes"]) / 60, abs=0.005)
    assert main(["hours", "--month", "01.2030"]) == 0
    assert "Няма проведени занимания" in capsys.readouterr().out
    assert main(["hours", "--month", "13.2026"]) == 2
    assert "ММ.ГГГГ" in capsys.readouterr().err
