"""Small builders of invented test data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import Range
from sqlmodel import Session

from coptui.models import (
    Case,
    Centre,
    Event,
    EventCase,
    EventKind,
    EventStaff,
    Profession,
    ReferralSource,
    Room,
    RoomKind,
    RosterSlot,
    ServiceKind,
    SlotStatus,
    Staff,
    StaffRole,
    Volunteer,
)

SOFIA = ZoneInfo("Europe/Sofia")
DAY = date(2026, 12, 2)  # a Wednesday


def at(hhmm: str, day: date = DAY) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=SOFIA)


def span(start: str, end: str, day: date = DAY) -> Range[datetime]:
    return Range(at(start, day), at(end, day), bounds="[)")


@dataclass
class World:
    centre: int
    room: int
    office: int
    staff: int
    other_staff: int
    case: int
    other_case: int
    volunteer: int


def make_world(session: Session) -> World:
    centre = Centre(name="ЦОП „Тест“", town="Габрово")
    session.add(centre)
    session.flush()
    cid = centre.id
    assert cid is not None
    room = Room(centre_id=cid, name="Групова зала", kind=RoomKind.GROUP_ROOM, max_people=20)
    office = Room(centre_id=cid, name="Кабинет 1", kind=RoomKind.OFFICE, max_people=3)
    anna = Staff(
        centre_id=cid,
        login="atest",
        full_name="Анна Тестова",
        profession=Profession.PSYCHOLOGIST,
        role=StaffRole.SPECIALIST,
    )
    boris = Staff(
        centre_id=cid,
        login="bprobov",
        full_name="Борис Пробов",
        profession=Profession.PEDAGOGUE,
        role=StaffRole.SPECIALIST,
    )
    kid = Case(
        centre_id=cid,
        code="Т-001",
        child_name="Ели",
        referral_source=ReferralSource.SELF,
        service_kind=ServiceKind.GENERAL_ACCESS,
    )
    other = Case(
        centre_id=cid,
        code="Т-002",
        child_name="Иво",
        referral_source=ReferralSource.OZD,
        service_kind=ServiceKind.SPECIALISED,
        referral_number="ЗД-1/2025",
        referral_date=date(2025, 12, 1),
        contract_number="Д-1/2026",
        contract_start=date(2026, 1, 1),
        contract_end=date(2027, 12, 31),
    )
    volunteer = Volunteer(centre_id=cid, full_name="Вера Опитова")
    session.add_all([room, office, anna, boris, kid, other, volunteer])
    session.flush()
    return World(
        centre=cid,
        room=room.id or 0,
        office=office.id or 0,
        staff=anna.id or 0,
        other_staff=boris.id or 0,
        case=kid.id or 0,
        other_case=other.id or 0,
        volunteer=volunteer.id or 0,
    )


def add_event(
    session: Session,
    world: World,
    during: Range[datetime],
    *,
    room: int | None = None,
    staff: tuple[int, ...] = (),
    cases: tuple[int, ...] = (),
    volunteers: tuple[int, ...] = (),
    title: str = "Занимание",
) -> Event:
    event = Event(
        centre_id=world.centre, kind=EventKind.GROUP, title=title, during=during, room_id=room
    )
    session.add(event)
    session.flush()
    link = {
        "event_id": event.id,
        "centre_id": world.centre,
        "during": during,
        "event_status": event.status,
    }
    for s in staff:
        session.add(EventStaff(staff_id=s, **link))
    for c in cases:
        session.add(EventCase(case_id=c, **link))
    for v in volunteers:
        session.add(RosterSlot(volunteer_id=v, status=SlotStatus.ASSIGNED, **link))
    session.flush()
    return event


def shift(r: Range[datetime], minutes: int) -> Range[datetime]:
    assert r.lower is not None and r.upper is not None
    d = timedelta(minutes=minutes)
    return Range(r.lower + d, r.upper + d, bounds="[)")
