"""The SQL of the monthly report: one GROUP BY per table of figures, over the month's events.

Every query starts from the centre's events that begin in the month (the index on
``(centre_id, lower(during))`` finds them whatever the years of history) and reaches the link
rows through their primary keys. Parameters: ``c`` the centre, ``a``/``b`` the month's first
moment and the next month's (Europe/Sofia), ``d1`` the first day, ``asof`` the day the state
of the cases is taken on (the month's last day, or today while the month runs).
"""

from __future__ import annotations

# The centre's events that start in the month.
MONTH = (
    "WITH m AS (SELECT e.id, e.kind, e.status, e.programme_id, e.during, e.cancel_reason"
    " FROM event e WHERE e.centre_id = %(c)s"
    " AND lower(e.during) >= %(a)s AND lower(e.during) < %(b)s) "
)

# A served case: its service had started by the day of the report (active or closed since),
# and had not ended before the month began.
_SERVED = (
    " FROM case_file k WHERE k.centre_id = %(c)s AND k.status IN ('active', 'closed')"
    " AND k.active_from <= %(asof)s AND (k.closed_on IS NULL OR k.closed_on >= %(d1)s)"
)
_CASE_COUNTS = (
    " count(*) FILTER (WHERE k.active_from >= %(d1)s) AS new, count(*) AS active,"
    " count(*) FILTER (WHERE k.closed_on >= %(d1)s AND k.closed_on <= %(asof)s) AS closed"
)

CASES_BY_KIND = "SELECT k.service_kind::text," + _CASE_COUNTS + _SERVED + " GROUP BY 1 ORDER BY 1"

CASES_BY_TYPE = (
    "SELECT k.service_kind::text, coalesce(t.type, ''),"
    + _CASE_COUNTS
    + " FROM case_file k LEFT JOIN LATERAL unnest(ARRAY(SELECT DISTINCT btrim(x)"
    " FROM unnest(k.service_types) AS x WHERE btrim(x) <> '')) AS t(type) ON true"
    + _SERVED.removeprefix(" FROM case_file k")
    + " GROUP BY 1, 2 ORDER BY 1, 2"
)

# General-access cases still open on the day of the report whose two months may be near their
# end: at least 45 days in (two months are never fewer than 59 days, so the 14 days of warning
# never start earlier). The exact end and warning come from ``domain.caserules``.
LIMIT_CANDIDATES = (
    "SELECT k.code, k.active_from FROM case_file k WHERE k.centre_id = %(c)s"
    " AND k.service_kind = 'general_access' AND k.status IN ('active', 'closed')"
    " AND k.active_from <= %(asof)s - 45 AND (k.closed_on IS NULL OR k.closed_on > %(asof)s)"
)

SESSIONS = (
    MONTH + "SELECT m.kind::text, p.id, coalesce(p.title, ''),"
    " count(*) FILTER (WHERE m.status = 'held'), count(*) FILTER (WHERE m.status = 'planned'),"
    " count(*) FILTER (WHERE m.status = 'cancelled')"
    " FROM m LEFT JOIN programme p ON p.id = m.programme_id GROUP BY 1, 2, 3"
)


def _names_a_child(column: str) -> str:
    """SQL true when the text ``column`` holds a word (3+ letters) of a child's or family's name.

    Reasons are typed by people; a report leaves the building, so a reason that names a child
    is withheld rather than printed.
    """
    return (
        f"EXISTS (SELECT 1 FROM case_file n, LATERAL regexp_split_to_table("
        f"lower(n.child_name || ' ' || n.family_name), '[^[:alpha:]]+') AS w(word)"
        f" WHERE n.centre_id = %(c)s AND length(w.word) >= 3"
        f" AND ' ' || regexp_replace(lower({column}), '[^[:alpha:]]+', ' ', 'g') || ' '"
        f" LIKE '%% ' || w.word || ' %%')"
    )


CANCEL_REASONS = (
    MONTH + "SELECT r.reason, r.n, " + _names_a_child("r.reason") + " FROM ("
    " SELECT coalesce(btrim(m.cancel_reason), '') AS reason, count(*) AS n FROM m"
    " WHERE m.status = 'cancelled' GROUP BY 1) r"
)

ATTENDANCE = (
    MONTH + "SELECT p.id, coalesce(p.title, ''), count(*),"
    " count(*) FILTER (WHERE l.attendance = 'present'),"
    " count(*) FILTER (WHERE l.attendance = 'late'),"
    " count(*) FILTER (WHERE l.attendance = 'absent'),"
    " count(*) FILTER (WHERE l.attendance = 'excused'),"
    " count(*) FILTER (WHERE l.attendance = 'expected')"
    " FROM m JOIN event_case l ON l.event_id = m.id LEFT JOIN programme p ON p.id = m.programme_id"
    " WHERE m.status = 'held' GROUP BY 1, 2"
)

ABSENCES = (
    MONTH + "SELECT r.mark, r.reason, r.n, " + _names_a_child("r.reason") + " FROM ("
    " SELECT l.attendance::text AS mark, coalesce(btrim(l.attendance_note), '') AS reason,"
    " count(*) AS n FROM m JOIN event_case l ON l.event_id = m.id"
    " WHERE m.status = 'held' AND l.attendance IN ('absent', 'excused') GROUP BY 1, 2) r"
)

_SECONDS = "sum(extract(epoch FROM upper(m.during) - lower(m.during)))"

STAFF_HOURS = (
    MONTH + f"SELECT p.id, p.full_name, count(*), {_SECONDS}"
    " FROM m JOIN event_staff l ON l.event_id = m.id JOIN staff p ON p.id = l.staff_id"
    " WHERE m.status = 'held' GROUP BY 1, 2"
)

# A volunteer counts for a place they held (assigned or confirmed), not one they declined.
_VOLUNTEER_JOIN = (
    " FROM m JOIN roster_slot l ON l.event_id = m.id AND l.volunteer_id IS NOT NULL"
    " AND l.status IN ('assigned', 'confirmed')"
)

VOLUNTEER_HOURS = (
    MONTH
    + f"SELECT p.id, p.full_name, count(DISTINCT m.id), {_SECONDS}"
    + _VOLUNTEER_JOIN
    + " JOIN volunteer p ON p.id = l.volunteer_id WHERE m.status = 'held' GROUP BY 1, 2"
)

VOLUNTEER_PROGRAMMES = (
    MONTH + f"SELECT p.id, coalesce(p.title, ''), count(DISTINCT l.volunteer_id), count(*),"
    f" {_SECONDS}"
    + _VOLUNTEER_JOIN
    + " LEFT JOIN programme p ON p.id = m.programme_id WHERE m.status = 'held' GROUP BY 1, 2"
)

OCCUPANCY = (
    MONTH + ", s AS (SELECT m.id, m.programme_id FROM m"
    " WHERE m.status <> 'cancelled' AND m.programme_id IS NOT NULL),"
    " kids AS (SELECT l.event_id, count(*) AS n FROM s JOIN event_case l ON l.event_id = s.id"
    " GROUP BY 1),"
    " waits AS (SELECT s.programme_id, count(DISTINCT w.case_id) AS n"
    " FROM s JOIN waitlist_entry w ON w.event_id = s.id GROUP BY 1)"
    " SELECT p.id, p.title, p.capacity, count(*), coalesce(sum(kids.n), 0),"
    " coalesce(max(waits.n), 0)"
    " FROM s JOIN programme p ON p.id = s.programme_id LEFT JOIN kids ON kids.event_id = s.id"
    " LEFT JOIN waits ON waits.programme_id = s.programme_id GROUP BY 1, 2, 3"
)

# Registered by the day of the report, not started by it, not closed by it.
WAITING_CASES = (
    "SELECT count(*) FROM case_file k WHERE k.centre_id = %(c)s AND k.registered_on <= %(asof)s"
    " AND (k.active_from IS NULL OR k.active_from > %(asof)s)"
    " AND (k.closed_on IS NULL OR k.closed_on > %(asof)s)"
)

CENTRE = "SELECT name, town FROM centre WHERE id = %(c)s"
