"""The SQL of the monthly report: one GROUP BY per table of figures, over the month's events.

Every query starts from the centre's events that begin in the month (the index on
``(centre_id, lower(during))`` finds them whatever the years of history) and reaches the link
rows through their primary keys. Parameters: ``c`` the centre, ``a``/``b`` the month's first
moment and the next month's (Europe/Sofia), ``d1`` the first day, ``asof`` the day the state
of the cases is taken on (the month's last day, or today while the month runs).
"""

from __future__ import annotations

# The centre's events that start in the month; busy time (kind block) is no work of the
# centre and counts in no figure.
MONTH = (
    "WITH m AS (SELECT e.id, e.kind, e.status, e.programme_id, e.during, e.cancel_reason"
    " FROM event e WHERE e.centre_id = %(c)s"
    " AND lower(e.during) >= %(a)s AND lower(e.during) < %(b)s AND e.kind <> 'block') "
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

# Each table is summed by ids first and named after: the few summed rows meet the names,
# never the month's thousands of link rows (the planner cannot tell how many the month holds).
SESSIONS = (
    MONTH + "SELECT g.kind, p.id, coalesce(p.title, ''), g.held, g.planned, g.cancelled FROM ("
    " SELECT m.kind::text AS kind, m.programme_id,"
    " count(*) FILTER (WHERE m.status = 'held') AS held,"
    " count(*) FILTER (WHERE m.status = 'planned') AS planned,"
    " count(*) FILTER (WHERE m.status = 'cancelled') AS cancelled"
    " FROM m GROUP BY 1, 2) g LEFT JOIN programme p ON p.id = g.programme_id"
)


CANCEL_REASONS = (
    MONTH + "SELECT r.reason, r.n FROM ("
    " SELECT coalesce(btrim(m.cancel_reason), '') AS reason, count(*) AS n FROM m"
    " WHERE m.status = 'cancelled' GROUP BY 1) r"
)

ATTENDANCE = (
    MONTH + "SELECT p.id, coalesce(p.title, ''), g.n, g.present, g.late, g.absent, g.excused,"
    " g.unmarked FROM (SELECT m.programme_id, count(*) AS n,"
    " count(*) FILTER (WHERE l.attendance = 'present') AS present,"
    " count(*) FILTER (WHERE l.attendance = 'late') AS late,"
    " count(*) FILTER (WHERE l.attendance = 'absent') AS absent,"
    " count(*) FILTER (WHERE l.attendance = 'excused') AS excused,"
    " count(*) FILTER (WHERE l.attendance = 'expected') AS unmarked"
    " FROM m JOIN event_case l ON l.event_id = m.id WHERE m.status = 'held' GROUP BY 1) g"
    " LEFT JOIN programme p ON p.id = g.programme_id"
)

ABSENCES = (
    MONTH + "SELECT r.mark, r.reason, r.n FROM ("
    " SELECT l.attendance::text AS mark, coalesce(btrim(l.attendance_note), '') AS reason,"
    " count(*) AS n FROM m JOIN event_case l ON l.event_id = m.id"
    " WHERE m.status = 'held' AND l.attendance IN ('absent', 'excused') GROUP BY 1, 2) r"
)

_SECONDS = "sum(extract(epoch FROM upper(m.during) - lower(m.during)))"

STAFF_HOURS = (
    MONTH + "SELECT p.id, p.full_name, g.n, g.seconds FROM (SELECT l.staff_id, count(*) AS n,"
    f" {_SECONDS} AS seconds FROM m JOIN event_staff l ON l.event_id = m.id"
    " WHERE m.status = 'held' GROUP BY 1) g JOIN staff p ON p.id = g.staff_id"
)

# A volunteer counts for a place they held (assigned or confirmed), not one they declined.
_VOLUNTEER_JOIN = (
    " FROM m JOIN roster_slot l ON l.event_id = m.id AND l.volunteer_id IS NOT NULL"
    " AND l.status IN ('assigned', 'confirmed') WHERE m.status = 'held'"
)

VOLUNTEER_HOURS = (
    MONTH + "SELECT p.id, p.full_name, g.n, g.seconds FROM (SELECT l.volunteer_id,"
    f" count(DISTINCT m.id) AS n, {_SECONDS} AS seconds"
    + _VOLUNTEER_JOIN
    + " GROUP BY 1) g JOIN volunteer p ON p.id = g.volunteer_id"
)

VOLUNTEER_PROGRAMMES = (
    MONTH + "SELECT p.id, coalesce(p.title, ''), g.people, g.places, g.seconds FROM ("
    " SELECT m.programme_id, count(DISTINCT l.volunteer_id) AS people, count(*) AS places,"
    f" {_SECONDS} AS seconds"
    + _VOLUNTEER_JOIN
    + " GROUP BY 1) g LEFT JOIN programme p ON p.id = g.programme_id"
)

# Children in a session counted through its key (one index probe per session).
OCCUPANCY = (
    MONTH + ", s AS (SELECT m.id, m.programme_id,"
    " (SELECT count(*) FROM event_case l WHERE l.event_id = m.id) AS kids"
    " FROM m WHERE m.status <> 'cancelled' AND m.programme_id IS NOT NULL),"
    " g AS (SELECT s.programme_id, count(*) AS n, sum(s.kids) AS taken FROM s GROUP BY 1),"
    " waits AS (SELECT s.programme_id, count(DISTINCT w.case_id) AS n"
    " FROM s JOIN waitlist_entry w ON w.event_id = s.id GROUP BY 1)"
    " SELECT p.id, p.title, p.capacity, g.n, g.taken, coalesce(waits.n, 0)"
    " FROM g JOIN programme p ON p.id = g.programme_id"
    " LEFT JOIN waits ON waits.programme_id = g.programme_id"
)

# Registered by the day of the report, not started by it, not closed by it.
WAITING_CASES = (
    "SELECT count(*) FROM case_file k WHERE k.centre_id = %(c)s AND k.registered_on <= %(asof)s"
    " AND (k.active_from IS NULL OR k.active_from > %(asof)s)"
    " AND (k.closed_on IS NULL OR k.closed_on > %(asof)s)"
)

CENTRE = "SELECT name, town FROM centre WHERE id = %(c)s"
