"""Cases: a child and family the centre works with (pseudonymous code first)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from coptui.models.base import (
    created_at_column,
    enum_column,
    line_checks,
    list_checks,
    version_column,
)
from coptui.models.enums import CaseStatus, ReferralSource, ServiceKind


class Case(SQLModel, table=True):
    """A case, referred by ОЗД/ДСП (specialised) or self-referred (general access)."""

    __tablename__ = "case_file"
    __table_args__ = (
        *line_checks(
            "code",
            "child_name",
            "family_name",
            "referral_number",
            "contract_number",
            "close_reason",
        ),
        *list_checks("service_types"),
        sa.UniqueConstraint("centre_id", "code"),
        sa.UniqueConstraint("id", "centre_id"),
        sa.ForeignKeyConstraint(["key_worker_id", "centre_id"], ["staff.id", "staff.centre_id"]),
        sa.CheckConstraint("code <> ''", name="code_not_blank"),
        sa.CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1990 AND 2100", name="birth_year_sane"
        ),
        # A specialised service needs a referral from an institution.
        sa.CheckConstraint(
            "service_kind <> 'specialised' OR referral_source <> 'self'",
            name="specialised_needs_referral",
        ),
        sa.CheckConstraint(
            "contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start",
            name="contract_dates_ordered",
        ),
        sa.CheckConstraint(
            "status <> 'active' OR active_from IS NOT NULL", name="active_has_start"
        ),
        sa.CheckConstraint(
            "status <> 'closed' OR (closed_on IS NOT NULL AND coalesce(close_reason, '') <> '')",
            name="closed_has_date_and_reason",
        ),
        sa.CheckConstraint(
            "closed_on IS NULL OR active_from IS NULL OR closed_on >= active_from",
            name="closed_after_start",
        ),
        # Закон за социалните услуги: a specialised service starts only on a referral and a
        # contract (the services say so first, in words; this is the last line of defence).
        sa.CheckConstraint(
            "status <> 'active' OR service_kind <> 'specialised' OR ("
            "referral_number <> '' AND referral_date IS NOT NULL AND contract_number <> ''"
            " AND contract_start IS NOT NULL AND contract_end IS NOT NULL)",
            name="specialised_active_has_contract",
        ),
        # Only a waiting case stands in the queue for a place.
        sa.CheckConstraint(
            "queued_at IS NULL OR status = 'waiting'", name="queued_only_while_waiting"
        ),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    code: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    child_name: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    family_name: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    birth_year: int | None = Field(default=None, sa_column=sa.Column(sa.SmallInteger))
    referral_source: ReferralSource = Field(
        sa_column=enum_column(ReferralSource, "referral_source", nullable=False)
    )
    referral_number: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    referral_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    contract_number: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    contract_start: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    contract_end: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    service_kind: ServiceKind = Field(
        sa_column=enum_column(ServiceKind, "service_kind", nullable=False)
    )
    service_types: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(ARRAY(sa.Text), nullable=False, server_default="{}"),
    )
    key_worker_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    status: CaseStatus = Field(
        default=CaseStatus.WAITING,
        sa_column=enum_column(CaseStatus, "case_status", nullable=False, server_default="waiting"),
    )
    registered_on: date | None = Field(
        default=None,
        sa_column=sa.Column(sa.Date, nullable=False, server_default=sa.func.current_date()),
    )
    active_from: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    closed_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    close_reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    # When the case asked to start and found the centre full: its place in the queue.
    queued_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True))
    )
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
