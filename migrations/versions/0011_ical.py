"""iCalendar: each occurrence of a series keeps the start its rule gave it (for RECURRENCE-ID
in an export), and busy times imported from an outside calendar keep their UID (so a second
import of the same file skips them).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

M, C, S = "coptui_manager", "coptui_coordinator", "coptui_specialist"
MY_CENTRE = "(SELECT public.coptui_my_centre())"
IN_CENTRE = f"centre_id = {MY_CENTRE}"
# Kept here as they are today, not imported (see 0006): a UID is one line, no control
# characters, and short enough for an index.
UID_CHECK = "char_length(uid) BETWEEN 1 AND 255 AND uid !~ '[\\x01-\\x1f\\x7f-\\x9f\\u2028\\u2029]'"

# Set on insert only, by the database: the app cannot forge it and a move never changes it.
OCCURRENCE_TRIGGER = """
CREATE FUNCTION public.coptui_occurrence_start() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.occurrence_start := CASE WHEN NEW.series_id IS NOT NULL THEN lower(NEW.during) END;
    RETURN NEW;
END
$$;
CREATE TRIGGER event_occurrence_start BEFORE INSERT ON event
    FOR EACH ROW EXECUTE FUNCTION public.coptui_occurrence_start();
"""

POLICIES = (
    ("team", "ALL", f"{M}, {C}", IN_CENTRE, IN_CENTRE),
    ("read", "SELECT", S, IN_CENTRE, None),
    ("add", "INSERT", S, None, IN_CENTRE),
)


def upgrade() -> None:
    op.add_column("event", sa.Column("occurrence_start", sa.DateTime(timezone=True), nullable=True))
    # Occurrences booked before this revision: their start now is the best there is (one
    # moved before it is exported as moved from where it stands).
    op.execute(
        "UPDATE event SET occurrence_start = lower(during) WHERE series_id IS NOT NULL"
        " AND occurrence_start IS NULL"
    )
    op.execute(OCCURRENCE_TRIGGER)
    op.execute("REVOKE ALL ON FUNCTION public.coptui_occurrence_start() FROM PUBLIC")
    op.create_table(
        "event_import",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("recurrence", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("calendar ~ '^(room|staff):[0-9]+$'", name="calendar_known"),
        sa.CheckConstraint(UID_CHECK, name="uid_safe"),
        sa.CheckConstraint(
            "recurrence ~ '^([0-9]{8}T[0-9]{6}Z)?(#[0-9]+)?$'", name="recurrence_instant"
        ),
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id"],
            ["event.id", "event.centre_id"],
            name="fk_event_import_event_id_centre_id_event",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_event_import"),
        sa.UniqueConstraint(
            "centre_id",
            "calendar",
            "uid",
            "recurrence",
            name="uq_event_import_centre_id_calendar_uid_recurrence",
        ),
    )
    # Migration 0009's rules for a new table: no rights until granted, policies forced.
    op.execute("REVOKE ALL ON event_import FROM PUBLIC")
    op.execute("ALTER TABLE event_import ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE event_import FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY coptui_owner ON event_import TO CURRENT_USER USING (true) WITH CHECK (true)"
    )
    for name, command, roles, using, check in POLICIES:
        sql = f"CREATE POLICY {name} ON event_import FOR {command} TO {roles}"
        if using is not None:
            sql += f" USING ({using})"
        if check is not None:
            sql += f" WITH CHECK ({check})"
        op.execute(sql)
    # Added and removed, never edited (it has no version): no UPDATE for anyone.
    op.execute(f"GRANT SELECT, INSERT, DELETE ON event_import TO {M}, {C}")
    op.execute(f"GRANT SELECT, INSERT ON event_import TO {S}")


def downgrade() -> None:
    op.drop_table("event_import")
    op.execute("DROP TRIGGER IF EXISTS event_occurrence_start ON event")
    op.execute("DROP FUNCTION IF EXISTS public.coptui_occurrence_start()")
    op.drop_column("event", "occurrence_start")
