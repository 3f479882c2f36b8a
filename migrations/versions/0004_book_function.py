"""coptui_book() and coptui_clashes(): a booking, and who holds a slot, in one round trip each;
each event carries the ids of its staff and cases, kept by a trigger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The function decides nothing that needs words: it answers with an outcome and the facts
# the service needs to explain a refusal in the person's language.
#   'day'    the day has a local override, or is not a working day nationally (p_working);
#            the service weighs the override and may call again with p_check_day false;
#   'room'   no such room in the centre, or fewer places than p_people;
#   'taken'  a committed event holds part of it (seen before locking, so a crowd at a full
#            slot is turned away in parallel), or the exclusion constraint said so after the
#            locks (the insert's own subtransaction is rolled back, the caller's is not);
#            `clashes` lists the holders (coptui_clashes as JSON), so a refusal costs one
#            round trip too;
#   'booked' with the new event's id, version and status.
# Each statement of a plpgsql function takes a fresh snapshot, so the insert after the
# advisory locks sees what the writers it waited for committed. Writers take the locks in
# one global order (room, staff, cases, volunteers; by id) so that exclusion checks on two
# tables never wait on each other in opposite orders.
BOOK_FUNCTION = """
CREATE FUNCTION coptui_book(
    p_centre int, p_kind text, p_title text, p_during tstzrange, p_room int,
    p_programme int, p_series int, p_notes text,
    p_staff int[], p_cases int[], p_volunteers int[],
    p_day date, p_check_day boolean, p_working boolean, p_people int,
    OUT outcome text, OUT event_id int, OUT event_version int, OUT event_status text,
    OUT override_kind text, OUT override_note text, OUT room_name text, OUT max_people int,
    OUT clashes jsonb
) LANGUAGE plpgsql AS $$
DECLARE
    lock_kind int;
    lock_id int;
BEGIN
    IF p_check_day THEN
        SELECT o.kind, o.note INTO override_kind, override_note
          FROM holiday_override o WHERE o.centre_id = p_centre AND o.day = p_day;
        IF FOUND OR NOT p_working THEN
            outcome := 'day';
            RETURN;
        END IF;
    END IF;
    IF p_room IS NOT NULL THEN
        SELECT r.name, r.max_people INTO room_name, max_people
          FROM room r WHERE r.id = p_room AND r.centre_id = p_centre;
        IF NOT FOUND OR max_people < p_people THEN
            outcome := 'room';
            RETURN;
        END IF;
    END IF;
    IF (p_room IS NOT NULL AND EXISTS (
            SELECT 1 FROM event e WHERE int4range(e.room_id, e.room_id, '[]')
                   = int4range(p_room, p_room, '[]') AND e.during && p_during
               AND e.status <> 'cancelled'))
       OR EXISTS (SELECT 1 FROM event_staff l WHERE l.staff_id = ANY(p_staff)
                     AND l.during && p_during AND l.event_status <> 'cancelled')
       OR EXISTS (SELECT 1 FROM event_case l WHERE l.case_id = ANY(p_cases)
                     AND l.during && p_during AND l.event_status <> 'cancelled')
       OR EXISTS (SELECT 1 FROM roster_slot l WHERE l.volunteer_id = ANY(p_volunteers)
                     AND l.during && p_during AND l.event_status <> 'cancelled'
                     AND l.status <> 'declined')
    THEN
        outcome := 'taken';
        clashes := coptui_clashes_json(p_during, p_room, p_staff, p_cases, p_volunteers);
        RETURN;
    END IF;
    FOR lock_kind, lock_id IN
        SELECT 1, p_room WHERE p_room IS NOT NULL
        UNION ALL SELECT 2, s FROM unnest(p_staff) AS s
        UNION ALL SELECT 3, c FROM unnest(p_cases) AS c
        UNION ALL SELECT 4, v FROM unnest(p_volunteers) AS v WHERE v IS NOT NULL
        ORDER BY 1, 2
    LOOP
        PERFORM pg_advisory_xact_lock(lock_kind, lock_id);
    END LOOP;
    BEGIN
        -- The people arrays in the order coptui_event_people() keeps: the lead, then by id.
        INSERT INTO event (centre_id, kind, title, during, room_id, programme_id, series_id,
                           notes, staff_ids, case_ids)
        VALUES (p_centre, p_kind, p_title, p_during, p_room, p_programme, p_series, p_notes,
                coalesce((SELECT array_agg(p.id ORDER BY p.n <> 1, p.id)
                            FROM unnest(p_staff) WITH ORDINALITY AS p(id, n)), '{}'),
                coalesce((SELECT array_agg(c ORDER BY c) FROM unnest(p_cases) AS c), '{}'))
        RETURNING id, version, status INTO event_id, event_version, event_status;
        INSERT INTO event_staff (event_id, centre_id, during, event_status, staff_id, is_lead)
        SELECT event_id, p_centre, p_during, event_status, p.id, p.n = 1
          FROM unnest(p_staff) WITH ORDINALITY AS p(id, n);
        INSERT INTO event_case (event_id, centre_id, during, event_status, case_id)
        SELECT event_id, p_centre, p_during, event_status, p.id FROM unnest(p_cases) AS p(id);
        INSERT INTO roster_slot (event_id, centre_id, during, event_status, volunteer_id,
                                 status)
        SELECT event_id, p_centre, p_during, event_status, p.id,
               CASE WHEN p.id IS NULL THEN 'open' ELSE 'assigned' END
          FROM unnest(p_volunteers) AS p(id);
        outcome := 'booked';
    EXCEPTION WHEN exclusion_violation THEN
        outcome := 'taken';
        event_id := NULL;
        event_version := NULL;
        event_status := NULL;
    END;
    IF outcome = 'taken' THEN
        -- A fresh snapshot: the holder we waited for has committed.
        clashes := coptui_clashes_json(p_during, p_room, p_staff, p_cases, p_volunteers);
    END IF;
END
$$
"""

# Everything that holds the room or one of the people for part of p_during, with the staff of
# each holding event (lead first), for the words of a refusal. A plpgsql function keeps its
# plan for the whole session; a statement sent by the client is planned again after every
# ROLLBACK (psycopg forgets its prepared statements then), and planning this union of joins
# costs more than running it.
CLASHES_FUNCTION = """
CREATE FUNCTION coptui_clashes(
    p_during tstzrange, p_room int, p_staff int[], p_cases int[], p_volunteers int[],
    p_exclude int[]
) RETURNS TABLE (kind text, resource text, event_id int, title text, starts timestamptz,
                 ends timestamptz, people text[])
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT h.kind, h.resource, e.id, e.title, lower(e.during), upper(e.during),
           coalesce((SELECT array_agg(st.full_name ORDER BY l.is_lead DESC, st.full_name)
                       FROM event_staff l JOIN staff st ON st.id = l.staff_id
                      WHERE l.event_id = e.id), '{}')
      FROM (
        SELECT 'room' AS kind, r.name AS resource, x.id AS event_id
          FROM event x JOIN room r ON r.id = x.room_id
         WHERE int4range(x.room_id, x.room_id, '[]') = int4range(p_room, p_room, '[]')
           AND x.during && p_during AND x.status <> 'cancelled'
        UNION ALL
        SELECT 'staff', st.full_name, l.event_id
          FROM event_staff l JOIN staff st ON st.id = l.staff_id
         WHERE l.staff_id = ANY(p_staff) AND l.during && p_during
           AND l.event_status <> 'cancelled'
        UNION ALL
        SELECT 'case', c.code || CASE WHEN c.child_name <> '' THEN ' (' || c.child_name || ')'
                                      ELSE '' END, l.event_id
          FROM event_case l JOIN case_file c ON c.id = l.case_id
         WHERE l.case_id = ANY(p_cases) AND l.during && p_during
           AND l.event_status <> 'cancelled'
        UNION ALL
        SELECT 'volunteer', v.full_name, l.event_id
          FROM roster_slot l JOIN volunteer v ON v.id = l.volunteer_id
         WHERE l.volunteer_id = ANY(p_volunteers) AND l.during && p_during
           AND l.event_status <> 'cancelled' AND l.status <> 'declined'
      ) AS h
      JOIN event e ON e.id = h.event_id
     WHERE e.id <> ALL(p_exclude)
     ORDER BY lower(e.during), e.id;
END
$$
"""

CLASHES_JSON_FUNCTION = """
CREATE FUNCTION coptui_clashes_json(
    p_during tstzrange, p_room int, p_staff int[], p_cases int[], p_volunteers int[]
) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(to_jsonb(c)), '[]')
              FROM coptui_clashes(p_during, p_room, p_staff, p_cases, p_volunteers, '{}') c);
END
$$
"""


# event.staff_ids and event.case_ids repeat the link tables, so that the whole centre's week
# is read from one table (5,000 events a week: joining the links cost three times the rest).
# The link tables stay the truth (the exclusion constraints are on them); this trigger keeps
# the arrays equal to them after every change, whoever makes it, and writes nothing when they
# already are (coptui_book() sets them in its insert).
PEOPLE_FUNCTION = """
CREATE FUNCTION coptui_event_people() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids int[] := ARRAY[]::int[];
    one int;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        ids := ids || OLD.event_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        ids := ids || NEW.event_id;
    END IF;
    FOREACH one IN ARRAY ids LOOP
        IF TG_TABLE_NAME = 'event_staff' THEN
            UPDATE event e SET staff_ids = p.ids
              FROM (SELECT coalesce(array_agg(l.staff_id ORDER BY l.is_lead DESC, l.staff_id),
                                    '{}') AS ids
                      FROM event_staff l WHERE l.event_id = one) AS p
             WHERE e.id = one AND e.staff_ids IS DISTINCT FROM p.ids;
        ELSE
            UPDATE event e SET case_ids = p.ids
              FROM (SELECT coalesce(array_agg(l.case_id ORDER BY l.case_id), '{}') AS ids
                      FROM event_case l WHERE l.event_id = one) AS p
             WHERE e.id = one AND e.case_ids IS DISTINCT FROM p.ids;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$
"""
PEOPLE_TRIGGERS = {
    "event_staff": "event_id, staff_id, is_lead",
    "event_case": "event_id, case_id",
}


def upgrade() -> None:
    for column in ("staff_ids", "case_ids"):
        op.add_column(
            "event",
            sa.Column(
                column,
                postgresql.ARRAY(sa.Integer()),
                server_default=sa.text("'{}'::integer[]"),
                nullable=False,
            ),
        )
    op.execute(
        "UPDATE event e SET staff_ids = p.ids FROM (SELECT event_id,"
        " array_agg(staff_id ORDER BY is_lead DESC, staff_id) AS ids FROM event_staff"
        " GROUP BY event_id) AS p WHERE p.event_id = e.id"
    )
    op.execute(
        "UPDATE event e SET case_ids = p.ids FROM (SELECT event_id,"
        " array_agg(case_id ORDER BY case_id) AS ids FROM event_case GROUP BY event_id) AS p"
        " WHERE p.event_id = e.id"
    )
    op.execute(PEOPLE_FUNCTION)
    for table, columns in PEOPLE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER people_{table} AFTER INSERT OR DELETE OR UPDATE OF {columns}"
            f" ON {table} FOR EACH ROW EXECUTE FUNCTION coptui_event_people()"
        )
    op.execute(CLASHES_FUNCTION)
    op.execute(CLASHES_JSON_FUNCTION)
    op.execute(BOOK_FUNCTION)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS coptui_book(int, text, text, tstzrange, int, int, int, text,"
        " int[], int[], int[], date, boolean, boolean, int)"
    )
    op.execute("DROP FUNCTION IF EXISTS coptui_clashes_json(tstzrange, int, int[], int[], int[])")
    op.execute("DROP FUNCTION IF EXISTS coptui_clashes(tstzrange, int, int[], int[], int[], int[])")
    for table in PEOPLE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS people_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS coptui_event_people()")
    op.drop_column("event", "case_ids")
    op.drop_column("event", "staff_ids")
