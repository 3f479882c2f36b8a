"""Programmes: a place freed in a session is offered (held) for the first waiting child, and
waiting-list changes reach every open screen.

Revision ID: 0010
Revises: 0009 (the lead re-links the chain)
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Set when a freed place went to the first child of the waiting list; cleared when the
    # key worker confirms it with the family (declining frees the place for the next one).
    op.add_column("event_case", sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
    # The change feed of migration 0002, for the waiting lists too (the function reads the
    # event from event_id; a waiting-list row has no range of its own).
    op.execute(
        "CREATE TRIGGER notify_waitlist_entry AFTER INSERT OR UPDATE OR DELETE ON waitlist_entry"
        " FOR EACH ROW EXECUTE FUNCTION coptui_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS notify_waitlist_entry ON waitlist_entry")
    op.drop_column("event_case", "offered_at")
