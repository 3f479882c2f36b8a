"""Staff members and volunteers."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from coptui.models.base import (
    created_at_column,
    enum_column,
    line_checks,
    list_checks,
    notes_checks,
    version_column,
)
from coptui.models.enums import Profession, StaffRole


class Staff(SQLModel, table=True):
    """A member of the team; ``login`` is their PostgreSQL role in a shared deployment."""

    __tablename__ = "staff"
    __table_args__ = (
        *line_checks("full_name", "email", "phone"),
        sa.UniqueConstraint("login"),
        sa.UniqueConstraint("id", "centre_id"),
        # People are found by name (booking, import): one name, one person (0008).
        sa.UniqueConstraint("centre_id", "full_name"),
        sa.CheckConstraint("login ~ '^[a-z_][a-z0-9_.-]*$'", name="login_format"),
        sa.CheckConstraint("full_name <> ''", name="full_name_not_blank"),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    login: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    full_name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    profession: Profession = Field(sa_column=enum_column(Profession, "profession", nullable=False))
    role: StaffRole = Field(sa_column=enum_column(StaffRole, "staff_role", nullable=False))
    email: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    phone: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class Volunteer(SQLModel, table=True):
    """A volunteer on the programmes' rosters; never sees case data."""

    __tablename__ = "volunteer"
    __table_args__ = (
        *line_checks("full_name", "phone", "email", "login"),
        *notes_checks("notes"),
        *list_checks("skills"),
        sa.UniqueConstraint("login"),
        sa.UniqueConstraint("id", "centre_id"),
        sa.UniqueConstraint("centre_id", "full_name"),
        sa.CheckConstraint("full_name <> ''", name="full_name_not_blank"),
        sa.CheckConstraint(
            "agreement_ends IS NULL OR agreement_date IS NULL OR agreement_ends >= agreement_date",
            name="agreement_dates_ordered",
        ),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    full_name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    phone: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    email: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    skills: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(ARRAY(sa.Text), nullable=False, server_default="{}"),
    )
    # Date of the certificate of no criminal record (свидетелство за съдимост).
    criminal_record_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    # Date the volunteering agreement (договор за доброволчество) was signed, and its end.
    agreement_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    agreement_ends: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    login: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
