"""The scripting commands: list, book, agenda, cancel — output, exit codes, messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.cli.test_cli import run


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    environment = {"COPTUI_DATABASE_URL": database_url}
    assert run("demo", "--no-open", "--today", "22.11.2026", env=environment).returncode == 0
    return environment


def test_list_json_has_ids_and_names(env: dict[str, str]) -> None:
    for what in ("rooms", "staff", "volunteers", "cases", "programmes"):
        result = run("list", what, "--format", "json", env=env)
        assert result.returncode == 0, result.stderr
        items = json.loads(result.stdout)
        assert items and all({"id", "name"} <= set(item) for item in items)
    cases = json.loads(run("list", "cases", "--format", "json", env=env).stdout)
    assert cases[0]["name"].startswith("ЦОП-")


def test_book_agenda_cancel_and_refusals(env: dict[str, str]) -> None:
    booked = run(
        "book", "--title", "Родителска среща", "--start", "14.12.2026 17:00", "--end", "18:00",
        "--room", "групова зала", "--staff", "десислава колева", env=env,
    )  # fmt: skip
    assert booked.returncode == 0, booked.stderr
    event_id = int(booked.stdout.split()[2].rstrip(":"))
    clash = run(
        "book", "--title", "Друго", "--start", "14.12.2026 17:30", "--duration", "30",
        "--room", "Групова зала", env=env,
    )  # fmt: skip
    assert clash.returncode == 3
    assert "„Родителска среща“" in clash.stderr and "17:00–18:00" in clash.stderr
    assert len(clash.stderr.strip().splitlines()) == 1
    holiday = run(
        "book", "--title", "Х", "--start", "28.12.2026 10:00", "--duration", "30",
        "--room", "Групова зала", env=env,
    )  # fmt: skip
    assert holiday.returncode == 3 and "неработен" in holiday.stderr
    unknown = run(
        "book", "--title", "Х", "--start", "15.12.2026 10:00", "--duration", "30",
        "--room", "Зала на луната", env=env,
    )  # fmt: skip
    assert unknown.returncode == 2
    ambiguous = run(
        "book", "--title", "Х", "--start", "15.12.2026 10:00", "--duration", "30",
        "--room", "кабинет", env=env,
    )  # fmt: skip
    assert ambiguous.returncode == 2 and "Кабинет 1" in ambiguous.stderr
    agenda = run("agenda", "--room", "Групова зала", "--from", "14.12.2026", "--days", "1",
                 "--format", "json", env=env)  # fmt: skip
    events = json.loads(agenda.stdout)
    mine = [e for e in events if e["id"] == event_id]
    assert mine and mine[0]["start"] == "2026-12-14T17:00:00+02:00"
    assert {"id", "title", "start", "end", "room", "staff", "status"} <= set(mine[0])
    assert run("cancel", str(event_id), "--reason", "болест", env=env).returncode == 0
    again = run(
        "book", "--title", "Друго", "--start", "14.12.2026 17:30", "--duration", "30",
        "--room", "Групова зала", env=env,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    csv_out = run("agenda", "--from", "14.12.2026", "--days", "1", "--format", "csv", env=env)
    assert csv_out.stdout.startswith("id,title,start,end")
    assert run("cancel", "999999", "--reason", "x", env=env).returncode == 2


def test_series_from_the_command_line(env: dict[str, str]) -> None:
    result = run(
        "book", "--title", "Логопедична група", "--start", "14.12.2026 16:00", "--duration",
        "45", "--staff", "Росица Пенева", "--repeat", "weekly count 4", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "28.12.2026" in result.stdout  # a holiday, skipped and reported
    assert "3" in result.stdout.splitlines()[-1]
    bad = run(
        "book", "--title", "Х", "--start", "14.12.2026 16:00", "--duration", "45",
        "--staff", "Росица Пенева", "--repeat", "sometimes", env=env,
    )  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_agenda_into_a_pipe_closed_early_says_nothing(env: dict[str, str]) -> None:
    # As `coptui agenda | head -1` when head has gone: the reader closed before the first line.
    full = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("COPTUI_") or k == "COPTUI_AS_OWNER"
        },
        **env,
    }
    agenda = subprocess.Popen(
        [sys.executable, "-m", "coptui", "agenda", "--days", "14", "--from", "23.11.2026"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=full,
    )
    assert agenda.stdout is not None and agenda.stderr is not None
    agenda.stdout.close()  # long before the agenda is read from the database
    stderr = agenda.stderr.read().decode()
    assert agenda.wait(timeout=60) != 0
    assert stderr == ""
