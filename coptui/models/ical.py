"""Busy times brought in from an outside calendar (``coptui import ics``), by their UID."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from coptui.models.base import created_at_column

# One line without control characters, short enough for the unique index (migration 0011).
UID_CHECK = "char_length(uid) BETWEEN 1 AND 255 AND uid !~ '[\\x01-\\x1f\\x7f-\\x9f\\u2028\\u2029]'"


class EventImport(SQLModel, table=True):
    """The outside UID (and RECURRENCE-ID) of an event that an import of a .ics file made.

    ``calendar`` is whose calendar it came into (``room:3``, ``staff:5``); ``recurrence`` is
    the occurrence's original start in UTC (``20261025T080000Z``), empty for a single event,
    with ``#n`` for the n-th day of one that spans several.
    """

    __tablename__ = "event_import"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id"], ["event.id", "event.centre_id"], ondelete="CASCADE"
        ),
        sa.UniqueConstraint("centre_id", "calendar", "uid", "recurrence"),
        sa.CheckConstraint("calendar ~ '^(room|staff):[0-9]+$'", name="calendar_known"),
        sa.CheckConstraint(UID_CHECK, name="uid_safe"),
        sa.CheckConstraint(
            "recurrence ~ '^([0-9]{8}T[0-9]{6}Z)?(#[0-9]+)?$'", name="recurrence_instant"
        ),
    )

    event_id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    centre_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    calendar: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    uid: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    recurrence: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    imported_at: datetime | None = Field(default=None, sa_column=created_at_column())
