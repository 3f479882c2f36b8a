"""People's logins on a real server: roles created, linked, moved and disabled, refusals."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from coptui.errors import BadInputError, PermissionDeniedError, RefusedError, SchemaBehindError
from coptui.services.login_rules import ROLES, check_login, group_role
from coptui.services.users import add_user, change_role, disable_user, end_sessions, list_users
from tests.factories import World, make_world


def ensure_group_roles(engine: Engine) -> None:
    """The four group roles, as migration 0009 makes them (the roles belong to the server)."""
    with engine.begin() as conn:
        for role in ROLES:
            name = group_role(role)
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
                continue
            try:
                with conn.begin_nested():
                    conn.execute(text(f"CREATE ROLE {name} NOLOGIN"))
            except Exception:  # another test process made it in between
                pass


@pytest.fixture(scope="module", autouse=True)
def _groups(module_engine: Engine) -> None:
    ensure_group_roles(module_engine)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture
def login() -> str:
    """A login no other test (or test run on the same server) uses."""
    return f"u_{uuid.uuid4().hex[:10]}"


def role_of(session: Session, login: str) -> tuple[bool, list[str]]:
    """(may log in, coptui group roles) of ``login``, read from the catalogue."""
    row = session.execute(
        text(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles"
            " WHERE rolname = :l"
        ),
        {"l": login},
    ).one()
    assert not row.rolsuper and not row.rolcreaterole and not row.rolbypassrls
    groups = session.execute(
        text(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :l ORDER BY 1"
        ),
        {"l": login},
    ).scalars()
    return bool(row.rolcanlogin), list(groups)


def test_a_volunteer_gets_a_login_in_the_volunteer_role_linked_to_them(
    session: Session, world: World, login: str
) -> None:
    change = add_user(session, login=login, role="volunteer", person="Вера Опитова")
    assert change.changed
    assert change.user.login == login and change.user.role == "volunteer"
    assert change.user.person == "Вера Опитова" and change.user.kind == "volunteer"
    assert role_of(session, login) == (True, ["coptui_volunteer"])
    linked = session.execute(
        text("SELECT login FROM volunteer WHERE id = :i"), {"i": world.volunteer}
    ).scalar()
    assert linked == login
    assert login in [u.login for u in list_users(session)]


def test_a_staff_member_gets_a_login_and_their_record_takes_the_role(
    session: Session, world: World, login: str
) -> None:
    # A part of the name is enough, as everywhere else.
    change = add_user(session, login=login, role="coordinator", person="анна")
    assert change.user.person == "Анна Тестова" and change.user.kind == "staff"
    assert role_of(session, login) == (True, ["coptui_coordinator"])
    row = session.execute(
        text("SELECT login, role, version FROM staff WHERE id = :i"), {"i": world.staff}
    ).one()
    assert row.login == login and row.role == "coordinator" and row.version == 2


def test_a_login_with_dots_and_dashes_is_quoted_not_split(
    session: Session, world: World, login: str
) -> None:
    dotted = login.replace("_", ".") + "-x"
    add_user(session, login=dotted, role="specialist", person="Борис Пробов")
    assert role_of(session, dotted) == (True, ["coptui_specialist"])


@pytest.mark.parametrize(
    ("role", "person", "says"),
    [
        ("coordinator", "Вера Опитова", "доброволец"),  # a volunteer cannot be a coordinator
        ("volunteer", "Анна Тестова", "екипа"),  # staff are not volunteers
    ],
)
def test_a_person_of_the_wrong_kind_for_the_role_is_refused(
    session: Session, world: World, login: str, role: str, person: str, says: str
) -> None:
    with pytest.raises(RefusedError, match=says):
        add_user(session, login=login, role=role, person=person)
    assert not session.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :l"), {"l": login}
    ).first()


def test_an_unknown_person_or_role_is_bad_input(session: Session, world: World, login: str) -> None:
    with pytest.raises(BadInputError, match="Няма"):
        add_user(session, login=login, role="volunteer", person="Калина Йорданова")
    with pytest.raises(BadInputError, match="admin"):
        add_user(session, login=login, role="admin", person="Вера Опитова")


@pytest.mark.parametrize(
    "bad", ["Anna", "1anna", "an na", "анна", "a;drop role x", "pg_x", "coptui_owner", "a" * 64]
)
def test_a_login_must_be_a_plain_name_and_not_a_reserved_one(bad: str) -> None:
    with pytest.raises(BadInputError):
        check_login(bad)


def test_a_login_that_exists_is_refused_even_if_not_coptuis(
    session: Session, world: World, login: str
) -> None:
    session.execute(text(f"CREATE ROLE {login} NOLOGIN"))
    with pytest.raises(RefusedError, match="съществува"):
        add_user(session, login=login, role="volunteer", person="Вера Опитова")
    # nor is the server's own superuser taken over
    superuser = session.execute(text("SELECT current_user")).scalar()
    with pytest.raises((RefusedError, BadInputError)):
        add_user(session, login=str(superuser), role="volunteer", person="Вера Опитова")


def test_a_person_with_a_login_already_is_refused_a_second_one(
    session: Session, world: World, login: str
) -> None:
    add_user(session, login=login, role="volunteer", person="Вера Опитова")
    with pytest.raises(RefusedError, match=login):
        add_user(session, login=login + "b", role="volunteer", person="Вера Опитова")


def test_a_login_linked_to_another_person_in_the_other_table_is_refused(
    session: Session, world: World, login: str
) -> None:
    session.execute(
        text("UPDATE volunteer SET login = :l WHERE id = :i"), {"l": login, "i": world.volunteer}
    )
    with pytest.raises(RefusedError, match="Вера Опитова"):
        add_user(session, login=login, role="specialist", person="Анна Тестова")


def test_role_moves_the_login_to_one_group_only(session: Session, world: World, login: str) -> None:
    add_user(session, login=login, role="specialist", person="Анна Тестова")
    change = change_role(session, login=login, role="manager")
    assert change.changed and change.user.role == "manager"
    assert role_of(session, login) == (True, ["coptui_manager"])
    assert (
        session.execute(text("SELECT role FROM staff WHERE id = :i"), {"i": world.staff}).scalar()
        == "manager"
    )
    again = change_role(session, login=login, role="manager")
    assert not again.changed


def test_role_keeps_a_volunteer_a_volunteer(session: Session, world: World, login: str) -> None:
    add_user(session, login=login, role="volunteer", person="Вера Опитова")
    with pytest.raises(RefusedError, match="доброволец"):
        change_role(session, login=login, role="coordinator")
    assert role_of(session, login) == (True, ["coptui_volunteer"])


def test_role_and_disable_refuse_a_role_that_is_not_coptuis(
    session: Session, world: World, login: str
) -> None:
    superuser = str(session.execute(text("SELECT current_user")).scalar())
    with pytest.raises(RefusedError):
        disable_user(session, login=superuser)
    with pytest.raises(RefusedError):
        change_role(session, login=superuser, role="manager")
    with pytest.raises(BadInputError, match=login):
        disable_user(session, login=login)


def test_disable_takes_the_login_away_and_keeps_role_and_link(
    session: Session, world: World, login: str
) -> None:
    add_user(session, login=login, role="volunteer", person="Вера Опитова")
    change = disable_user(session, login=login)
    assert change.changed and not change.user.enabled
    assert role_of(session, login) == (False, ["coptui_volunteer"])
    assert (
        session.execute(
            text("SELECT login FROM volunteer WHERE id = :i"), {"i": world.volunteer}
        ).scalar()
        == login
    )
    listed = {u.login: u for u in list_users(session)}
    assert not listed[login].enabled and listed[login].person == "Вера Опитова"
    assert not disable_user(session, login=login).changed
    # nobody of that login is connected: nothing to end, and a superuser may end them
    assert end_sessions(session, login=login) == 0


@pytest.fixture
def plain_role(session: Session) -> Iterator[str]:
    """The session switched to a role without CREATEROLE (rolled back with the test)."""
    name = f"p_{uuid.uuid4().hex[:10]}"
    session.execute(text(f"CREATE ROLE {name} NOLOGIN"))
    session.execute(text(f"SET LOCAL ROLE {name}"))
    yield name


def test_every_command_refuses_a_role_without_createrole_in_one_line(
    session: Session, world: World, login: str, plain_role: str
) -> None:
    for call in (
        lambda: add_user(session, login=login, role="volunteer", person="Вера Опитова"),
        lambda: list_users(session),
        lambda: change_role(session, login=login, role="manager"),
        lambda: disable_user(session, login=login),
    ):
        with pytest.raises(PermissionDeniedError) as refused:
            call()
        assert "нямате право да създавате роли" in refused.value.message
        assert plain_role in refused.value.message and "\n" not in refused.value.message


def test_missing_group_roles_say_to_upgrade(
    session: Session, world: World, login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coptui.services.login_rules.GROUP_PREFIX", "coptui_nosuch_")
    with pytest.raises(SchemaBehindError, match="db upgrade"):
        add_user(session, login=login, role="volunteer", person="Вера Опитова")
