"""Setting up a centre: programmes get a room and can be deactivated; people's names are unique.

Revision ID: 0008
Revises: 0007 (0005 before the merge of h5-cases)
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "programme", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column("programme", sa.Column("room_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_programme_room_id_centre_id_room"),
        "programme",
        "room",
        ["room_id", "centre_id"],
        ["id", "centre_id"],
    )
    # Staff and volunteers are found by name when booking and importing: a second person of
    # the same name in one centre would make every name ambiguous.
    op.create_unique_constraint(
        op.f("uq_staff_centre_id_full_name"), "staff", ["centre_id", "full_name"]
    )
    op.create_unique_constraint(
        op.f("uq_volunteer_centre_id_full_name"), "volunteer", ["centre_id", "full_name"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_volunteer_centre_id_full_name"), "volunteer", type_="unique")
    op.drop_constraint(op.f("uq_staff_centre_id_full_name"), "staff", type_="unique")
    op.drop_constraint(op.f("fk_programme_room_id_centre_id_room"), "programme", type_="foreignkey")
    op.drop_column("programme", "room_id")
    op.drop_column("programme", "active")
