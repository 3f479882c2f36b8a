"""Load a realistic demo centre (invented people) around a given day; idempotent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from coptui.domain.timeutil import local, week_start
from coptui.domain.workdays import WorkCalendar
from coptui.models import (
    Case,
    CaseStatus,
    Centre,
    CentreCapacity,
    Event,
    EventCase,
    EventKind,
    EventStaff,
    EventStatus,
    HolidayOverride,
    OverrideKind,
    Profession,
    Programme,
    ProgrammeKind,
    ReferralSource,
    Room,
    RoomKind,
    RosterSlot,
    Series,
    ServiceKind,
    SlotStatus,
    Staff,
    StaffRole,
    Volunteer,
    table_of,
)

DEMO_CENTRE = "ЦОП „Слънчоглед“ – Севлиево"
DEMO_LOCK_KEY = 0x636F707475690002


@dataclass(frozen=True)
class DemoResult:
    """What ``load_demo`` did."""

    centre_id: int
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


STAFF = [
    # login, name, profession, role, office
    ("dkoleva", "Десислава Колева", Profession.SOCIAL_WORKER, StaffRole.COORDINATOR, "Кабинет 1"),
    ("pstoyanov", "Пламен Стоянов", Profession.SOCIAL_WORKER, StaffRole.SPECIALIST, "Кабинет 2"),
    (
        "mgeorgieva",
        "Милена Георгиева",
        Profession.PSYCHOLOGIST,
        StaffRole.SPECIALIST,
        "Кабинет на психолога",
    ),
    (
        "imarinov",
        "Ивайло Маринов",
        Profession.PEDAGOGUE,
        StaffRole.SPECIALIST,
        "Кабинет на педагога",
    ),
    (
        "rpeneva",
        "Росица Пенева",
        Profession.SPEECH_THERAPIST,
        StaffRole.SPECIALIST,
        "Кабинет на логопеда",
    ),
    (
        "sdimitrova",
        "Светла Димитрова",
        Profession.MANAGER,
        StaffRole.MANAGER,
        "Кабинет на управителя",
    ),
]

VOLUNTEERS = [
    ("Калина Йорданова", "0888 214 375", ["рисуване", "приложно изкуство"]),
    ("Борислав Ангелов", "0887 530 118", ["спорт", "първа помощ"]),
    ("Теодора Христова", "0899 402 667", ["английски език", "четене с деца"]),
    ("Никола Вълчев", "0878 119 204", ["музика", "китара"]),
    ("Ралица Тодорова", "0886 775 320", ["рисуване", "фотография"]),
    ("Стефан Кирилов", "0898 663 051", ["туризъм", "първа помощ"]),
    ("Яна Митева", "0889 901 442", ["театър", "игри с деца"]),
    ("Виктор Панайотов", "0877 348 906", ["компютри", "младежки инициативи"]),
]

CHILDREN = [
    ("Георги", "Николови", 2014),
    ("Мартина", "Костадинови", 2016),
    ("Алекс", "Илиеви", 2012),
    ("Виктория", "Стефанови", 2018),
    ("Даниел", "Русеви", 2011),
    ("Симона", "Найденови", 2015),
    ("Кристиян", "Асенови", 2013),
    ("Габриела", "Добреви", 2017),
    ("Емил", "Цоневи", 2010),
    ("Йоана", "Величкови", 2019),
    ("Преслав", "Драганови", 2014),
    ("Никол", "Любенови", 2016),
    ("Борис", "Станчеви", 2012),
    ("Ема", "Гочеви", 2020),
    ("Самуил", "Кънчеви", 2011),
    ("Магдалена", "Ценови", 2013),
    ("Теодор", "Пеевски", 2015),
    ("Рая", "Гълъбови", 2017),
    ("Валентин", "Мирчеви", 2009),
    ("Лора", "Неделчеви", 2018),
]

SERVICE_TYPES = [
    ["психологическо консултиране"],
    ["логопедична терапия"],
    ["социална работа със семейството", "психологическо консултиране"],
    ["педагогическа подкрепа"],
    ["превенция на отпадане от училище", "педагогическа подкрепа"],
]


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


def _counts(session: Session) -> dict[str, int]:
    tables: dict[str, type[SQLModel]] = {
        "rooms": Room,
        "staff": Staff,
        "volunteers": Volunteer,
        "cases": Case,
        "programmes": Programme,
        "series": Series,
        "events": Event,
        "event_staff": EventStaff,
        "event_case": EventCase,
        "roster_slots": RosterSlot,
    }
    return {
        name: int(session.scalar(select(func.count()).select_from(table_of(model))) or 0)
        for name, model in tables.items()
    }


def load_demo(session: Session, *, today: date) -> DemoResult:
    """Create the demo centre with four weeks of events around ``today``, once.

    Args:
        session: an open session; the caller's transaction commits or rolls back everything.
        today: the day the demo is centred on.

    Returns:
        The centre's id, whether it was created now, and the row counts afterwards.
    """
    # Two `coptui demo` started at once: the second waits here, then finds the centre.
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEMO_LOCK_KEY})
    centre_table = table_of(Centre)
    existing = session.scalar(select(centre_table.c.id).where(centre_table.c.name == DEMO_CENTRE))
    if existing is not None:
        return DemoResult(centre_id=existing, created=False, counts=_counts(session))

    centre = Centre(
        name=DEMO_CENTRE,
        town="Севлиево",
        address="ул. „Стефан Пешев“ 12, ет. 2, 5400 Севлиево",
    )
    session.add(centre)
    session.flush()
    assert centre.id is not None
    cid = centre.id
    session.add(CentreCapacity(centre_id=cid, valid_from=date(2024, 1, 1), places=20))
    session.add(
        HolidayOverride(
            centre_id=cid,
            day=date(2026, 12, 31),
            kind=OverrideKind.CLOSURE,
            note="Центърът не работи между празниците",
        )
    )

    rooms: dict[str, Room] = {
        "group": Room(
            centre_id=cid,
            name="Групова зала",
            kind=RoomKind.GROUP_ROOM,
            area_m2=Decimal("48.30"),
            max_people=20,
        ),
        "yard": Room(centre_id=cid, name="Двор на центъра", kind=RoomKind.OUTDOOR, max_people=30),
        "eco": Room(
            centre_id=cid,
            name="Еко пътека „Стратеш“",
            kind=RoomKind.OFF_SITE,
            notes="Среща пред входа на парка",
        ),
        "square": Room(centre_id=cid, name="Площад „Свобода“", kind=RoomKind.OFF_SITE),
    }
    staff: dict[str, Staff] = {}
    for login, name, profession, role, office in STAFF:
        rooms[login] = Room(
            centre_id=cid, name=office, kind=RoomKind.OFFICE, area_m2=Decimal("14.50"), max_people=4
        )
        staff[login] = Staff(
            centre_id=cid,
            login=login,
            full_name=name,
            profession=profession,
            role=role,
            email=f"{login}@cop-demo.example",
        )
    session.add_all([*rooms.values(), *staff.values()])
    session.flush()

    volunteers = [
        Volunteer(
            centre_id=cid,
            full_name=name,
            phone=phone,
            skills=skills,
            criminal_record_date=today - timedelta(days=40 + 11 * i),
            agreement_date=today - timedelta(days=30 + 11 * i),
            agreement_ends=today + timedelta(days=335 - 11 * i),
        )
        for i, (name, phone, skills) in enumerate(VOLUNTEERS)
    ]
    session.add_all(volunteers)

    workers = [staff["dkoleva"], staff["pstoyanov"], staff["mgeorgieva"], staff["imarinov"]]
    cases: list[Case] = []
    for i, (child, family, born) in enumerate(CHILDREN):
        specialised = i % 3 != 2
        status = CaseStatus.WAITING if i >= 17 else CaseStatus.ACTIVE
        started = (
            today - timedelta(days=20 + 9 * i) if specialised else today - timedelta(days=10 + i)
        )
        case = Case(
            centre_id=cid,
            referral_source=ReferralSource.SELF,
            code=f"ЦОП-{today.year}-{i + 1:03d}",
            child_name=child,
            family_name=f"семейство {family}",
            birth_year=born,
            service_kind=ServiceKind.SPECIALISED if specialised else ServiceKind.GENERAL_ACCESS,
            service_types=SERVICE_TYPES[i % len(SERVICE_TYPES)],
            key_worker_id=workers[i % len(workers)].id,
            status=status,
            registered_on=started - timedelta(days=7),
        )
        if specialised:
            case.referral_source = ReferralSource.OZD if i % 2 == 0 else ReferralSource.DSP
            case.referral_number = f"ЗД-{310 + i}/{(started - timedelta(days=14)):%d.%m.%Y}"
            case.referral_date = started - timedelta(days=14)
        else:
            case.referral_source = ReferralSource.SELF
        if status is CaseStatus.ACTIVE:
            case.active_from = started
            if specialised:
                case.contract_number = f"Д-{120 + i}/{started:%Y}"
                case.contract_start = started
                case.contract_end = started + timedelta(days=365)
        cases.append(case)
    session.add_all(cases)

    programmes = {
        "art": Programme(
            centre_id=cid,
            kind=ProgrammeKind.ART_STUDIO,
            title="Арт ателие „Цветна работилница“",
            description="Рисуване, апликации и керамика за деца от 6 до 14 години.",
            lead_id=staff["imarinov"].id,
            capacity=10,
            starts_on=week_start(today) - timedelta(weeks=2),
            ends_on=date(today.year + 1, 6, 30),
            volunteers_per_session=2,
        ),
        "eco": Programme(
            centre_id=cid,
            kind=ProgrammeKind.ECO_HOLIDAY,
            title="Еко ваканция „Зелена гора“",
            description="Три дни сред природата: опознаване на гората, игри и разделно събиране.",
            lead_id=staff["pstoyanov"].id,
            capacity=12,
            volunteers_per_session=3,
        ),
        "youth": Programme(
            centre_id=cid,
            kind=ProgrammeKind.YOUTH_INITIATIVE,
            title="Младежка инициатива „Гласът на младите“",
            description="Младежи планират и провеждат собствени доброволчески акции.",
            lead_id=staff["dkoleva"].id,
            capacity=15,
            volunteers_per_session=1,
        ),
        "campaign": Programme(
            centre_id=cid,
            kind=ProgrammeKind.CAMPAIGN,
            title="Кампания „16 дни срещу насилието“",
            description="Информационни щандове и беседи в училищата на общината.",
            lead_id=staff["sdimitrova"].id,
            volunteers_per_session=2,
        ),
    }
    session.add_all(programmes.values())
    session.flush()

    active = [c for c in cases if c.status is CaseStatus.ACTIVE]
    calendar = WorkCalendar()
    first_monday = week_start(today) - timedelta(weeks=2)
    days = [first_monday + timedelta(days=n) for n in range(28)]
    workdays = [d for d in days if calendar.is_working_day(d)]
    busy = _Occupancy()
    volunteer_turn = 0

    def book(
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
        nonlocal volunteer_turn
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
            status=EventStatus.HELD if day < today else EventStatus.PLANNED,
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
            if day >= today and n == volunteer_slots - 1:
                session.add(RosterSlot(task="помощ при занимания", **link))
                continue
            for _attempt in range(len(volunteers)):
                candidate = volunteers[volunteer_turn % len(volunteers)]
                volunteer_turn += 1
                if busy.free([f"v{candidate.id}"], begin, end):
                    busy.take([f"v{candidate.id}"], begin, end)
                    session.add(
                        RosterSlot(
                            volunteer_id=candidate.id,
                            status=SlotStatus.CONFIRMED if day < today else SlotStatus.ASSIGNED,
                            task="помощ при занимания",
                            **link,
                        )
                    )
                    break
        return event

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

    session.flush()
    return DemoResult(centre_id=cid, created=True, counts=_counts(session))
