"""The whole domain schema: tables, exclusion constraints, audit triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose every change is audited, with the columns that identify a row.
AUDITED: dict[str, tuple[str, ...]] = {
    "centre": ("id",),
    "centre_capacity": ("id",),
    "room": ("id",),
    "holiday_override": ("id",),
    "staff": ("id",),
    "volunteer": ("id",),
    "case_file": ("id",),
    "programme": ("id",),
    "series": ("id",),
    "event": ("id",),
    "event_staff": ("event_id", "staff_id"),
    "event_case": ("event_id", "case_id"),
    "roster_slot": ("id",),
}

# SECURITY DEFINER: app roles write the audit through this function only; session_user is
# still the person's own login, which is what the log must name.
AUDIT_FUNCTION = """
CREATE FUNCTION coptui_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    any_row jsonb := coalesce(new_row, old_row);
    key_parts text[] := '{}';
    i int;
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        key_parts := key_parts || (any_row ->> TG_ARGV[i]);
    END LOOP;
    INSERT INTO audit_log (centre_id, table_name, row_id, action, old, new)
    VALUES (
        CASE WHEN TG_TABLE_NAME = 'centre' THEN (any_row ->> 'id')::int
             ELSE (any_row ->> 'centre_id')::int END,
        TG_TABLE_NAME, array_to_string(key_parts, ':'), TG_OP, old_row, new_row
    );
    RETURN NULL;
END
$$
"""

AUDIT_GUARD = """
CREATE FUNCTION coptui_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION coptui_audit_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION coptui_audit_refuse();
"""


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("login", sa.Text(), server_default=sa.text("session_user"), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("old", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("new", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "action IN ('INSERT', 'UPDATE', 'DELETE')", name=op.f("ck_audit_log_action_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_table_row", "audit_log", ["table_name", "row_id"], unique=False)
    op.create_table(
        "centre",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("town", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("timezone", sa.Text(), server_default="Europe/Sofia", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("name <> ''", name=op.f("ck_centre_name_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre")),
        sa.UniqueConstraint("name", name=op.f("uq_centre_name")),
    )
    op.create_table(
        "centre_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("places > 0", name=op.f("ck_centre_capacity_places_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_centre_capacity_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_capacity")),
        sa.UniqueConstraint(
            "centre_id", "valid_from", name=op.f("uq_centre_capacity_centre_id_valid_from")
        ),
    )
    op.create_table(
        "holiday_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "closure",
                "working_day",
                name="override_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_holiday_override_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_override")),
        sa.UniqueConstraint("centre_id", "day", name=op.f("uq_holiday_override_centre_id_day")),
    )
    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "group_room",
                "office",
                "outdoor",
                "off_site",
                name="room_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("area_m2", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("max_people", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("name <> ''", name=op.f("ck_room_name_not_blank")),
        sa.CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name=op.f("ck_room_area_positive")),
        sa.CheckConstraint(
            "max_people IS NULL OR max_people > 0", name=op.f("ck_room_max_people_positive")
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_room_version_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_room_centre_id_centre"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("centre_id", "name", name=op.f("uq_room_centre_id_name")),
        sa.UniqueConstraint("id", "centre_id", name=op.f("uq_room_id_centre_id")),
    )
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), server_default="Europe/Sofia", nullable=False),
        sa.Column("local_start", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("rrule <> ''", name=op.f("ck_series_rrule_not_blank")),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_series_duration_positive")),
        sa.CheckConstraint("version > 0", name=op.f("ck_series_version_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_series_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sa.UniqueConstraint("id", "centre_id", name=op.f("uq_series_id_centre_id")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column(
            "profession",
            sa.Enum(
                "social_worker",
                "psychologist",
                "pedagogue",
                "speech_therapist",
                "manager",
                "other",
                name="profession",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "role",
            sa.Enum(
                "manager",
                "coordinator",
                "specialist",
                name="staff_role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("full_name <> ''", name=op.f("ck_staff_full_name_not_blank")),
        sa.CheckConstraint("login ~ '^[a-z_][a-z0-9_.-]*$'", name=op.f("ck_staff_login_format")),
        sa.CheckConstraint("version > 0", name=op.f("ck_staff_version_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_staff_centre_id_centre"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("id", "centre_id", name=op.f("uq_staff_id_centre_id")),
        sa.UniqueConstraint("login", name=op.f("uq_staff_login")),
    )
    op.create_table(
        "volunteer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("criminal_record_date", sa.Date(), nullable=True),
        sa.Column("agreement_date", sa.Date(), nullable=True),
        sa.Column("agreement_ends", sa.Date(), nullable=True),
        sa.Column("login", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("full_name <> ''", name=op.f("ck_volunteer_full_name_not_blank")),
        sa.CheckConstraint(
            "agreement_ends IS NULL OR agreement_date IS NULL OR agreement_ends >= agreement_date",
            name=op.f("ck_volunteer_agreement_dates_ordered"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_volunteer_version_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_volunteer_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer")),
        sa.UniqueConstraint("id", "centre_id", name=op.f("uq_volunteer_id_centre_id")),
        sa.UniqueConstraint("login", name=op.f("uq_volunteer_login")),
    )
    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("child_name", sa.Text(), server_default="", nullable=False),
        sa.Column("family_name", sa.Text(), server_default="", nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column(
            "referral_source",
            sa.Enum(
                "ozd",
                "dsp",
                "other_institution",
                "self",
                name="referral_source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("referral_number", sa.Text(), server_default="", nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=True),
        sa.Column("contract_number", sa.Text(), server_default="", nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column(
            "service_kind",
            sa.Enum(
                "general_access",
                "specialised",
                name="service_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "service_types", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("key_worker_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "active",
                "closed",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="waiting",
            nullable=False,
        ),
        sa.Column(
            "registered_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False
        ),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("code <> ''", name=op.f("ck_case_file_code_not_blank")),
        sa.CheckConstraint(
            "service_kind <> 'specialised' OR referral_source <> 'self'",
            name=op.f("ck_case_file_specialised_needs_referral"),
        ),
        sa.CheckConstraint(
            "status <> 'active' OR active_from IS NOT NULL",
            name=op.f("ck_case_file_active_has_start"),
        ),
        sa.CheckConstraint(
            "status <> 'closed' OR (closed_on IS NOT NULL AND coalesce(close_reason, '') <> '')",
            name=op.f("ck_case_file_closed_has_date_and_reason"),
        ),
        sa.CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1990 AND 2100",
            name=op.f("ck_case_file_birth_year_sane"),
        ),
        sa.CheckConstraint(
            "closed_on IS NULL OR active_from IS NULL OR closed_on >= active_from",
            name=op.f("ck_case_file_closed_after_start"),
        ),
        sa.CheckConstraint(
            "contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start",
            name=op.f("ck_case_file_contract_dates_ordered"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_case_file_version_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_case_file_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_worker_id", "centre_id"],
            ["staff.id", "staff.centre_id"],
            name=op.f("fk_case_file_key_worker_id_centre_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("centre_id", "code", name=op.f("uq_case_file_centre_id_code")),
        sa.UniqueConstraint("id", "centre_id", name=op.f("uq_case_file_id_centre_id")),
    )
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "art_studio",
                "eco_holiday",
                "youth_initiative",
                "campaign",
                "volunteering",
                "training",
                "other",
                name="programme_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("volunteers_per_session", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("title <> ''", name=op.f("ck_programme_title_not_blank")),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name=op.f("ck_programme_capacity_positive")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_programme_dates_ordered"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_programme_version_positive")),
        sa.CheckConstraint(
            "volunteers_per_session >= 0", name=op.f("ck_programme_volunteers_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_programme_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id", "centre_id"],
            ["staff.id", "staff.centre_id"],
            name=op.f("fk_programme_lead_id_centre_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("centre_id", "title", name=op.f("uq_programme_centre_id_title")),
        sa.UniqueConstraint("id", "centre_id", name=op.f("uq_programme_id_centre_id")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "individual",
                "group",
                "programme_session",
                "meeting",
                "mobile_work",
                name="event_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "held",
                "cancelled",
                name="event_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="planned",
            nullable=False,
        ),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.text("int4range(room_id, room_id, '[]')"), "="),
            (sa.column("during"), "&&"),
            where=sa.text("status <> 'cancelled' AND room_id IS NOT NULL"),
            using="gist",
            name="ex_event_room",
        ),
        sa.CheckConstraint(
            "status <> 'cancelled' OR coalesce(cancel_reason, '') <> ''",
            name=op.f("ck_event_cancel_has_reason"),
        ),
        sa.CheckConstraint("title <> ''", name=op.f("ck_event_title_not_blank")),
        sa.CheckConstraint(
            "NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)",
            name=op.f("ck_event_during_finite"),
        ),
        sa.CheckConstraint(
            "lower_inc(during) AND NOT upper_inc(during)", name=op.f("ck_event_during_half_open")
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_event_version_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_event_centre_id_centre"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["programme_id", "centre_id"],
            ["programme.id", "programme.centre_id"],
            name=op.f("fk_event_programme_id_centre_id_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["room_id", "centre_id"],
            ["room.id", "room.centre_id"],
            name=op.f("fk_event_room_id_centre_id_room"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "centre_id"],
            ["series.id", "series.centre_id"],
            name=op.f("fk_event_series_id_centre_id_series"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint(
            "id", "centre_id", "during", "status", name=op.f("uq_event_id_centre_id_during_status")
        ),
    )
    op.create_index("ix_event_during", "event", ["during"], unique=False, postgresql_using="gist")
    op.create_index("ix_event_series_id", "event", ["series_id"], unique=False)
    op.create_table(
        "event_case",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column(
            "event_status",
            sa.Enum(
                "planned",
                "held",
                "cancelled",
                name="event_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "attendance",
            sa.Enum(
                "expected",
                "present",
                "absent",
                "excused",
                "late",
                name="attendance",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="expected",
            nullable=False,
        ),
        sa.Column("attendance_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.text("int4range(case_id, case_id, '[]')"), "="),
            (sa.column("during"), "&&"),
            where=sa.text("event_status <> 'cancelled'"),
            using="gist",
            name="ex_event_case_no_overlap",
        ),
        sa.CheckConstraint(
            "NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)",
            name=op.f("ck_event_case_during_finite"),
        ),
        sa.CheckConstraint(
            "lower_inc(during) AND NOT upper_inc(during)",
            name=op.f("ck_event_case_during_half_open"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_event_case_version_positive")),
        sa.ForeignKeyConstraint(
            ["case_id", "centre_id"],
            ["case_file.id", "case_file.centre_id"],
            name=op.f("fk_event_case_case_id_centre_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id", "during", "event_status"],
            ["event.id", "event.centre_id", "event.during", "event.status"],
            name=op.f("fk_event_case_event_id_centre_id_during_event_status_event"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "case_id", name=op.f("pk_event_case")),
    )
    op.create_index("ix_event_case_case_id", "event_case", ["case_id"], unique=False)
    op.create_table(
        "event_staff",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column(
            "event_status",
            sa.Enum(
                "planned",
                "held",
                "cancelled",
                name="event_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.text("int4range(staff_id, staff_id, '[]')"), "="),
            (sa.column("during"), "&&"),
            where=sa.text("event_status <> 'cancelled'"),
            using="gist",
            name="ex_event_staff_no_overlap",
        ),
        sa.CheckConstraint(
            "NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)",
            name=op.f("ck_event_staff_during_finite"),
        ),
        sa.CheckConstraint(
            "lower_inc(during) AND NOT upper_inc(during)",
            name=op.f("ck_event_staff_during_half_open"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id", "during", "event_status"],
            ["event.id", "event.centre_id", "event.during", "event.status"],
            name=op.f("fk_event_staff_event_id_centre_id_during_event_status_event"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id", "centre_id"],
            ["staff.id", "staff.centre_id"],
            name=op.f("fk_event_staff_staff_id_centre_id_staff"),
        ),
        sa.PrimaryKeyConstraint("event_id", "staff_id", name=op.f("pk_event_staff")),
    )
    op.create_index("ix_event_staff_staff_id", "event_staff", ["staff_id"], unique=False)
    op.create_table(
        "roster_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column(
            "event_status",
            sa.Enum(
                "planned",
                "held",
                "cancelled",
                name="event_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "assigned",
                "confirmed",
                "declined",
                name="slot_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("task", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.text("int4range(volunteer_id, volunteer_id, '[]')"), "="),
            (sa.column("during"), "&&"),
            where=sa.text(
                "event_status <> 'cancelled' AND volunteer_id IS NOT NULL AND status <> 'declined'"
            ),
            using="gist",
            name="ex_roster_slot_no_overlap",
        ),
        sa.CheckConstraint(
            "(status = 'open') = (volunteer_id IS NULL)",
            name=op.f("ck_roster_slot_open_iff_no_volunteer"),
        ),
        sa.CheckConstraint(
            "NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)",
            name=op.f("ck_roster_slot_during_finite"),
        ),
        sa.CheckConstraint(
            "lower_inc(during) AND NOT upper_inc(during)",
            name=op.f("ck_roster_slot_during_half_open"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_roster_slot_version_positive")),
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id", "during", "event_status"],
            ["event.id", "event.centre_id", "event.during", "event.status"],
            name=op.f("fk_roster_slot_event_id_centre_id_during_event_status_event"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id", "centre_id"],
            ["volunteer.id", "volunteer.centre_id"],
            name=op.f("fk_roster_slot_volunteer_id_centre_id_volunteer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_slot")),
    )
    op.create_index("ix_roster_slot_event_id", "roster_slot", ["event_id"], unique=False)
    op.create_index("ix_roster_slot_volunteer_id", "roster_slot", ["volunteer_id"], unique=False)

    op.execute(AUDIT_FUNCTION)
    op.execute(AUDIT_GUARD)
    for table, keys in AUDITED.items():
        args = ", ".join(f"'{key}'" for key in keys)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION coptui_audit({args})"
        )
    op.execute("REVOKE ALL ON audit_log FROM PUBLIC")


def downgrade() -> None:
    for table in AUDITED:
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS coptui_audit()")
    op.execute("DROP FUNCTION IF EXISTS coptui_audit_refuse()")
    op.drop_index("ix_roster_slot_volunteer_id", table_name="roster_slot")
    op.drop_index("ix_roster_slot_event_id", table_name="roster_slot")
    op.drop_table("roster_slot")
    op.drop_index("ix_event_staff_staff_id", table_name="event_staff")
    op.drop_table("event_staff")
    op.drop_index("ix_event_case_case_id", table_name="event_case")
    op.drop_table("event_case")
    op.drop_index("ix_event_series_id", table_name="event")
    op.drop_index("ix_event_during", table_name="event", postgresql_using="gist")
    op.drop_table("event")
    op.drop_table("programme")
    op.drop_table("case_file")
    op.drop_table("volunteer")
    op.drop_table("staff")
    op.drop_table("series")
    op.drop_table("room")
    op.drop_table("holiday_override")
    op.drop_table("centre_capacity")
    op.drop_table("centre")
    op.drop_index("ix_audit_log_table_row", table_name="audit_log")
    op.drop_table("audit_log")
