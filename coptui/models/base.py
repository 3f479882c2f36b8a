"""Shared metadata (with a constraint naming convention) and column helpers for every table."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint
from sqlmodel import SQLModel

from coptui.domain.text import MAX_NAME, MAX_NOTES, SQL_NO_CONTROL, sql_line_check, sql_notes_check

# Set before any table is declared so that every constraint gets a stable name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

LIVE_EVENT = "event_status <> 'cancelled'"


def enum_column(enum_cls: type[enum.Enum], name: str, **kwargs: Any) -> sa.Column[Any]:
    """A text column restricted to the values of ``enum_cls`` by a named CHECK constraint."""
    return sa.Column(
        sa.Enum(
            enum_cls,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )


def version_column() -> sa.Column[int]:
    """The optimistic-lock counter every user-editable row carries."""
    return sa.Column(sa.Integer, nullable=False, server_default=sa.text("1"))


def created_at_column() -> sa.Column[datetime]:
    """When the row was created, set by the server."""
    return sa.Column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def during_column() -> sa.Column[Any]:
    """A half-open ``tstzrange``."""
    return sa.Column(TSTZRANGE, nullable=False)


def no_overlap(table: sa.Table, name: str, key: str, where: str) -> ExcludeConstraint:
    """An exclusion constraint: one ``key`` is never in two overlapping live ranges.

    The embedded server has no contrib extensions (no btree_gist), so the integer key is
    wrapped into a one-point ``int4range`` which GiST compares with ``=`` natively.
    """
    column = table.c[key]
    return ExcludeConstraint(
        (sa.func.int4range(column, column, sa.literal_column("'[]'")), "="),
        (table.c.during, "&&"),
        name=name,
        using="gist",
        where=sa.text(where),
    )


def range_checks() -> list[sa.CheckConstraint]:
    """CHECKs that a ``during`` range is finite, non-empty and half-open."""
    return [
        sa.CheckConstraint(
            "NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)",
            name="during_finite",
        ),
        sa.CheckConstraint("lower_inc(during) AND NOT upper_inc(during)", name="during_half_open"),
    ]


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model, typed (Core queries read better than ORM ones in services)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def line_checks(*columns: str, max_length: int = MAX_NAME) -> list[sa.CheckConstraint]:
    """CHECKs that each one-line text column (a title, a name) is short and has no control
    character (migration 0006; ``coptui.domain.text.check_line`` refuses the same at input)."""
    return [
        sa.CheckConstraint(sql_line_check(column, max_length), name=f"{column}_safe")
        for column in columns
    ]


def notes_checks(*columns: str, max_length: int = MAX_NOTES) -> list[sa.CheckConstraint]:
    """CHECKs that each notes column has no control character but the newline."""
    return [
        sa.CheckConstraint(sql_notes_check(column, max_length), name=f"{column}_safe")
        for column in columns
    ]


def list_checks(*columns: str) -> list[sa.CheckConstraint]:
    """CHECKs that no element of each text-array column has a control character."""
    return [
        sa.CheckConstraint(
            f"array_to_string({column}, ' ') !~ '{SQL_NO_CONTROL}'", name=f"{column}_safe"
        )
        for column in columns
    ]
