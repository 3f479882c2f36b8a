"""The append-only audit log, written by triggers with the real login."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from coptui.models.base import line_checks
from coptui.models.base import metadata as _metadata  # noqa: F401 - the naming convention first


class AuditEntry(SQLModel, table=True):
    """One change to one row: who (``session_user``), when, what it was and what it became."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.CheckConstraint("action IN ('INSERT', 'UPDATE', 'DELETE')", name="action_known"),
        sa.Index("ix_audit_log_table_row", "table_name", "row_id"),
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    centre_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    at: datetime | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.DateTime(timezone=True), nullable=False, server_default=sa.func.clock_timestamp()
        ),
    )
    login: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.Text, nullable=False, server_default=sa.text("session_user")),
    )
    table_name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    row_id: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    action: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    old: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB))
    new: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB))


class CaseAccess(SQLModel, table=True):
    """One opening of a case's page: who (``session_user``), when, which case, what they saw.

    Written only by ``coptui_log_access()`` (migration 0009); nobody changes or deletes a row.
    """

    __tablename__ = "case_access_log"
    __table_args__ = (
        *line_checks("what"),
        sa.Index("ix_case_access_log_case_id_at", "case_id", "at"),
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    at: datetime | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.DateTime(timezone=True), nullable=False, server_default=sa.func.clock_timestamp()
        ),
    )
    login: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.Text, nullable=False, server_default=sa.text("session_user")),
    )
    # No foreign key: the record of who opened a case outlives the case.
    case_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    centre_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    what: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
