"""The monthly report laid out as tables, once, for the text, CSV and PDF renderers and the screen.

Every renderer draws these same tables, so the figures cannot differ between them. A table's
total row is the sum of its rows for every column of counts or minutes (rates are computed
again from the sums); a table that does not add up (cases by service type) has no total and
says why in its note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coptui.i18n import N_, _

if TYPE_CHECKING:
    from coptui.services.report_rows import AttendanceLine, MonthReport, OccupancyLine

# What a column holds: text, a count (adds up to the total), a number that does not add up
# (people counted per row), minutes (shown as hours), a rate (shown as a percent).
TEXT, COUNT, NUMBER, MINUTES, RATE = "text", "count", "number", "minutes", "rate"

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = COUNT


@dataclass(frozen=True)
class Table:
    """One table of the report. ``key`` is its stable English name (the CSV's first column)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None
    note: str = ""
    empty: str = ""  # what to say when there are no rows


KIND_WORDS = {
    "general_access": N_("general access"),
    "specialised": N_("specialised"),
}
EVENT_KIND_WORDS = {
    "individual": N_("individual session"),
    "group": N_("group session"),
    "programme_session": N_("programme session"),
    "meeting": N_("meeting"),
    "mobile_work": N_("mobile work"),
    "block": N_("busy time"),  # never in a report's figures; named should one ever come
}
MARK_WORDS = {"absent": N_("absent"), "excused": N_("excused")}


def percent(value: float | None) -> str:
    """A rate as «58,3 %» (Bulgarian) or «58.3 %»; «—» without one."""
    if value is None:
        return "—"
    from coptui.i18n import language

    shown = f"{value * 100:.1f}"
    return (shown.replace(".", ",") if language() == "bg" else shown) + " %"


def hours(minutes: int) -> str:
    """Minutes as hours and minutes, «7:30»."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def shown(cell: Cell, kind: str) -> str:
    """A cell as people read it (text, PDF, screen)."""
    if cell is None:
        return "—"
    if kind == MINUTES and isinstance(cell, int):
        return hours(cell)
    if kind == RATE and isinstance(cell, float):
        return percent(cell)
    return str(cell)


def month_title(report: MonthReport) -> str:
    """«Месечен отчет за 11.2026 — ЦОП „…“, Габрово»."""
    place = report.centre
    if report.town and report.town not in place:
        place += f", {report.town}"
    return _("Monthly report for {month:02d}.{year} — {centre}").format(
        month=report.month, year=report.year, centre=place
    )


def month_subtitle(report: MonthReport) -> str:
    """The day the state of the cases is taken on, and that only codes are shown."""
    return _("State of the cases on {day}. Cases are named by code only.").format(
        day=f"{report.as_of:%d.%m.%Y}"
    )


def _kind(code: str) -> str:
    return _(KIND_WORDS[code]) if code in KIND_WORDS else code


def _reason(text: str, withheld: bool) -> str:
    if withheld:
        return _("(withheld: it names a child)")
    return text or _("(no reason given)")


def _attendance_row(name: str, a: AttendanceLine) -> tuple[Cell, ...]:
    return (name, a.registered, a.present, a.late, a.absent, a.excused, a.unmarked, a.rate)


def _occupancy_row(name: str, o: OccupancyLine, rate: float | None) -> tuple[Cell, ...]:
    return (name, o.sessions, o.taken, o.seats, rate, o.waiting)


def tables(report: MonthReport) -> list[Table]:
    """The report's tables, in the order they are printed."""
    from coptui.services.report_rows import FORM_WORDS

    total = _("Total")
    no_programme = _("(without a programme)")
    cases_columns = (
        Column(_("Service kind"), TEXT),
        Column(_("Started in the month")),
        Column(_("Served")),
        Column(_("Closed in the month")),
    )
    ct = report.cases_total
    st = report.sessions_total
    at = report.attendance_total
    out = [
        Table(
            "cases_by_kind",
            _("Children and families served, by service kind"),
            cases_columns,
            tuple((_kind(c.service_kind), c.new, c.active, c.closed) for c in report.cases_by_kind),
            (total, ct.new, ct.active, ct.closed),
            empty=_("No case was served in the month."),
        ),
        Table(
            "cases_by_type",
            _("Children and families served, by service type"),
            (*cases_columns[:1], Column(_("Service type"), TEXT), *cases_columns[1:]),
            tuple(
                (
                    _kind(c.service_kind),
                    c.service_type or _("(no type given)"),
                    c.new,
                    c.active,
                    c.closed,
                )
                for c in report.cases_by_type
            ),
            note=_("A case with several service types counts under each: no total."),
        ),
        Table(
            "general_access_limit",
            _("General access: near or past the end of the two months"),
            (
                Column(_("Case"), TEXT),
                Column(_("Started"), TEXT),
                Column(_("Last day"), TEXT),
                Column(_("Days left")),
            ),
            tuple(
                (c.code, f"{c.active_from:%d.%m.%Y}", f"{c.ends_on:%d.%m.%Y}", c.days_left)
                for c in report.near_limit
            ),
            note=_("Days left below zero: the two months are over and the case is still open."),
            empty=_("No general-access case is within 14 days of its end."),
        ),
        Table(
            "sessions",
            _("Sessions by kind and programme"),
            (
                Column(_("Kind"), TEXT),
                Column(_("Programme"), TEXT),
                Column(_("Held")),
                Column(_("Not marked held")),
                Column(_("Cancelled sessions")),
            ),
            tuple(
                (
                    _(EVENT_KIND_WORDS[s.kind]) if s.kind in EVENT_KIND_WORDS else s.kind,
                    s.programme or "—",
                    s.held,
                    s.planned,
                    s.cancelled,
                )
                for s in report.sessions
            ),
            (total, "", st.held, st.planned, st.cancelled),
            empty=_("No sessions in the month."),
        ),
        Table(
            "work_forms",
            _("Held sessions: individual and group work"),
            (Column(_("Form of work"), TEXT), Column(_("Held"))),
            tuple((_(FORM_WORDS[form]), n) for form, n in report.forms),
            (total, st.held),
        ),
        Table(
            "cancellations",
            _("Cancelled sessions by reason"),
            (Column(_("Reason"), TEXT), Column(_("Cancelled sessions"))),
            tuple((_reason(r.reason, r.withheld), r.count) for r in report.cancellations),
            (total, st.cancelled),
            empty=_("No session was cancelled."),
        ),
        Table(
            "attendance",
            _("Attendance in held sessions"),
            (
                Column(_("Programme"), TEXT),
                Column(_("Children registered")),
                Column(_("Present")),
                Column(_("Late")),
                Column(_("Absent")),
                Column(_("Excused")),
                Column(_("Not marked")),
                Column(_("Rate"), RATE),
            ),
            tuple(_attendance_row(a.programme or no_programme, a) for a in report.attendance),
            _attendance_row(total, at),
            note=_("Rate: (present + late) / registered."),
            empty=_("No child was registered in a held session."),
        ),
        Table(
            "absences",
            _("Absences by reason"),
            (Column(_("Absence"), TEXT), Column(_("Reason"), TEXT), Column(_("Absences"))),
            tuple(
                (_(MARK_WORDS[a.mark]), _reason(a.reason, a.withheld), a.count)
                for a in report.absences
            ),
            (total, "", at.absent + at.excused),
            empty=_("No absences."),
        ),
    ]
    for key, title, lines, line_total in (
        ("staff_hours", _("Hours of specialists"), report.staff_hours, report.staff_total),
        (
            "volunteer_hours",
            _("Hours of volunteers"),
            report.volunteer_hours,
            report.volunteer_total,
        ),
    ):
        out.append(
            Table(
                key,
                title,
                (Column(_("Name"), TEXT), Column(_("Sessions")), Column(_("Hours"), MINUTES)),
                tuple((h.name, h.sessions, h.minutes) for h in lines),
                (total, line_total.sessions, line_total.minutes),
                empty=_("No held sessions."),
            )
        )
    vt = report.volunteer_total
    ot = report.occupancy_total
    out += [
        Table(
            "volunteer_programmes",
            _("Volunteer hours by programme"),
            (
                Column(_("Programme"), TEXT),
                Column(_("Volunteers"), NUMBER),
                Column(_("Volunteer places"), COUNT),
                Column(_("Hours"), MINUTES),
            ),
            tuple(
                (h.name or no_programme, h.people, h.sessions, h.minutes)
                for h in report.volunteer_programmes
            ),
            (total, None, vt.sessions, vt.minutes),
            note=_(
                "Volunteer places: one per volunteer per held session. A volunteer in two "
                "programmes counts in each: the volunteers do not add up."
            ),
            empty=_("No volunteer had a place in a held session."),
        ),
        Table(
            "occupancy",
            _("Programme occupancy"),
            (
                Column(_("Programme"), TEXT),
                Column(_("Sessions")),
                Column(_("Places taken")),
                Column(_("Seats")),
                Column(_("Occupancy"), RATE),
                Column(_("Waiting list")),
            ),
            tuple(_occupancy_row(o.programme, o, o.rate) for o in report.occupancy),
            _occupancy_row(total, ot, report.occupancy_rate),
            note=_(
                "Sessions not cancelled; seats: the programme's seats times its sessions "
                "(— without a limit). The total's seats and occupancy count only the "
                "programmes with a limit."
            ),
            empty=_("No programme sessions in the month."),
        ),
        Table(
            "waiting",
            _("Waiting to start"),
            (Column(_("Cases"), TEXT), Column(_("Number"))),
            ((_("registered, not started, not closed"), report.waiting_cases),),
        ),
    ]
    return out
