"""A refused booking looks for its holders once: coptui_book() asks coptui_clashes_json(), which
now runs only the look-ups the booking needs (no staff, no look-up of staff).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SAFE_PATH = "SET search_path = pg_catalog, public, pg_temp"

# Profiled under twenty booking processes, a refusal cost the server two passes: the EXISTS
# pre-check, then coptui_clashes() for the words, one plan of four joined branches and a
# sub-plan, set up in full even for a booking of a room alone. Now one pass per kind that the
# booking names, each answering its holders as JSON (title, times, staff of the holder); an
# empty array means free. Each kind's holders come in time order; the service merges the
# kinds (a stable sort: room, staff, case, volunteer for the same event). coptui_clashes()
# (the form's check, with its exclusions) is unchanged.


def _people(event: str) -> str:
    """The staff of the holding event by name, lead first; none looked up for an event
    without staff (its copy ``staff_ids``, kept by a trigger, says so)."""
    return (
        f"CASE WHEN {event}.staff_ids = '{{}}' THEN '{{}}'::text[] ELSE coalesce(("
        " SELECT array_agg(st.full_name ORDER BY l.is_lead DESC, st.full_name)"
        " FROM event_staff l JOIN staff st ON st.id = l.staff_id"
        f" WHERE l.event_id = {event}.id), '{{}}') END"
    )


def _holders(kind: str, resource: str, event: str, source: str) -> str:
    """One kind's holders as a JSON array (NULL when none), in time order."""
    return f"""
            SELECT jsonb_agg(jsonb_build_object(
                       'kind', '{kind}', 'resource', {resource}, 'event_id', {event}.id,
                       'title', {event}.title, 'starts', lower({event}.during),
                       'ends', upper({event}.during), 'people', {_people(event)})
                       ORDER BY lower({event}.during), {event}.id)
              {source}"""


ROOM = _holders(
    "room",
    "r.name",
    "x",
    """FROM event x JOIN room r ON r.id = x.room_id
             WHERE int4range(x.room_id, x.room_id, '[]') = int4range(p_room, p_room, '[]')
               AND x.during && p_during AND x.status <> 'cancelled'""",
)
STAFF = _holders(
    "staff",
    "st.full_name",
    "e",
    """FROM event_staff h JOIN staff st ON st.id = h.staff_id
              JOIN event e ON e.id = h.event_id
             WHERE h.staff_id = ANY(p_staff) AND h.during && p_during
               AND h.event_status <> 'cancelled'""",
)
CASES = _holders(
    "case",
    "c.code || CASE WHEN c.child_name <> '' THEN ' (' || c.child_name || ')' ELSE '' END",
    "e",
    """FROM event_case h JOIN case_file c ON c.id = h.case_id
              JOIN event e ON e.id = h.event_id
             WHERE h.case_id = ANY(p_cases) AND h.during && p_during
               AND h.event_status <> 'cancelled'""",
)
VOLUNTEERS = _holders(
    "volunteer",
    "v.full_name",
    "e",
    """FROM roster_slot h JOIN volunteer v ON v.id = h.volunteer_id
              JOIN event e ON e.id = h.event_id
             WHERE h.volunteer_id = ANY(p_volunteers) AND h.during && p_during
               AND h.event_status <> 'cancelled' AND h.status <> 'declined'""",
)

# Profiled under twenty booking processes, a refusal cost the server two passes: the EXISTS
# pre-check, then coptui_clashes() for the words, one plan of four joined branches and a
# sub-plan, set up in full even for a booking of a room alone. Now one query per kind the
# booking names, each answering its holders as JSON; an empty array means free. Each kind's
# holders come in time order; the service merges the kinds with a stable sort (room, staff,
# case, volunteer for the same event). coptui_clashes() (the form's check, with its
# exclusions) is unchanged.
CLASHES_JSON_FUNCTION = f"""
CREATE OR REPLACE FUNCTION public.coptui_clashes_json(
    p_during tstzrange, p_room int, p_staff int[], p_cases int[], p_volunteers int[]
) RETURNS jsonb LANGUAGE plpgsql STABLE {SAFE_PATH} AS $$
DECLARE
    held jsonb := '[]';
BEGIN
    IF p_room IS NOT NULL THEN
        held := held || coalesce(({ROOM}), '[]');
    END IF;
    IF cardinality(p_staff) > 0 THEN
        held := held || coalesce(({STAFF}), '[]');
    END IF;
    IF cardinality(p_cases) > 0 THEN
        held := held || coalesce(({CASES}), '[]');
    END IF;
    IF cardinality(array_remove(p_volunteers, NULL)) > 0 THEN
        held := held || coalesce(({VOLUNTEERS}), '[]');
    END IF;
    RETURN held;
END
$$
"""

# As 0004 wrote it, but the pre-check is the holders' look-up itself: a refusal answers with
# what it found, a free slot costs what the EXISTS did.
BOOK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION public.coptui_book(
    p_centre int, p_kind text, p_title text, p_during tstzrange, p_room int,
    p_programme int, p_series int, p_notes text,
    p_staff int[], p_cases int[], p_volunteers int[],
    p_day date, p_check_day boolean, p_working boolean, p_people int,
    OUT outcome text, OUT event_id int, OUT event_version int, OUT event_status text,
    OUT override_kind text, OUT override_note text, OUT room_name text, OUT max_people int,
    OUT clashes jsonb
) LANGUAGE plpgsql {SAFE_PATH} AS $$
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
    clashes := coptui_clashes_json(p_during, p_room, p_staff, p_cases, p_volunteers);
    IF clashes <> '[]' THEN
        outcome := 'taken';
        RETURN;
    END IF;
    clashes := NULL;
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
                            FROM unnest(p_staff) WITH ORDINALITY AS p(id, n)), '{{}}'),
                coalesce((SELECT array_agg(c ORDER BY c) FROM unnest(p_cases) AS c), '{{}}'))
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


def _revision_0004() -> ModuleType:
    """Migration 0004, whose functions the downgrade puts back as they were."""
    path = Path(__file__).with_name("0004_book_function.py")
    spec = importlib.util.spec_from_file_location("coptui_migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute(CLASHES_JSON_FUNCTION)
    op.execute(BOOK_FUNCTION)


def downgrade() -> None:
    old = _revision_0004()
    for function in (old.CLASHES_JSON_FUNCTION, old.BOOK_FUNCTION):
        sql = function.replace("CREATE FUNCTION ", "CREATE OR REPLACE FUNCTION public.", 1)
        # 0006 pinned their search path; CREATE OR REPLACE sets it as the text says.
        op.execute(sql.replace(" AS $$", f" {SAFE_PATH} AS $$", 1))
