"""`coptui attend`: marks by case code, the session held, exit codes 2 and 3."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from coptui import db
from tests.cli.test_cli import run


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    environment = {"COPTUI_DATABASE_URL": database_url}
    assert run("demo", "--no-open", "--today", "22.11.2026", env=environment).returncode == 0
    return environment


def query(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        found = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return found


def test_attend_marks_by_code_and_holds_the_session(env: dict[str, str]) -> None:
    url = env["COPTUI_DATABASE_URL"]
    # A past planned session with three children or more (the demo holds only days before 22.11).
    query(url, "UPDATE event SET status = 'planned' WHERE status = 'held'")
    event_id, codes = query(
        url,
        "SELECT e.id, array_agg(c.code ORDER BY c.code) FROM event e"
        " JOIN event_case ec ON ec.event_id = e.id JOIN case_file c ON c.id = ec.case_id"
        " WHERE upper(e.during) < now() GROUP BY e.id HAVING count(*) >= 3 ORDER BY e.id LIMIT 1",
    )[0]
    assert isinstance(codes, list)
    done = run(
        "attend", str(event_id), "--present", codes[0], "--absent", f"{codes[1]}:болен",
        "--excused", codes[2], env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"събитие {event_id} е записано" in done.stdout and "проведено" in done.stdout
    marks = dict(
        query(
            url,
            "SELECT c.code, ec.attendance || ':' || coalesce(ec.attendance_note, '')"
            " FROM event_case ec JOIN case_file c ON c.id = ec.case_id WHERE ec.event_id = :e",
            e=event_id,
        )
    )
    assert [marks[c] for c in codes[:3]] == ["present:", "absent:болен", "excused:"]
    assert query(url, "SELECT status FROM event WHERE id = :e", e=event_id) == [("held",)]
    stranger = run("attend", str(event_id), "--present", "НЯМА-ТАКЪВ", env=env)
    assert stranger.returncode == 2 and "НЯМА-ТАКЪВ" in stranger.stderr
    assert len(stranger.stderr.strip().splitlines()) == 1


def test_attend_refuses_a_future_or_cancelled_session(env: dict[str, str]) -> None:
    booked = run(
        "book", "--title", "Далечно", "--start", "14.12.2099 10:00", "--duration", "30",
        "--room", "Групова зала", env=env,
    )  # fmt: skip
    assert booked.returncode == 0, booked.stderr
    event_id = booked.stdout.split()[2].rstrip(":")
    url = env["COPTUI_DATABASE_URL"]
    code = query(url, "SELECT code FROM case_file ORDER BY code LIMIT 1")[0][0]
    future = run("attend", event_id, "--present", str(code), env=env)
    assert future.returncode == 3 and "от началото" in future.stderr
    assert run("cancel", event_id, "--reason", "няма деца", env=env).returncode == 0
    cancelled = run("attend", event_id, "--present", str(code), env=env)
    assert cancelled.returncode == 3 and "отменено" in cancelled.stderr
    assert run("attend", event_id, env=env).returncode == 2  # nobody named
