"""The case register's rules: a specialised case is active only with a referral and a
contract; a waiting case remembers when it joined the queue for a place.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Rows written before this revision already follow the rule when they came from coptui (the
# demo gives every active specialised case its referral and contract); a database with other
# rows stops the upgrade here with PostgreSQL's message naming the constraint, and nothing is
# changed: which cases to fix is a person's decision, not a migration's.
def upgrade() -> None:
    op.add_column("case_file", sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_case_file_specialised_active_has_contract"),
        "case_file",
        "status <> 'active' OR service_kind <> 'specialised' OR ("
        "referral_number <> '' AND referral_date IS NOT NULL AND contract_number <> ''"
        " AND contract_start IS NOT NULL AND contract_end IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_case_file_queued_only_while_waiting"),
        "case_file",
        "queued_at IS NULL OR status = 'waiting'",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_case_file_queued_only_while_waiting"), "case_file", type_="check")
    op.drop_constraint(
        op.f("ck_case_file_specialised_active_has_contract"), "case_file", type_="check"
    )
    op.drop_column("case_file", "queued_at")
