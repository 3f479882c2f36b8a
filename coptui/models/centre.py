"""The centre itself, its dated capacity, its rooms and its local holiday overrides."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from coptui.models.base import (
    created_at_column,
    enum_column,
    line_checks,
    notes_checks,
    version_column,
)
from coptui.models.enums import OverrideKind, RoomKind


class Centre(SQLModel, table=True):
    """One ЦОП; every other row belongs to exactly one centre."""

    __tablename__ = "centre"
    __table_args__ = (
        *line_checks("name", "town", "address"),
        sa.UniqueConstraint("name"),
        sa.CheckConstraint("name <> ''", name="name_not_blank"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    town: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    address: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    timezone: str = Field(
        default="Europe/Sofia",
        sa_column=sa.Column(sa.Text, nullable=False, server_default="Europe/Sofia"),
    )
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class CentreCapacity(SQLModel, table=True):
    """The number of places the funder set for the centre, valid from a date on."""

    __tablename__ = "centre_capacity"
    __table_args__ = (
        *line_checks("note"),
        sa.UniqueConstraint("centre_id", "valid_from"),
        sa.CheckConstraint("places > 0", name="places_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    valid_from: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    places: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))


class Room(SQLModel, table=True):
    """A place events happen in: the group room, an office, outdoors, or off-site."""

    __tablename__ = "room"
    __table_args__ = (
        *line_checks("name"),
        *notes_checks("notes"),
        sa.UniqueConstraint("centre_id", "name"),
        sa.UniqueConstraint("id", "centre_id"),
        sa.CheckConstraint("name <> ''", name="name_not_blank"),
        sa.CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name="area_positive"),
        sa.CheckConstraint("max_people IS NULL OR max_people > 0", name="max_people_positive"),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    kind: RoomKind = Field(sa_column=enum_column(RoomKind, "room_kind", nullable=False))
    area_m2: Decimal | None = Field(default=None, sa_column=sa.Column(sa.Numeric(6, 2)))
    max_people: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class HolidayOverride(SQLModel, table=True):
    """A local correction to the national calendar: a closure, or a holiday worked."""

    __tablename__ = "holiday_override"
    __table_args__ = (sa.UniqueConstraint("centre_id", "day"), *line_checks("note"))

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    day: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    kind: OverrideKind = Field(sa_column=enum_column(OverrideKind, "override_kind", nullable=False))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    version: int = Field(default=1, sa_column=version_column())
