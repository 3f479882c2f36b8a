"""Waiting list for full sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_unique_constraint(op.f("uq_event_id_centre_id"), "event", ["id", "centre_id"])
    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id", "centre_id"],
            ["case_file.id", "case_file.centre_id"],
            name=op.f("fk_waitlist_entry_case_id_centre_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id"],
            ["event.id", "event.centre_id"],
            name=op.f("fk_waitlist_entry_event_id_centre_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
        sa.UniqueConstraint("event_id", "case_id", name=op.f("uq_waitlist_entry_event_id_case_id")),
    )
    op.execute(
        "CREATE TRIGGER audit_waitlist_entry AFTER INSERT OR UPDATE OR DELETE ON waitlist_entry"
        " FOR EACH ROW EXECUTE FUNCTION coptui_audit('id')"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_waitlist_entry ON waitlist_entry")
    op.drop_table("waitlist_entry")
    op.drop_constraint(op.f("uq_event_id_centre_id"), "event", type_="unique")
