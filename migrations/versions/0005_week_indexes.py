"""A btree index by (centre, start) for the whole centre's week; an event lasts at most a day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The centre's week reads its events (with their people's ids, see 0004) by start time, in
# index order: nothing to hash or sort. An event starting before the week is found because
# none lasts more than a day (the CHECK below; the services refused longer ones already).
def upgrade() -> None:
    op.create_check_constraint(
        op.f("ck_event_at_most_a_day"), "event", "upper(during) - lower(during) <= interval '1 day'"
    )
    op.execute("CREATE INDEX ix_event_centre_start ON event (centre_id, lower(during), id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_event_centre_start")
    op.drop_constraint(op.f("ck_event_at_most_a_day"), "event", type_="check")
