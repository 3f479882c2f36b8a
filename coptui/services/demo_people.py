"""The demo centre's invented people and places: its rooms, team, volunteers, children and
programmes (the events come from ``demo_events``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from coptui.domain.timeutil import week_start
from coptui.models import (
    Case,
    CaseStatus,
    Centre,
    CentreCapacity,
    HolidayOverride,
    OverrideKind,
    Profession,
    Programme,
    ProgrammeKind,
    ReferralSource,
    Room,
    RoomKind,
    ServiceKind,
    Staff,
    StaffRole,
    Volunteer,
)

DEMO_CENTRE = "ЦОП „Слънчоглед“ – Севлиево"

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


@dataclass(frozen=True)
class DemoPeople:
    """Everything ``add_people`` created, as the events need it (rooms and staff by key)."""

    centre_id: int
    rooms: dict[str, Room]
    staff: dict[str, Staff]
    volunteers: list[Volunteer]
    cases: list[Case]
    programmes: dict[str, Programme]


def add_people(session: Session, *, today: date) -> DemoPeople:
    """Create the demo centre with its rooms, team, volunteers, cases and programmes.

    Args:
        session: an open session; the caller's transaction commits or rolls back everything.
        today: the day the demo is centred on (agreements, contracts and programmes run
            around it).
    """
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

    return DemoPeople(
        centre_id=cid,
        rooms=rooms,
        staff=staff,
        volunteers=volunteers,
        cases=cases,
        programmes=programmes,
    )
