"""Change feed: pg_notify on every change to events and their link rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "coptui_changes"
TABLES = ("event", "event_staff", "event_case", "roster_slot")

# The payload names the centre, what changed, the event and both time ranges (a move touches
# two weeks), so a screen refreshes only when the change is in the week it shows.
NOTIFY_FUNCTION = f"""
CREATE FUNCTION coptui_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    r jsonb := coalesce(new_row, old_row);
BEGIN
    PERFORM pg_notify('{CHANNEL}', jsonb_build_object(
        'centre', r -> 'centre_id',
        'table', TG_TABLE_NAME,
        'op', TG_OP,
        'event', coalesce(r -> 'event_id', r -> 'id'),
        'lower', lower((r ->> 'during')::tstzrange),
        'upper', upper((r ->> 'during')::tstzrange),
        'old_lower', lower((old_row ->> 'during')::tstzrange),
        'old_upper', upper((old_row ->> 'during')::tstzrange)
    )::text);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(NOTIFY_FUNCTION)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER notify_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION coptui_notify()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS notify_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS coptui_notify()")
