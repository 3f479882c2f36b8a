"""Who is logged in: the identity of each role, the refusal of logins that would bypass
row-level security on a shared server, one-line refusals for what a role may not see, and
the case access log."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui import db
from coptui.errors import PermissionDeniedError
from coptui.services import calendar
from coptui.services.access import log_case_access
from coptui.services.identity import (
    ACTIONS,
    Identity,
    can,
    current_identity,
    person_name,
    refuse_unsafe_login,
)
from coptui.services.transaction import transact
from tests.roles import RolesWorld, libpq

NO_CASES = "Нямате достъп до случаите; обърнете се към администратора."


def _with(roles_world: RolesWorld, who: str, work: Any) -> Any:
    url = roles_world.admin_url if who == "superuser" else roles_world.url_of(who)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        return work(conn)


def test_each_login_knows_who_it_is(roles_world: RolesWorld) -> None:
    w = roles_world.world
    found = {
        who: _with(roles_world, who, current_identity)
        for who in ("manager", "coordinator", "specialist", "volunteer", "owner", "superuser")
    }
    assert found["specialist"] == Identity(
        login=roles_world.logins["specialist"],
        role="specialist",
        staff_id=w.staff,
        volunteer_id=None,
        name="Анна Тестова",
        centre_id=w.centre,
    )
    assert found["volunteer"] == Identity(
        login=roles_world.logins["volunteer"],
        role="volunteer",
        staff_id=None,
        volunteer_id=w.volunteer,
        name="Вера Опитова",
        centre_id=w.centre,
    )
    assert (found["manager"].role, found["manager"].name) == ("manager", "Мира Управителова")
    assert (found["coordinator"].role, found["coordinator"].name) == (
        "coordinator",
        "Коста Координатов",
    )
    # The embedded single-user mode: the owner, or a superuser, may do everything.
    for who in ("owner", "superuser"):
        assert found[who].role == "owner"
        assert all(can(found[who], action) for action in ACTIONS)
    with pytest.raises(PermissionDeniedError, match="няма роля в coptui"):
        _with(roles_world, "stranger", current_identity)


def test_what_each_role_may_do() -> None:
    def rights(role: str) -> set[str]:
        who = Identity("x", role, None, None, "x", 1)
        return {action for action in ACTIONS if can(who, action)}

    assert rights("volunteer") == {"sign_up"}
    assert rights("specialist") == {
        "book",
        "edit_own_event",
        "see_cases",
        "see_history",
        "take_attendance",
    }
    assert rights("coordinator") == rights("specialist") | {"edit_any_event", "see_audit"}
    assert rights("manager") == set(ACTIONS) - {"sign_up"}
    with pytest.raises(ValueError, match="unknown action"):
        can(Identity("x", "manager", None, None, "x", 1), "fly")


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("superuser", "суперпотребител"),
        ("bypass", "row-level security"),
        ("owner", "coptui db upgrade"),
        ("stranger", "няма роля в coptui"),
    ],
)
def test_logins_that_would_bypass_the_rules_are_refused(
    roles_world: RolesWorld, who: str, why: str
) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        _with(roles_world, who, refuse_unsafe_login)
    message = caught.value.message
    assert why in message and "\n" not in message
    assert message.startswith("coptui не работи като") or "няма роля" in message


def test_a_person_is_let_through(roles_world: RolesWorld) -> None:
    for who in ("manager", "coordinator", "specialist", "volunteer"):
        assert _with(roles_world, who, refuse_unsafe_login) is None


def test_the_startup_refuses_a_superuser_on_a_shared_server(
    roles_world: RolesWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("COPTUI_AS_OWNER", raising=False)
    for opener in (db.open_reader, db.open_database):
        with pytest.raises(PermissionDeniedError, match="суперпотребител"):
            opener(roles_world.admin_url, tmp_path)
        with pytest.raises(PermissionDeniedError, match="coptui db upgrade"):
            opener(roles_world.url_of("owner"), tmp_path)
    # The administrator's commands (db, user) open it knowingly.
    db.open_database(roles_world.url_of("owner"), tmp_path, as_person=False).dispose()
    _url, conn = db.open_reader(roles_world.url_of("coordinator"), tmp_path)
    conn.close()
    db.open_database(roles_world.url_of("coordinator"), tmp_path).dispose()
    # On purpose, as the owner: to set up a centre and its first people.
    monkeypatch.setenv("COPTUI_AS_OWNER", "1")
    db.open_database(roles_world.url_of("owner"), tmp_path).dispose()


def test_the_cli_refuses_a_superuser_in_one_line(
    roles_world: RolesWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from coptui.cli import main

    monkeypatch.delenv("COPTUI_AS_OWNER", raising=False)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    monkeypatch.setenv("COPTUI_DATABASE_URL", roles_world.admin_url)
    assert main(["list", "rooms"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "суперпотребител" in err


def test_a_volunteer_asking_for_a_case_gets_one_line(
    roles_world: RolesWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from coptui.cli import main

    monkeypatch.delenv("COPTUI_AS_OWNER", raising=False)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    monkeypatch.setenv("COPTUI_DATABASE_URL", roles_world.url_of("volunteer"))
    started = time.monotonic()
    code = main(["agenda", "--case", "Т-001", "--from", "01.12.2026"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip().endswith(NO_CASES)
    assert len(captured.err.strip().splitlines()) == 1
    assert "Ели" not in captured.out + captured.err
    assert time.monotonic() - started < 10


def test_refusals_name_what_in_bulgarian(roles_world: RolesWorld) -> None:
    volunteer = db.make_engine(roles_world.url_of("volunteer"))
    specialist = db.make_engine(roles_world.url_of("specialist"))
    far = roles_world.ids["far"]
    try:
        with pytest.raises(PermissionDeniedError) as caught:
            transact(volunteer, lambda s: s.execute(text("SELECT * FROM case_file")).all())
        assert caught.value.message == NO_CASES
        with pytest.raises(PermissionDeniedError) as caught:
            transact(volunteer, lambda s: s.execute(text("SELECT * FROM audit_log")).all())
        assert caught.value.message.startswith("Нямате достъп до историята на промените")
        with pytest.raises(PermissionDeniedError) as caught:
            transact(
                specialist,
                lambda s: s.execute(
                    text(
                        "INSERT INTO event (centre_id, kind, title, during) VALUES (:c,"
                        " 'meeting', 'x', tstzrange(now(), now() + interval '1 hour'))"
                    ),
                    {"c": far},
                ),
            )
        assert caught.value.message == (
            "Нямате право да променяте събитията; обърнете се към администратора."
        )
    finally:
        volunteer.dispose()
        specialist.dispose()


def test_opening_a_case_is_logged_with_the_real_login(roles_world: RolesWorld) -> None:
    ids, w = roles_world.ids, roles_world.world

    def log(case: int) -> Any:
        return lambda conn: log_case_access(conn, case_id=case, what="страница на случая")

    _with(roles_world, "specialist", log(w.case))
    _with(roles_world, "coordinator", log(w.other_case))
    for who, case in (("specialist", w.other_case), ("volunteer", w.case), ("specialist", 0)):
        with pytest.raises(PermissionDeniedError) as caught:
            _with(roles_world, who, log(case))
        assert caught.value.message == NO_CASES
    found = _with(
        roles_world,
        "manager",
        lambda conn: conn.execute(
            "SELECT login, case_id, what FROM case_access_log WHERE what <> 'page' ORDER BY id"
        ).fetchall(),
    )
    assert found == [
        (roles_world.logins["specialist"], w.case, "страница на случая"),
        (roles_world.logins["coordinator"], w.other_case, "страница на случая"),
    ]
    assert ids["far"]  # (nobody of this centre reads the far centre's log)


def test_the_audit_names_the_person_behind_the_login(roles_world: RolesWorld) -> None:
    ids = roles_world.ids
    specialist = db.make_engine(roles_world.url_of("specialist"))
    try:
        transact(
            specialist,
            lambda s: s.execute(
                text("UPDATE event SET notes = 'донесете бои' WHERE id = :e"), {"e": ids["mine"]}
            ),
        )
    finally:
        specialist.dispose()
    login = _with(
        roles_world,
        "coordinator",
        lambda conn: conn.execute(
            "SELECT login FROM audit_log WHERE table_name = 'event' AND row_id = %s"
            " ORDER BY id DESC LIMIT 1",
            (str(ids["mine"]),),
        ).fetchone()[0],
    )
    assert login == roles_world.logins["specialist"]
    assert _with(roles_world, "coordinator", lambda c: person_name(c, login)) == "Анна Тестова"
    # A login of nobody the caller may know stays a login.
    assert _with(roles_world, "volunteer", lambda c: person_name(c, "bprobov")) == "Борис Пробов"
    assert _with(roles_world, "volunteer", lambda c: person_name(c, "nobody")) == "nobody"


def test_a_specialists_week_reads_without_her_hidden_cases(roles_world: RolesWorld) -> None:
    ids, w = roles_world.ids, roles_world.world

    def week(conn: Any) -> list[calendar.EventRow]:
        return calendar.centre_week(conn, centre_id=w.centre, monday=date(2026, 11, 30))

    started = time.monotonic()
    found = {row.id: row for row in _with(roles_world, "specialist", week)}
    assert time.monotonic() - started < 5
    assert set(found) == {ids["mine"], ids["mine2"]}
    assert found[ids["mine"]].cases == ("Т-001", "Т-003")
    with Session(db.make_engine(roles_world.url_of("specialist"))) as session:
        assert calendar.centre_week(session, centre_id=w.centre, monday=date(2026, 11, 30))


def test_a_specialist_books_her_own_sessions_only(roles_world: RolesWorld) -> None:
    from coptui.errors import SlotTakenError
    from coptui.services.booking import BookingRequest, book_event
    from tests.factories import at

    w = roles_world.world
    engine = db.make_engine(roles_world.url_of("specialist"))

    def book(lead: int, case: int, start: str = "08:00", end: str = "09:00") -> Any:
        request = BookingRequest(
            centre_id=w.centre,
            title="Индивидуална работа",
            start=at(start),
            end=at(end),
            staff_ids=(lead,),
            case_ids=(case,),
        )
        return transact(engine, lambda s: book_event(s, request=request))

    try:
        # Her own session with her own case: written, she leads it.
        booked = book(w.staff, w.case)
        assert booked.id
        # Naming another lead is booking for a colleague.
        with pytest.raises(PermissionDeniedError) as caught:
            book(w.other_staff, w.case, "16:00", "17:00")
        assert caught.value.message.startswith("Нямате право да променяте")
        # Her case is busy in her other session: refused, naming her own session.
        with pytest.raises(SlotTakenError, match="Арт ателие"):
            book(w.staff, w.case, "10:30", "11:30")
    finally:
        engine.dispose()
        with psycopg.connect(libpq(roles_world.url), autocommit=True) as conn:
            conn.execute("DELETE FROM event WHERE title = 'Индивидуална работа'")
