"""Busy times from outside calendars become their own kind of event, ``block`` («Заето»).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# event.kind is text under a CHECK (native_enum=False, 0001), not a PostgreSQL enum type:
# a new value is a new CHECK, and no ALTER TYPE … ADD VALUE (which could not be used in the
# transaction that adds it) is needed.
KINDS = ("individual", "group", "programme_session", "meeting", "mobile_work")
BUSY_TIME = "kind <> 'block' OR (case_ids = '{}' AND programme_id IS NULL AND status <> 'held')"


def _kinds_check(kinds: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_event_event_kind"), "event", type_="check")
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.create_check_constraint(op.f("ck_event_event_kind"), "event", f"kind IN ({listed})")


def upgrade() -> None:
    _kinds_check((*KINDS, "block"))
    # Until now an imported busy time was a meeting with an event_import row (0011). One a
    # person has since given a case or a programme, or marked held, was taken up as the
    # centre's own work: it stays a meeting.
    op.execute(
        "UPDATE event e SET kind = 'block' WHERE e.kind = 'meeting'"
        " AND EXISTS (SELECT 1 FROM event_import i WHERE i.event_id = e.id)"
        " AND e.case_ids = '{}' AND e.programme_id IS NULL AND e.status <> 'held'"
    )
    op.create_check_constraint(op.f("ck_event_block_is_busy_time"), "event", BUSY_TIME)


def downgrade() -> None:
    op.drop_constraint(op.f("ck_event_block_is_busy_time"), "event", type_="check")
    op.execute("UPDATE event SET kind = 'meeting' WHERE kind = 'block'")
    _kinds_check(KINDS)
