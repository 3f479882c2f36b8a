"""Success is printed only after COMMIT; a closed pipe after a commit is no failure; a second
cancellation is refused; durations across a clock change are elapsed time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from coptui import db
from coptui.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, main

FAIL_AT_COMMIT = """
CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT OR UPDATE ON event
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit();
"""


def execute(url: str, sql: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def event_row(url: str, event_id: int) -> tuple[object, ...]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT version, status, cancel_reason FROM event WHERE id = :e"),
            {"e": event_id},
        ).one()
    engine.dispose()
    return tuple(row)


def book(*extra: str) -> list[str]:
    return ["book", "--title", "Тест", "--room", "Групова зала", *extra]


def test_nothing_is_said_to_have_succeeded_when_commit_fails(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(book("--start", "15.12.2026 07:00", "--duration", "30")) == EXIT_OK
    booked = capsys.readouterr().out
    event_id = int(booked.split()[2].rstrip(":"))
    execute(demo_env, FAIL_AT_COMMIT)
    try:
        code = main(book("--start", "15.12.2026 07:30", "--duration", "30"))
        out = capsys.readouterr().out
        assert code != EXIT_OK and out == ""
        code = main(["cancel", str(event_id), "--reason", "болест"])
        out = capsys.readouterr().out
        assert code != EXIT_OK and out == ""
        series = main(book("--start", "16.12.2026 07:00", "--duration", "30", "--repeat",
                           "weekly count 2"))  # fmt: skip
        assert series != EXIT_OK and capsys.readouterr().out == ""
    finally:
        execute(demo_env, "DROP TRIGGER test_fail_at_commit ON event")
    assert event_row(demo_env, event_id)[1] != "cancelled"


def test_cancelling_twice_is_refused_in_one_line(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(book("--start", "15.12.2026 18:00", "--end", "19:00")) == EXIT_OK
    event_id = int(capsys.readouterr().out.split()[2].rstrip(":"))
    assert main(["cancel", str(event_id), "--reason", "болест"]) == EXIT_OK
    capsys.readouterr()
    before = event_row(demo_env, event_id)
    assert main(["cancel", str(event_id), "--reason", "друго"]) == EXIT_REFUSED
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1
    assert "вече е отменено" in captured.err
    assert event_row(demo_env, event_id) == before
    assert before[2] == "болест"


def test_a_closed_pipe_after_a_booking_is_no_failure(demo_env: str) -> None:
    # As `coptui book … | true`: the reader is gone before coptui writes a word.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("COPTUI_") or k == "COPTUI_AS_OWNER"
    }
    env["COPTUI_DATABASE_URL"] = demo_env
    process = subprocess.Popen(
        [sys.executable, "-m", "coptui", *book("--start", "17.12.2026 07:00", "--duration", "30")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_OK, stderr
    assert stderr == ""
    engine = db.make_engine(demo_env)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM event WHERE title = 'Тест' AND lower(during) = :s"),
            {"s": "2026-12-17 07:00+02"},
        ).scalar_one()
    engine.dispose()
    assert found == 1


def test_a_duration_across_the_autumn_change_is_elapsed_time(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = book("--start", "31.10.2027 02:30", "--duration", "120", "--on-holiday")
    assert main(args) == EXIT_OK, capsys.readouterr().err
    capsys.readouterr()
    assert main(["agenda", "--from", "31.10.2027", "--days", "1", "--format", "json"]) == 0
    (event,) = json.loads(capsys.readouterr().out)
    assert (event["start"], event["end"]) == (
        "2027-10-31T02:30:00+03:00",
        "2027-10-31T03:30:00+02:00",
    )


def test_a_start_in_the_spring_gap_is_bad_input(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = book("--start", "28.03.2027 03:30", "--duration", "30", "--on-holiday")
    assert main(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "не съществува" in err and len(err.splitlines()) == 1
    args = book("--start", "28.03.2027 02:00", "--end", "03:30", "--on-holiday")
    assert main(args) == EXIT_BAD_INPUT
    assert "не съществува" in capsys.readouterr().err


def test_a_holiday_refusal_names_the_option(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(book("--start", "28.12.2026 10:00", "--duration", "30")) == EXIT_REFUSED
    assert "--on-holiday" in capsys.readouterr().err
