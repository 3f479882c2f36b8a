"""The substitute finder: who could take an event's open place, ranked, and why (or why not).

It reads only; the place is given with ``coptui.services.rosters.sign_up`` (one occurrence,
never its series).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.domain.volunteering import asked_skills, ends_soon, matching_skills
from coptui.i18n import _
from coptui.services.clashes import span
from coptui.services.event_reads import load_event
from coptui.services.hours import month_bounds
from coptui.services.roster_reads import paper_warning
from coptui.services.rosters import paper_problem, papers_of


@dataclass(frozen=True)
class Candidate:
    """A volunteer who could take an open place, and why (or why not)."""

    volunteer_id: int
    name: str
    skills: tuple[str, ...]
    matching: tuple[str, ...]  # the skills that fit what the place asks for
    free: bool
    busy_with: str  # the clash, in words, when not free
    agreement_ends: date | None
    certificate_ends: date | None
    warnings: tuple[str, ...]  # a paper ending within 30 days
    problem: str | None  # why they cannot take it (papers, declined); None when they can
    minutes_this_month: int  # minutes in the month's sessions so far (the fewer, the sooner)

    @property
    def ranks(self) -> bool:
        """Free, papers in date on the day, and did not decline this occurrence."""
        return self.free and self.problem is None


@dataclass(frozen=True)
class Substitutes:
    """The volunteers for an event's open place: ranked first, the rest after with why not."""

    event_id: int
    title: str
    start: datetime
    end: datetime
    open_places: int
    asked: tuple[str, ...]
    ranked: tuple[Candidate, ...]
    others: tuple[Candidate, ...]
    holders: tuple[tuple[int, str], ...] = ()  # who holds a place now: (volunteer id, name)


_BUSY_SQL = text(
    "SELECT DISTINCT ON (r.volunteer_id) r.volunteer_id, e.title, lower(e.during) AS s,"
    " upper(e.during) AS u FROM roster_slot r JOIN event e ON e.id = r.event_id"
    " WHERE r.volunteer_id = ANY(:ids) AND r.during && :during AND r.event_id <> :e"
    " AND r.event_status <> 'cancelled' AND r.status <> 'declined'"
    " ORDER BY r.volunteer_id, lower(e.during)"
).bindparams(bindparam("during", type_=TSTZRANGE))

_MONTH_SQL = text(
    "SELECT r.volunteer_id, sum(extract(epoch FROM upper(r.during) - lower(r.during)))"
    " FROM roster_slot r WHERE r.centre_id = :c AND r.status IN ('assigned', 'confirmed')"
    " AND r.event_status <> 'cancelled' AND lower(r.during) >= :a AND lower(r.during) < :b"
    " GROUP BY r.volunteer_id"
)


def find_substitutes(session: Session, *, event_id: int, today: date) -> Substitutes:
    """Rank the volunteers who could take an open place of one event (one occurrence).

    A candidate ranks when they are active, free at that time, their agreement and
    certificate are in date on the event's day, and they did not decline this occurrence.
    Among those: a skill that fits the place first (its task, its programme's kind; see
    ``coptui.domain.volunteering``), then papers not ending within 30 days of ``today``,
    then fewer minutes in that month's sessions (spreading the work), then by name. The
    others follow with the reason they cannot.
    """
    event = load_event(session, event_id)
    kind = None
    if event.programme_id is not None:
        kind = session.execute(
            text("SELECT kind FROM programme WHERE id = :p"), {"p": event.programme_id}
        ).scalar_one()
    task = session.execute(
        text(
            "SELECT task FROM roster_slot WHERE event_id = :e"
            " ORDER BY status <> 'open', id DESC LIMIT 1"
        ),
        {"e": event_id},
    ).scalar_one_or_none()
    asked = asked_skills(task or "", kind)
    declined = set(
        session.execute(
            text(
                "SELECT volunteer_id FROM roster_slot WHERE event_id = :e AND status = 'declined'"
            ),
            {"e": event_id},
        ).scalars()
    ) - set(event.volunteers)
    people = session.execute(
        text(
            "SELECT id, full_name, active, skills, agreement_date, agreement_ends,"
            " criminal_record_date FROM volunteer WHERE centre_id = :c AND active"
            " AND NOT (id = ANY(:on)) ORDER BY full_name, id"
        ),
        {"c": event.centre_id, "on": list(event.volunteers)},
    ).all()
    busy = {
        r.volunteer_id: r
        for r in session.execute(
            _BUSY_SQL,
            {"ids": [p.id for p in people], "during": span(event.s, event.u), "e": event_id},
        )
    }
    local_start = event.s.astimezone(SOFIA)
    month_start, month_end = month_bounds(local_start.year, local_start.month)
    minutes = {
        int(v): int(float(seconds or 0) // 60)
        for v, seconds in session.execute(
            _MONTH_SQL, {"c": event.centre_id, "a": month_start, "b": month_end}
        )
    }
    day = local_start.date()
    candidates = []
    for person in people:
        clash = busy.get(person.id)
        busy_with = ""
        if clash is not None:
            s, u = clash.s.astimezone(SOFIA), clash.u.astimezone(SOFIA)
            busy_with = _("in „{title}“ {day} {start}–{end}").format(
                title=clean(clash.title), day=f"{s:%d.%m}", start=f"{s:%H:%M}", end=f"{u:%H:%M}"
            )
        problem = paper_problem(person, day)
        if person.id in declined:
            problem = _("declined this session")
        agreement, certificate = papers_of(person)
        name = clean(person.full_name)
        candidates.append(
            Candidate(
                volunteer_id=int(person.id),
                name=name,
                skills=tuple(clean(s) for s in person.skills),
                matching=tuple(clean(s) for s in matching_skills(person.skills, asked)),
                free=clash is None,
                busy_with=busy_with,
                agreement_ends=agreement.last_day,
                certificate_ends=certificate.last_day,
                warnings=tuple(
                    paper_warning(name, paper.kind, paper.last_day, today)
                    for paper in (agreement, certificate)
                    if ends_soon(paper, today)
                ),
                problem=problem,
                minutes_this_month=minutes.get(int(person.id), 0),
            )
        )
    ranked = sorted(
        (c for c in candidates if c.ranks),
        key=lambda c: (not c.matching, bool(c.warnings), c.minutes_this_month, c.name),
    )
    others = [c for c in candidates if not c.ranks]
    names = {
        int(row.id): str(row.full_name)
        for row in session.execute(
            text("SELECT id, full_name FROM volunteer WHERE id = ANY(:ids)"),
            {"ids": list(event.volunteers)},
        )
    }
    return Substitutes(
        event_id=event_id,
        title=clean(event.title),
        start=event.s,
        end=event.u,
        open_places=int(event.open_slots),
        asked=tuple(clean(a) for a in asked),
        ranked=tuple(ranked),
        others=tuple(others),
        holders=tuple((int(v), clean(names.get(v, "?"))) for v in event.volunteers),
    )
