"""``coptui user add|list|role|disable`` as an administrator types them, on the demo centre."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from coptui.cli import main
from coptui.commands import users as user_commands
from coptui.services import login_rules
from tests.conftest import _libpq
from tests.services.test_users import ensure_group_roles

pytestmark = pytest.mark.usefixtures("_groups")


@pytest.fixture(scope="module")
def _groups(demo_url: str) -> None:
    from coptui import db

    engine = db.make_engine(demo_url)
    ensure_group_roles(engine)
    engine.dispose()


@pytest.fixture
def logins(demo_url: str) -> Iterator[list[str]]:
    """Logins for one test; the roles (the server's, not the database's) are dropped after."""
    made: list[str] = []
    yield made
    with psycopg.connect(_libpq(demo_url), autocommit=True) as conn:
        for login in made:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


def new_login(logins: list[str], prefix: str = "u") -> str:
    login = f"{prefix}_{uuid.uuid4().hex[:8]}"
    logins.append(login)
    return login


def coptui(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_roles_of_the_command_line_are_the_services(demo_env: str) -> None:
    assert user_commands.ROLES == login_rules.ROLES


def test_add_list_role_disable_as_the_issue_types_them(
    demo_env: str, logins: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    kalina = new_login(logins, "kalina")
    code, out, err = coptui(
        capsys, "user", "add", kalina, "--role", "volunteer", "--person", "Калина Йорданова"
    )
    assert code == 0, err
    assert out.count("\n") == 1 and kalina in out and "Калина Йорданова" in out
    desi = new_login(logins, "desi")
    code, _out, err = coptui(
        capsys, "user", "add", desi, "--role", "coordinator", "--person", "десислава"
    )
    assert code == 0, err

    code, out, err = coptui(capsys, "user", "list", "--format", "json")
    assert code == 0, err
    listed = {u["login"]: u for u in json.loads(out)}
    assert listed[kalina] == {
        "login": kalina,
        "role": "volunteer",
        "person": "Калина Йорданова",
        "kind": "volunteer",
        "enabled": True,
    }
    assert listed[desi]["role"] == "coordinator" and listed[desi]["kind"] == "staff"
    code, out, _err = coptui(capsys, "user", "list")
    line = next(x for x in out.splitlines() if x.startswith(kalina))
    assert "volunteer" in line and "да" in line and "Калина Йорданова" in line

    code, out, err = coptui(capsys, "user", "role", desi, "--role", "manager")
    assert code == 0 and "manager" in out, err
    code, out, err = coptui(capsys, "user", "role", desi, "--role", "manager")
    assert code == 0 and "Нищо не е променено" in out, err

    code, out, err = coptui(capsys, "user", "disable", kalina)
    assert code == 0, err
    code, out, _err = coptui(capsys, "user", "list", "--format", "json")
    listed = {u["login"]: u for u in json.loads(out)}
    assert listed[kalina]["enabled"] is False and listed[kalina]["person"] == "Калина Йорданова"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--role", "coordinator", "--person", "Калина Йорданова"), 3, "доброволец"),
        (("--role", "volunteer", "--person", "Никой Никоев"), 2, "Няма"),
        (("--role", "admin", "--person", "Калина Йорданова"), 2, "admin"),
    ],
)
def test_add_refuses_in_one_line(
    demo_env: str,
    logins: list[str],
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    code: int,
    says: str,
) -> None:
    got, out, err = coptui(capsys, "user", "add", new_login(logins), *args)
    assert got == code and says in err and not out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_add_refuses_an_existing_login_and_a_bad_one(
    demo_env: str, logins: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    login = new_login(logins)
    assert coptui(capsys, "user", "add", login, "--role", "volunteer", "--person", "Никола")[0] == 0
    code, _out, err = coptui(
        capsys, "user", "add", login, "--role", "volunteer", "--person", "Теодора"
    )
    assert code == 3 and "съществува" in err
    code, _out, err = coptui(
        capsys, "user", "add", "Bad Name", "--role", "volunteer", "--person", "Теодора"
    )
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_without_createrole_every_command_refuses_in_one_line(
    demo_url: str, demo_env: str, logins: list[str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # A login role with no right at all (not even to read the schema's version).
    plain = new_login(logins, "plain")
    with psycopg.connect(_libpq(demo_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(plain)))
    url = make_url(demo_url).set(username=plain, password=None)
    monkeypatch.setenv("COPTUI_DATABASE_URL", url.render_as_string(hide_password=False))
    for args in (
        ("add", "x_" + plain, "--role", "volunteer", "--person", "Калина Йорданова"),
        ("list",),
        ("role", plain, "--role", "manager"),
        ("disable", plain),
    ):
        code, out, err = coptui(capsys, "user", *args)
        assert code == 1 and not out, args
        assert err.startswith("coptui: нямате право да създавате роли"), err
        assert len(err.strip().splitlines()) == 1


def test_the_embedded_database_has_no_logins_to_give(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COPTUI_DATABASE_URL", raising=False)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    code, _out, err = coptui(capsys, "user", "list")
    assert code == 2 and "COPTUI_DATABASE_URL" in err


def test_user_alone_names_its_commands(demo_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = coptui(capsys, "user")
    assert code == 2 and "add, list, role, disable" in err
