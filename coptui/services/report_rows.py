"""The monthly report's read models: frozen rows and the report that holds them with its totals.

What each figure counts is said in :mod:`coptui.services.report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from coptui.i18n import N_

FORM_OF_KIND = {
    "individual": "individual",
    "group": "group",
    "programme_session": "group",
    "meeting": "other",
    "mobile_work": "other",
}
FORM_WORDS = {
    "individual": N_("individual work"),
    "group": N_("group work"),
    "other": N_("meetings and mobile work"),
}


@dataclass(frozen=True)
class CaseLine:
    """Cases served in the month of one service kind (and type, in the table by type)."""

    service_kind: str  # general_access / specialised
    service_type: str  # "" in the table by kind; "" in the table by type: no type given
    new: int
    active: int
    closed: int


@dataclass(frozen=True)
class LimitCase:
    """A general-access case near or past the end of its two months on the day of the report."""

    code: str
    active_from: date
    ends_on: date
    days_left: int  # negative: days past the end

    @property
    def over(self) -> bool:
        """The two months are over and the case is still open."""
        return self.days_left < 0


@dataclass(frozen=True)
class SessionLine:
    """The month's events of one kind and programme ("" without one)."""

    kind: str
    programme: str
    held: int
    planned: int
    cancelled: int


@dataclass(frozen=True)
class ReasonLine:
    """How many of something had one reason ("": none typed).

    ``withheld``: the reasons typed named a child; they are counted here, never shown.
    """

    reason: str
    count: int
    mark: str = ""  # for absences: absent / excused
    withheld: bool = False


@dataclass(frozen=True)
class AttendanceLine:
    """The registered children of the held sessions of one programme ("" without one)."""

    programme: str
    registered: int
    present: int
    late: int
    absent: int
    excused: int
    unmarked: int

    @property
    def came(self) -> int:
        """Present on time or late."""
        return self.present + self.late

    @property
    def rate(self) -> float | None:
        """(Present + late) / registered; None with nobody registered."""
        return self.came / self.registered if self.registered else None


@dataclass(frozen=True)
class HoursLine:
    """One person's (or one programme's) held sessions and their minutes."""

    name: str
    sessions: int
    minutes: int
    people: int = 0  # for a programme: the volunteers in its sessions


@dataclass(frozen=True)
class OccupancyLine:
    """A programme's places in its sessions of the month that were not cancelled."""

    programme: str
    sessions: int
    taken: int
    seats: int | None  # None: the programme has no limit
    waiting: int

    @property
    def rate(self) -> float | None:
        """Taken / seats; None without seats."""
        return self.taken / self.seats if self.seats else None


@dataclass(frozen=True)
class MonthReport:
    """The month's figures of one centre; see the module for what each counts."""

    centre: str
    town: str
    year: int
    month: int
    as_of: date
    cases_by_kind: tuple[CaseLine, ...]
    cases_by_type: tuple[CaseLine, ...]
    near_limit: tuple[LimitCase, ...]
    sessions: tuple[SessionLine, ...]
    cancellations: tuple[ReasonLine, ...]
    attendance: tuple[AttendanceLine, ...]
    absences: tuple[ReasonLine, ...]
    staff_hours: tuple[HoursLine, ...]
    volunteer_hours: tuple[HoursLine, ...]
    volunteer_programmes: tuple[HoursLine, ...]
    occupancy: tuple[OccupancyLine, ...]
    waiting_cases: int

    @property
    def cases_total(self) -> CaseLine:
        """All cases served (each once)."""
        return CaseLine(
            "",
            "",
            sum(c.new for c in self.cases_by_kind),
            sum(c.active for c in self.cases_by_kind),
            sum(c.closed for c in self.cases_by_kind),
        )

    @property
    def sessions_total(self) -> SessionLine:
        """All the month's events."""
        return SessionLine(
            "",
            "",
            sum(s.held for s in self.sessions),
            sum(s.planned for s in self.sessions),
            sum(s.cancelled for s in self.sessions),
        )

    @property
    def forms(self) -> tuple[tuple[str, int], ...]:
        """Held sessions as individual work, group work and other (in that order)."""
        held = dict.fromkeys(FORM_WORDS, 0)
        for line in self.sessions:
            held[FORM_OF_KIND.get(line.kind, "other")] += line.held
        return tuple(held.items())

    @property
    def attendance_total(self) -> AttendanceLine:
        """Every registered child of every held session."""
        a = self.attendance
        return AttendanceLine(
            "",
            sum(x.registered for x in a),
            sum(x.present for x in a),
            sum(x.late for x in a),
            sum(x.absent for x in a),
            sum(x.excused for x in a),
            sum(x.unmarked for x in a),
        )

    @property
    def staff_total(self) -> HoursLine:
        """The specialists' sessions (one per person per session) and minutes together."""
        return _hours_total(self.staff_hours)

    @property
    def volunteer_total(self) -> HoursLine:
        """The volunteers' sessions (one per person per session) and minutes together."""
        return _hours_total(self.volunteer_hours)

    @property
    def occupancy_total(self) -> OccupancyLine:
        """All programmes; the seats only of those with a limit (None: no programme has one)."""
        o = self.occupancy
        limited = [x for x in o if x.seats is not None]
        return OccupancyLine(
            "",
            sum(x.sessions for x in o),
            sum(x.taken for x in o),
            sum(x.seats or 0 for x in limited) if limited else None,
            sum(x.waiting for x in o),
        )

    @property
    def occupancy_rate(self) -> float | None:
        """Places taken / seats over the programmes with a limit; None without one."""
        limited = [x for x in self.occupancy if x.seats]
        seats = sum(x.seats or 0 for x in limited)
        return sum(x.taken for x in limited) / seats if seats else None


def _hours_total(lines: Sequence[HoursLine]) -> HoursLine:
    return HoursLine("", sum(x.sessions for x in lines), sum(x.minutes for x in lines))
