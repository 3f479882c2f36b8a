"""Setting up a centre from scripts: add, edit, deactivate and import, then book with them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.cli.test_cli import counts, run

EXAMPLES = [
    ("centre", "ЦОП „Надежда“", "--town", "Ловеч", "--capacity", "20"),
    ("room", "Групова зала", "--kind", "group", "--seats", "15", "--area", "48.30"),
    ("staff", "Мария Петрова", "--profession", "psychologist"),
    ("volunteer", "Иван Колев", "--skills", "рисуване,музика"),
    ("case", "ЦОП-2027-001", "--child", "Д.", "--service", "general", "--from", "01.03.2027"),
    (
        "programme",
        "Арт ателие",
        "--kind",
        "art",
        "--seats",
        "10",
        "--lead",
        "Мария Петрова",
        "--room",
        "Групова зала",
    ),
    ("closure", "31.12.2027", "--reason", "Инвентаризация"),
]


def set_up(env: dict[str, str]) -> None:
    for example in EXAMPLES:
        result = run("add", *example, env=env)
        assert result.returncode == 0, (example, result.stderr)
        assert result.stdout.count("\n") == 1 and not result.stderr


def book_with_them(env: dict[str, str]) -> None:
    booked = run(
        "book", "--title", "Арт ателие", "--start", "02.03.2027 10:00", "--duration", "90",
        "--kind", "group", "--room", "Групова зала", "--staff", "Мария Петрова",
        "--volunteer", "Иван Колев", "--case", "ЦОП-2027-001", env=env,
    )  # fmt: skip
    assert booked.returncode == 0, booked.stderr
    closed = run(
        "book", "--title", "Х", "--start", "31.12.2027 10:00", "--duration", "30",
        "--room", "Групова зала", env=env,
    )  # fmt: skip
    assert closed.returncode == 3 and "Инвентаризация" in closed.stderr


@pytest.mark.embedded
def test_the_issue_examples_on_a_fresh_home_then_a_booking() -> None:
    home = Path("/tmp") / f"cpt-setup-{os.getpid()}"  # short: the socket lives in it
    env = {"COPTUI_HOME": str(home)}
    try:
        set_up(env)
        book_with_them(env)
        cases = json.loads(run("list", "cases", "--format", "json", env=env).stdout)
        assert [c["name"] for c in cases] == ["ЦОП-2027-001"]
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"COPTUI_DATABASE_URL": database_url}


def test_the_examples_then_edit_and_deactivate(env: dict[str, str], database_url: str) -> None:
    first = run("add", "room", "Групова зала", "--kind", "group", env=env)
    assert first.returncode == 2 and "coptui add centre" in first.stderr
    set_up(env)
    book_with_them(env)
    assert counts(database_url)["event"] == 1
    duplicate = run("add", "staff", "мария петрова", "--profession", "pedagogue", env=env)
    assert duplicate.returncode == 3 and "Мария Петрова" in duplicate.stderr
    edited = run("edit", "room", "групова", "--seats", "16", "--area", "50", env=env)
    assert edited.returncode == 0 and "16" in edited.stdout
    same = run("edit", "room", "групова", "--seats", "16", env=env)
    assert same.returncode == 0 and "Без промяна" in same.stdout
    assert run("edit", "centre", "--capacity", "25", env=env).returncode == 0
    off = run("deactivate", "staff", "Мария", env=env)
    assert off.returncode == 0 and "Изведено" in off.stdout
    assert "Мария Петрова" in run("list", "staff", env=env).stdout  # history stays
    assert counts(database_url)["event"] == 1
    today = ("case", "ЦОП-2027-002", "--service", "general", "--from", "днес")
    assert run("add", *today, env=env).returncode == 0
    no_reason = run("deactivate", "case", "ЦОП-2027-002", env=env)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    closed = run("deactivate", "case", "ЦОП-2027-002", "--reason", "Приключил", env=env)
    assert closed.returncode == 0, closed.stderr
    assert run("deactivate", "centre", env=env).returncode == 3
    assert run("deactivate", "closure", "31.12.2027", env=env).returncode == 0


def test_closing_a_case_says_what_became_of_its_later_sessions(
    env: dict[str, str], database_url: str
) -> None:
    from datetime import timedelta

    from coptui.domain.timeutil import today

    set_up(env)
    added = run("add", "case", "ЦОП-2027-003", "--service", "general", "--from", "днес", env=env)
    assert added.returncode == 0, added.stderr
    later = f"{today() + timedelta(days=3):%d.%m.%Y} 10:00"
    booked = run(
        "book", "--title", "Консултация", "--start", later, "--duration", "60", "--on-holiday",
        "--staff", "Мария Петрова", "--case", "ЦОП-2027-003", env=env,
    )  # fmt: skip
    assert booked.returncode == 0, booked.stderr
    closed = run("deactivate", "case", "ЦОП-2027-003", "--reason", "Преместване", env=env)
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.splitlines()[-1] == "Предстоящи занимания: отменено е 1 занимание."
    assert counts(database_url)["event"] == 1  # cancelled, not deleted


def test_list_says_the_kind_in_words_and_the_status(env: dict[str, str]) -> None:
    """The list speaks as `add` does (not «group_room»), marks what is out of use, and its
    JSON gives each entry's status for scripts: a case's waiting/active/closed."""
    set_up(env)
    assert run("deactivate", "staff", "Мария", env=env).returncode == 0
    staff = run("list", "staff", env=env).stdout
    assert "психолог" in staff and "psychologist" not in staff and "извън употреба" in staff
    rooms = json.loads(run("list", "rooms", "--format", "json", env=env).stdout)
    assert rooms == [{"id": rooms[0]["id"], "name": "Групова зала", "detail": "групова зала",
                      "status": "active"}]  # fmt: skip
    cases = json.loads(run("list", "cases", "--format", "json", env=env).stdout)
    assert [(c["name"], c["status"]) for c in cases] == [("ЦОП-2027-001", "active")]


@pytest.mark.parametrize(
    "args",
    [
        ("add", "room", "Зала", "--kind", "космос"),
        ("add", "room", "Зала", "--kind", "group", "--seats", "0"),
        ("add", "room", "Зала", "--kind", "group", "--area", "много"),
        ("add", "room", "Зала\x1b[2J", "--kind", "group"),
        ("add", "closure", "32.12.2027", "--reason", "Х"),
        ("add", "room", "Зала"),
        ("add", "room", "Зала", "--kind", "group", "--nope", "1"),
        ("add", "planet", "Марс"),
        ("edit", "room", "Зала"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(env: dict[str, str], args: tuple[str, ...]) -> None:
    assert run("add", *EXAMPLES[0], env=env).returncode == 0
    result = run(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert "\x1b" not in result.stderr


def test_help_is_bulgarian_and_made_from_the_fields() -> None:
    result = run("add", "programme", "--help")
    assert result.returncode == 0
    for option in ("--kind", "--seats", "--lead", "--room", "--starts-on", "--description"):
        assert option in result.stdout
    assert "art_studio (арт ателие)" in result.stdout
    assert "--from" in run("add", "case", "--help").stdout
    assert "--reason" in run("deactivate", "case", "--help").stdout
    assert "--skip-bad" in run("import", "--help").stdout


def test_import_previews_and_writes_with_yes(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    assert run("add", *EXAMPLES[0], env=env).returncode == 0
    good = tmp_path / "staff.csv"
    good.write_bytes("\ufeffИме;Професия\nАнна Иванова;психолог\nБорис Г;педагог\n".encode())
    preview = run("import", "staff", str(good), env=env)
    assert preview.returncode == 0, preview.stderr
    assert "За добавяне: 2" in preview.stdout and "--yes" in preview.stdout
    assert counts(database_url)["staff"] == 0
    written = run("import", "staff", str(good), "--yes", env=env)
    assert written.returncode == 0 and "Добавени: 2" in written.stdout
    assert counts(database_url)["staff"] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("name,profession\nВера Д,психолог\nГошо,астронавт\n", encoding="utf-8")
    refused = run("import", "staff", str(bad), "--yes", env=env)
    assert refused.returncode == 2 and "ред 3, Професия" in refused.stdout
    assert "Професия: Професия" not in refused.stdout  # the field is named once
    assert counts(database_url)["staff"] == 2
    skipped = run("import", "staff", str(bad), "--yes", "--skip-bad", env=env)
    assert skipped.returncode == 0 and "Добавени: 1" in skipped.stdout
    missing = run("import", "staff", str(tmp_path / "nope.csv"), env=env)
    assert missing.returncode == 2
