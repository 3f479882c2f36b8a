"""The demo centre's four weeks of events: the weekly pattern of a small centre, booked
without clashes (the people and places come from ``demo_people``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from coptui.domain.timeutil import local, week_start
from coptui.domain.workdays import WorkCalendar
from coptui.models import (
    Case,
    CaseStatus,
    Event,
    EventCase,
    EventKind,
    EventStaff,
    EventStatus,
    Programme,
    Room,
    RosterSlot,
    Series,
    SlotStatus,
    Staff,
    Volunteer,
)
from coptui.services.demo_people import DemoPeople


class _Occupancy:
    """Keeps the demo free of clashes before the database is asked (it would refuse)."""

    def __init__(self) -> None:
        self._taken: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)

    def free(self, keys: Iterable[str], start: datetime, end: datetime) -> bool:
        return all(
            not (start < other_end and other_start < end)
            for key in keys
            for other_start, other_end in self._taken[key]
        )

    def take(self, keys: Iterable[str], start: datetime, end: datetime) -> None:
        for key in keys:
            self._taken[key].append((start, end))


class _Booker:
    """Books one demo event at a time, passing over any that would clash."""

    def __init__(
        self, session: Session, *, centre_id: int, volunteers: list[Volunteer], today: date
    ) -> None:
        self.session = session
        self.centre_id = centre_id
        self.volunteers = volunteers
        self.today = today
        self.busy = _Occupancy()
        self.volunteer_turn = 0  # volunteers take their turns on the rosters

    def book(
        self,
        kind: EventKind,
        title: str,
        day: date,
        start: time,
        minutes: int,
        *,
        room: Room | None,
        people: list[Staff],
        children: Iterable[Case] = (),
        volunteer_slots: int = 0,
        programme: Programme | None = None,
        series: Series | None = None,
    ) -> Event | None:
        session, cid, busy, volunteers = self.session, self.centre_id, self.busy, self.volunteers
        past = day < self.today
        begin = local(day, start)
        end = begin + timedelta(minutes=minutes)
        keys = [f"s{p.id}" for p in people] + ([f"r{room.id}"] if room else [])
        if not busy.free(keys, begin, end):
            return None
        kids = [c for c in children if busy.free([f"c{c.id}"], begin, end)]
        event = Event(
            centre_id=cid,
            kind=kind,
            title=title,
            during=Range(begin, end, bounds="[)"),
            room_id=room.id if room else None,
            programme_id=programme.id if programme else None,
            series_id=series.id if series else None,
            status=EventStatus.HELD if past else EventStatus.PLANNED,
        )
        session.add(event)
        session.flush()
        assert event.id is not None
        busy.take(keys, begin, end)
        link: dict[str, Any] = {
            "event_id": event.id,
            "centre_id": cid,
            "during": event.during,
            "event_status": event.status,
        }
        for n, person in enumerate(people):
            assert person.id is not None
            session.add(EventStaff(staff_id=person.id, is_lead=n == 0, **link))
        for kid in kids:
            busy.take([f"c{kid.id}"], begin, end)
            assert kid.id is not None
            session.add(EventCase(case_id=kid.id, **link))
        for n in range(volunteer_slots):
            # Leave the last slot of future sessions open for volunteers to sign up.
            if not past and n == volunteer_slots - 1:
                session.add(RosterSlot(task="помощ при занимания", **link))
                continue
            for _attempt in range(len(volunteers)):
                candidate = volunteers[self.volunteer_turn % len(volunteers)]
                self.volunteer_turn += 1
                if busy.free([f"v{candidate.id}"], begin, end):
                    busy.take([f"v{candidate.id}"], begin, end)
                    session.add(
                        RosterSlot(
                            volunteer_id=candidate.id,
                            status=SlotStatus.CONFIRMED if past else SlotStatus.ASSIGNED,
                            task="помощ при занимания",
                            **link,
                        )
                    )
                    break
        return event


def add_events(session: Session, people: DemoPeople, *, today: date) -> None:
    """Book four weeks of the demo centre's events around ``today`` (the past ones held).

    Args:
        session: an open session; the caller's transaction commits or rolls back everything.
        people: the centre's people and places (``demo_people.add_people``).
        today: the day the demo is centred on.
    """
    cid = people.centre_id
    rooms, staff, programmes = people.rooms, people.staff, people.programmes
    active = [c for c in people.cases if c.status is CaseStatus.ACTIVE]
    calendar = WorkCalendar()
    first_monday = week_start(today) - timedelta(weeks=2)
    days = [first_monday + timedelta(days=n) for n in range(28)]
    workdays = [d for d in days if calendar.is_working_day(d)]
    book = _Booker(session, centre_id=cid, volunteers=people.volunteers, today=today).book

    everyone = list(staff.values())
    # Fixed points of the week first: the eco holiday, the campaign, the team meeting.
    eco_days = [d for d in workdays if d >= week_start(today) + timedelta(weeks=1)][2:5]
    for n, day in enumerate(eco_days, start=1):
        book(
            EventKind.PROGRAMME_SESSION,
            f"Еко ваканция – ден {n}",
            day,
            time(9, 0),
            7 * 60,
            room=rooms["eco"],
            people=[staff["pstoyanov"], staff["imarinov"]],
            children=active[0:10],
            volunteer_slots=3,
            programme=programmes["eco"],
        )
    campaign_day = next((d for d in workdays if d >= today + timedelta(days=2)), workdays[-1])
    book(
        EventKind.PROGRAMME_SESSION,
        "Информационен щанд „16 дни срещу насилието“",
        campaign_day,
        time(11, 0),
        120,
        room=rooms["square"],
        people=[staff["sdimitrova"], staff["dkoleva"]],
        volunteer_slots=2,
        programme=programmes["campaign"],
    )

    art_days = [d for d in workdays if d.weekday() == 2]
    art_series = Series(
        centre_id=cid,
        rrule=f"FREQ=WEEKLY;BYDAY=WE;COUNT={len(art_days)}",
        local_start=datetime.combine(art_days[0], time(15, 0)),
        duration_minutes=90,
    )
    session.add(art_series)
    session.flush()
    for n, day in enumerate(art_days):
        book(
            EventKind.PROGRAMME_SESSION,
            "Арт ателие „Цветна работилница“",
            day,
            time(15, 0),
            90,
            room=rooms["group"],
            people=[staff["imarinov"]],
            children=active[n % 3 : n % 3 + 8],
            volunteer_slots=2,
            programme=programmes["art"],
            series=art_series,
        )

    for day in workdays:
        weekday = day.weekday()
        if weekday == 0:
            book(
                EventKind.MEETING,
                "Екипна среща",
                day,
                time(9, 0),
                60,
                room=rooms["group"],
                people=everyone,
            )
        if weekday == 4:
            book(
                EventKind.PROGRAMME_SESSION,
                "Младежка инициатива: планиране на акция",
                day,
                time(14, 0),
                120,
                room=rooms["group"],
                people=[staff["dkoleva"]],
                children=[c for c in active if c.birth_year and c.birth_year <= 2013],
                volunteer_slots=1,
                programme=programmes["youth"],
            )
        if weekday in (1, 3):
            book(
                EventKind.GROUP,
                "Група „Подготовка за училище“",
                day,
                time(14, 0),
                90,
                room=rooms["group"],
                people=[staff["imarinov"]],
                children=[c for c in active if c.birth_year and c.birth_year >= 2016],
            )
        slots = {
            "mgeorgieva": [
                (time(10, 30), 50, "Психологическа консултация"),
                (time(13, 0), 50, "Психологическа консултация"),
                (time(14, 30), 50, "Консултация с родител"),
            ],
            "rpeneva": [
                (time(9, 0), 45, "Логопедична терапия"),
                (time(10, 0), 45, "Логопедична терапия"),
                (time(11, 0), 45, "Логопедична терапия"),
                (time(13, 30), 45, "Логопедична терапия"),
            ],
            "dkoleva": [(time(10, 30), 60, "Консултация със семейството")],
            "pstoyanov": [(time(10, 30), 60, "Консултация със семейството")],
            "imarinov": [(time(10, 0), 60, "Индивидуална педагогическа подкрепа")],
        }
        for login, sessions in slots.items():
            for n, (start, minutes, title) in enumerate(sessions):
                kid = active[(day.toordinal() * 3 + n * 5 + len(login)) % len(active)]
                book(
                    EventKind.INDIVIDUAL,
                    title,
                    day,
                    start,
                    minutes,
                    room=rooms[login],
                    people=[staff[login]],
                    children=[kid],
                )
        visitor = staff["dkoleva"] if weekday in (1, 3) else staff["pstoyanov"]
        kid = active[(day.toordinal() * 7) % len(active)]
        book(
            EventKind.MOBILE_WORK,
            "Посещение в дома на семейството",
            day,
            time(12, 0) if weekday != 4 else time(9, 30),
            90,
            room=None,
            people=[visitor],
            children=[kid],
        )
