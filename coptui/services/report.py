"""The monthly report a ЦОП sends to its municipality: one call reads the month's figures.

What each figure counts (the README's «Месечен отчет» says the same for the people who send it):

- The month is its days in the centre's time (Europe/Sofia); an event belongs to the month it
  starts in. The state of the cases is taken on the *day of the report*: the month's last day,
  or today while the month is still running.
- Busy time («Заето», kind ``block``: an outside calendar's busy times brought in, or time
  marked busy by hand) is no work of the centre: it counts in no figure.
- **Cases served** (children and families): a case whose service had started by the day of the
  report (``active_from``) and had not ended before the month began (no ``closed_on``, or one
  in the month or later). **New**: of them, the service started in the month. **Closed**: of
  them, closed in the month (by the day of the report). By service kind (general access /
  specialised) each case counts once, so the kinds add up to the totals. By service type a
  case with two types counts under each (a case without one under «no type given»): that
  table does not add up to the cases, and says so.
- **General access near or over the two months**: general-access cases still open on the day
  of the report whose last day (``domain.caserules.general_access_end``) is at most 14 days
  ahead (near) or already past (over), with their code, start, last day and days left.
- **Sessions**: events that start in the month, by kind and programme: held (marked held),
  planned (never marked held) and cancelled. *Individual work* is the kind «individual»; *group
  work* the kinds «group» and «programme session»; *other* meetings and mobile work: together
  the held sessions. **Cancelled** by reason, as typed when cancelling.
- **Attendance**: the children registered in held sessions (one per child per session),
  per programme (sessions without one together) and overall: present, late, absent, excused,
  not marked. The rate is (present + late) / registered. **Absences by reason**: absent and
  excused marks by the reason typed with them.
- **Hours**: the elapsed length of the held sessions (a session across the autumn clock change
  counts as it lasted), for each specialist in them and for each volunteer with a place in them
  (assigned or confirmed; not a declined one), and the volunteers' hours per programme.
- **Programme occupancy**: for each programme with sessions in the month that were not
  cancelled (held or planned): sessions, places taken (children registered in them) and seats
  (the programme's seats times its sessions; none when the programme has no limit), and the
  children on the waiting lists of those sessions as the report is made. The total's seats
  and occupancy count only the programmes with a limit.
- **Waiting to start**: cases registered by the day of the report that had neither started
  nor been closed by it.

Only case codes leave in a report, never names; a typed reason naming a child or family, in
any form ``coptui.domain.privacy`` finds, is withheld (``ReasonLine.withheld``). Every stored
text is cleaned for a terminal.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.caserules import days_left, general_access_end, warning_level
from coptui.domain.privacy import Redactor
from coptui.domain.text import clean
from coptui.errors import BadInputError, PermissionDeniedError
from coptui.i18n import _
from coptui.services import report_reads as sql
from coptui.services.calendar import rows
from coptui.services.hours import month_bounds
from coptui.services.redaction import centre_redactor
from coptui.services.report_rows import (
    AttendanceLine,
    CaseLine,
    HoursLine,
    LimitCase,
    MonthReport,
    OccupancyLine,
    ReasonLine,
    SessionLine,
)

#: Who may make the report: those who plan the centre (and the single-user owner).
REPORT_ROLES = frozenset({"manager", "coordinator", "owner"})


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of a month."""
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following - timedelta(days=1)


def refuse_unless_reporter(session: Session) -> None:
    """Refuse a caller whose role may not make the report (a specialist, a volunteer).

    The report counts every case of the centre: a specialist sees only their own caseload
    (row-level security), so their figures would be wrong, and a volunteer sees no case.

    Raises:
        PermissionDeniedError: the caller is neither manager nor coordinator.
    """
    from coptui.services.identity import current_identity

    if current_identity(session).role not in REPORT_ROLES:
        raise PermissionDeniedError(
            _("The monthly report is made by the centre's manager or coordinator."),
            title=_("No rights"),
        )


def snapshot(session: Session) -> None:
    """Read the whole report from one snapshot (call first in the transaction)."""
    session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))


def read_month_report(session: Session, *, year: int, month: int, today: date) -> MonthReport:
    """The caller's month report, as the CLI and the report screen make it: one snapshot,
    the caller's role checked, the centre this database serves.

    Call it first in its transaction (``transact``).

    Raises:
        PermissionDeniedError: the caller is neither manager nor coordinator.
        BadInputError: there is no centre yet, or the month has not begun.
    """
    from coptui.services.directory import only_centre

    snapshot(session)
    refuse_unless_reporter(session)
    centre_id = only_centre(session)
    return month_report(session, centre_id=centre_id, year=year, month=month, today=today)


def month_report(
    session: Session, *, centre_id: int, year: int, month: int, today: date
) -> MonthReport:
    """The figures of one month of one centre (see the module for what each counts).

    Args:
        today: the centre's today; the state of the cases is taken on the month's last day,
            or on ``today`` while the month runs.

    Raises:
        BadInputError: the month has not begun yet.
    """
    first, last = month_days(year, month)
    if today < first:
        raise BadInputError(
            _("{month:02d}.{year} has not begun yet; its report can be made from {day}.").format(
                month=month, year=year, day=f"{first:%d.%m.%Y}"
            )
        )
    as_of = min(last, today)
    start, end = month_bounds(year, month)
    p = {"c": centre_id, "a": start, "b": end, "d1": first, "asof": as_of}

    def q(statement: str) -> list[Any]:
        return rows(session, statement, p)

    centre = q(sql.CENTRE)
    names = centre_redactor(session, centre_id, codes=False)
    name, town = centre[0] if centre else ("", "")
    return MonthReport(
        centre=clean(name),
        town=clean(town),
        year=year,
        month=month,
        as_of=as_of,
        cases_by_kind=tuple(
            CaseLine(kind, "", int(n), int(a), int(c)) for kind, n, a, c in q(sql.CASES_BY_KIND)
        ),
        cases_by_type=tuple(
            CaseLine(kind, clean(t), int(n), int(a), int(c))
            for kind, t, n, a, c in q(sql.CASES_BY_TYPE)
        ),
        near_limit=_near_limit(q(sql.LIMIT_CANDIDATES), as_of),
        sessions=tuple(
            sorted(
                (
                    SessionLine(kind, clean(title), int(h), int(pl), int(c))
                    for kind, _p, title, h, pl, c in q(sql.SESSIONS)
                ),
                key=lambda s: (s.kind, s.programme.casefold()),
            )
        ),
        cancellations=_reasons(((r, n, "") for r, n in q(sql.CANCEL_REASONS)), names),
        attendance=tuple(
            sorted(
                (
                    AttendanceLine(clean(t), *(int(x) for x in counts))
                    for _p, t, *counts in q(sql.ATTENDANCE)
                ),
                key=lambda a: (not a.programme, a.programme.casefold()),
            )
        ),
        absences=_reasons(((r, n, mark) for mark, r, n in q(sql.ABSENCES)), names),
        staff_hours=_people(q(sql.STAFF_HOURS)),
        volunteer_hours=_people(q(sql.VOLUNTEER_HOURS)),
        volunteer_programmes=tuple(
            sorted(
                (
                    HoursLine(clean(t), int(places), _minutes(s), people=int(people))
                    for _p, t, people, places, s in q(sql.VOLUNTEER_PROGRAMMES)
                ),
                key=lambda h: (not h.name, h.name.casefold()),
            )
        ),
        occupancy=tuple(
            sorted(
                (
                    OccupancyLine(
                        clean(t), int(n), int(taken), None if cap is None else cap * int(n), int(w)
                    )
                    for _p, t, cap, n, taken, w in q(sql.OCCUPANCY)
                ),
                key=lambda o: o.programme.casefold(),
            )
        ),
        waiting_cases=int(q(sql.WAITING_CASES)[0][0]),
    )


def _minutes(seconds: object) -> int:
    return round(float(seconds or 0) / 60)  # type: ignore[arg-type]


def _people(found: list[Any]) -> tuple[HoursLine, ...]:
    lines = [HoursLine(clean(n), int(k), _minutes(s)) for _id, n, k, s in found]
    return tuple(sorted(lines, key=lambda h: h.name.casefold()))


def _reasons(found: Any, names: Redactor) -> tuple[ReasonLine, ...]:
    """Reasons cleaned and those naming a child merged into one withheld line."""
    merged: dict[tuple[str, str, bool], int] = {}
    for reason, n, mark in found:
        named = names.names_a_child(reason)
        key = (mark, "" if named else clean(reason), named)
        merged[key] = merged.get(key, 0) + int(n)
    lines = [ReasonLine(r, n, mark, withheld) for (mark, r, withheld), n in merged.items()]
    return tuple(sorted(lines, key=lambda r: (r.mark, -r.count, r.withheld, r.reason.casefold())))


def _near_limit(found: list[Any], as_of: date) -> tuple[LimitCase, ...]:
    lines = []
    for code, active_from in found:
        end = general_access_end(active_from)
        left = days_left(end, as_of)
        level = warning_level(left)
        if level is not None:
            lines.append(LimitCase(clean(code), active_from, end, left))
    return tuple(sorted(lines, key=lambda c: (c.days_left, c.code)))
