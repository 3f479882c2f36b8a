"""The schema's revision: where the migrations are, which revision a database is at and which
this coptui knows, upgrade and downgrade (Alembic, imported only when needed)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from coptui.db import normalise_url
from coptui.errors import SchemaBehindError
from coptui.i18n import _

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

# Serialises migrations of one database between processes started at the same moment.
MIGRATION_LOCK_KEY = 0x636F707475690001


def migrations_dir() -> Path:
    """Where the Alembic scripts are: inside the wheel, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_migrations", here.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("coptui's migrations are missing from this installation")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url`` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or ``None`` for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    """The newest revision this coptui knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


_REVISION = re.compile(r'^(down_)?revision: str(?: \| None)? = "?([^"\n]*?)"?$', re.M)


def known_head() -> str | None:
    """The newest revision, read from the migration files without importing Alembic.

    Opening the app must not wait for Alembic's import; the chain is linear, so the head is
    the one revision no other names as its ``down_revision``.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (``None`` when it has no schema yet)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
        if not exists:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision``."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def require_current_schema(engine: Engine) -> None:
    """Refuse to run against a database whose schema this coptui does not match.

    Raises:
        SchemaBehindError: the database needs ``coptui db upgrade``.
    """
    current = stored_revision(engine)
    head = known_head() or head_revision(str(engine.url))
    if current != head:
        raise SchemaBehindError(
            _(
                "The database schema is out of date ({current}, expected {head}). "
                "Run `coptui db upgrade`."
            ).format(current=current or "—", head=head)
        )


def quiet_logs() -> None:
    """Keep Alembic's progress lines out of the terminal unless asked for."""
    if not os.environ.get("COPTUI_DEBUG"):
        logging.getLogger("alembic").setLevel(logging.WARNING)
