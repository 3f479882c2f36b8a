"""What the planner and ``agenda`` show of the rosters: each event's volunteers and open places,
and the coordinator's warnings (places still open soon, volunteers' papers ending).

Runs on the planner's plain psycopg connection or on a SQLAlchemy session, like
``services/calendar.py`` (the planner reads before SQLAlchemy is imported); names come back
cleaned for a terminal.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA, local
from coptui.domain.volunteering import ends_soon, in_date, papers
from coptui.i18n import N_, _, ngettext
from coptui.services.calendar import rows

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


class RosterSummary(NamedTuple):
    """An event's volunteers (by name, in the order they took their places) and open places."""

    volunteers: tuple[str, ...] = ()
    open_places: int = 0


NO_ROSTER = RosterSummary()

_SUMMARY_SQL = """
SELECT r.event_id, r.status, v.full_name
  FROM roster_slot r LEFT JOIN volunteer v ON v.id = r.volunteer_id
 WHERE r.event_id = ANY(%(ids)s) AND r.status <> 'declined'
 ORDER BY r.event_id, r.id
"""


def roster_summaries(db: Any, event_ids: list[int]) -> dict[int, RosterSummary]:
    """The volunteers and open places of each of ``event_ids`` that has a roster.

    Events with no volunteer place at all are left out (use :data:`NO_ROSTER`).
    """
    if not event_ids:
        return {}
    found: dict[int, tuple[list[str], int]] = {}
    for event_id, status, name in rows(db, _SUMMARY_SQL, {"ids": list(event_ids)}):
        names, open_places = found.setdefault(event_id, ([], 0))
        if status == "open":
            found[event_id] = (names, open_places + 1)
        else:
            names.append(clean(name))
    return {
        event_id: RosterSummary(tuple(names), open_places)
        for event_id, (names, open_places) in found.items()
    }


def open_places_text(count: int) -> str:
    """«2 open places for volunteers» (nothing for none)."""
    if count <= 0:
        return ""
    return ngettext(
        "{n} open place for volunteers", "{n} open places for volunteers", count
    ).format(n=count)


_OPEN_SQL = """
SELECT e.id, e.title, lower(e.during), count(*)
  FROM roster_slot r JOIN event e ON e.id = r.event_id
 WHERE e.centre_id = %(c)s AND r.status = 'open' AND e.status = 'planned'
   AND lower(e.during) >= %(a)s AND lower(e.during) < %(b)s
 GROUP BY e.id, e.title, lower(e.during)
 ORDER BY lower(e.during), e.id
"""

_PAPERS_SQL = """
SELECT v.id, v.full_name, v.agreement_date, v.agreement_ends, v.criminal_record_date,
       EXISTS (SELECT 1 FROM roster_slot r
                WHERE r.volunteer_id = v.id AND r.status IN ('assigned', 'confirmed')
                  AND r.event_status = 'planned' AND lower(r.during) >= %(now)s)
  FROM volunteer v
 WHERE v.centre_id = %(c)s AND v.active
 ORDER BY v.full_name, v.id
"""


def coordinator_warnings(db: Any, *, centre_id: int, now: datetime, days: int) -> list[str]:
    """The roster's warnings for the coordinator's status line, one line each.

    - every planned session from ``now`` to the end of the ``days``-th day after today with
      volunteer places still open (``COPTUI_OPEN_PLACES_WARN_DAYS``);
    - every active volunteer whose agreement or certificate ends within 30 days, or is out of
      date while they still hold a place in a coming session.
    """
    today = now.astimezone(SOFIA).date()
    until = local(today + timedelta(days=days + 1), time(0))
    lines = []
    for _id, title, start, count in rows(db, _OPEN_SQL, {"c": centre_id, "a": now, "b": until}):
        at = start.astimezone(SOFIA)
        lines.append(
            _("Still open: {places} in „{title}“ {day} {time}").format(
                places=open_places_text(int(count)),
                title=clean(title),
                day=f"{_(WEEKDAYS[at.weekday()])} {at:%d.%m}",
                time=f"{at:%H:%M}",
            )
        )
    for _id, name, signed, ends, certified, booked in rows(
        db, _PAPERS_SQL, {"c": centre_id, "now": now}
    ):
        for paper in papers(
            agreement_date=signed, agreement_ends=ends, criminal_record_date=certified
        ):
            line = paper_warning(clean(name), paper.kind, paper.last_day, today)
            if paper.missing or paper.last_day is None:
                continue
            if ends_soon(paper, today) or (not in_date(paper, today) and booked):
                lines.append(line)
    return lines


def paper_warning(name: str, kind: str, last_day: date | None, today: date) -> str:
    """«The certificate of X ends on 01.12.2026» (or «ended on», once past)."""
    day = f"{last_day:%d.%m.%Y}" if last_day else "—"
    past = last_day is not None and last_day < today
    if kind == "agreement":
        text = (
            _("The agreement of {name} ended on {day}")
            if past
            else _("The agreement of {name} ends on {day}")
        )
    else:
        text = (
            _("The criminal record certificate of {name} ended on {day}")
            if past
            else _("The criminal record certificate of {name} ends on {day}")
        )
    return text.format(name=name, day=day)
