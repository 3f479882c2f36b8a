"""Volunteer rosters on a real PostgreSQL: open places, sign-up under a lock, declining one
occurrence, the substitute finder's ranking, and hours of held sessions (issue 12: 2, 5)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from coptui.domain.recurrence import parse_repeat
from coptui.errors import BadInputError, CapacityError, RefusedError, SlotTakenError, StaleEditError
from coptui.models import Programme, ProgrammeKind, Volunteer
from coptui.services.booking import BookingRequest, book_event
from coptui.services.event_reads import load_event
from coptui.services.hours import month_hours, parse_month
from coptui.services.roster_reads import coordinator_warnings, roster_summaries
from coptui.services.rosters import decline, set_open_places, sign_up
from coptui.services.series import book_series
from coptui.services.substitutes import find_substitutes
from coptui.services.transaction import transact
from tests.factories import DAY, World, at, make_world

TODAY = DAY - timedelta(days=2)  # the coordinator looks on Monday 30.11.2026


def volunteer(
    session: Session,
    world: World,
    name: str,
    *,
    skills: tuple[str, ...] = (),
    certified: date | None = date(2026, 10, 1),
    agreement_ends: date | None = None,
) -> int:
    person = Volunteer(
        centre_id=world.centre,
        full_name=name,
        skills=list(skills),
        criminal_record_date=certified,
        agreement_date=date(2026, 1, 10),
        agreement_ends=agreement_ends,
    )
    session.add(person)
    session.flush()
    assert person.id is not None
    return person.id


def session_with_places(
    session: Session,
    world: World,
    places: int,
    *,
    start: str = "15:00",
    end: str = "16:30",
    day: date = DAY,
    title: str = "Арт ателие",
    programme: int | None = None,
    room: bool = True,
) -> int:
    return book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title=title,
            start=at(start, day),
            end=at(end, day),
            room_id=world.room if room else None,
            open_slots=places,
            programme_id=programme,
        ),
    ).id


def art_programme(session: Session, world: World) -> int:
    programme = Programme(centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт")
    session.add(programme)
    session.flush()
    assert programme.id is not None
    return programme.id


def slots(session: Session, event_id: int) -> list[tuple[str, int | None]]:
    return [
        (r.status, r.volunteer_id)
        for r in session.execute(
            text("SELECT status, volunteer_id FROM roster_slot WHERE event_id = :e ORDER BY id"),
            {"e": event_id},
        )
    ]


def test_twenty_volunteers_at_the_last_place_one_gets_it(engine: Engine) -> None:
    def setup(session: Session) -> tuple[int, list[int]]:
        world = make_world(session)
        people = [volunteer(session, world, f"Доброволец {n:02d}") for n in range(20)]
        event = session_with_places(session, world, 1)
        return event, people

    event, people = transact(engine, setup)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client(person: int) -> None:
        barrier.wait()
        try:
            transact(engine, lambda s: sign_up(s, event_id=event, volunteer_id=person))
            result = "ok"
        except CapacityError:
            result = "full"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["full"] * 19 + ["ok"]
    with engine.connect() as conn:
        held = conn.execute(
            text("SELECT count(*) FROM roster_slot WHERE event_id = :e AND status = 'assigned'"),
            {"e": event},
        ).scalar_one()
        still_open = conn.execute(
            text("SELECT count(*) FROM roster_slot WHERE event_id = :e AND status = 'open'"),
            {"e": event},
        ).scalar_one()
    assert (held, still_open) == (1, 0)


def test_sign_up_refuses_a_volunteer_who_is_elsewhere_naming_it(session: Session) -> None:
    world = make_world(session)
    vera = volunteer(session, world, "Вера Заета")
    first = session_with_places(session, world, 1, title="Еко разходка", start="14:00")
    second = session_with_places(session, world, 1, start="16:00", end="17:00", room=False)
    sign_up(session, event_id=first, volunteer_id=vera)
    with pytest.raises(SlotTakenError) as refused:
        sign_up(session, event_id=second, volunteer_id=vera)
    assert "Еко разходка" in refused.value.message and "Вера Заета" in refused.value.message
    assert slots(session, second) == [("open", None)]


def test_sign_up_refuses_an_expired_certificate(session: Session) -> None:
    world = make_world(session)
    old = volunteer(session, world, "Стара Бележка", certified=date(2026, 5, 1))
    event = session_with_places(session, world, 1)
    with pytest.raises(RefusedError) as refused:
        sign_up(session, event_id=event, volunteer_id=old)
    # In date for six months: the last day is 31.10.2026.
    assert "31.10.2026" in refused.value.message
    assert slots(session, event) == [("open", None)]


def test_open_places_are_set_and_shown(session: Session) -> None:
    world = make_world(session)
    vera = volunteer(session, world, "Вера Помощна")
    event = session_with_places(session, world, 2)
    sign_up(session, event_id=event, volunteer_id=vera)
    version = load_event(session, event).version
    version = set_open_places(session, event_id=event, version=version, count=3)
    assert load_event(session, event).open_slots == 3
    assert roster_summaries(session, [event])[event] == (("Вера Помощна",), 3)
    version = set_open_places(session, event_id=event, version=version, count=0)
    assert slots(session, event) == [("assigned", vera)]  # the held place stays
    with pytest.raises(StaleEditError):
        set_open_places(session, event_id=event, version=version - 1, count=1)


def test_substitutes_are_ranked_free_in_date_skilled_then_by_hours(session: Session) -> None:
    world = make_world(session)
    art = art_programme(session, world)
    leaving = volunteer(session, world, "Ана Отказала", skills=("рисуване",))
    painter = volunteer(session, world, "Боян Художник", skills=("Рисуване", "музика"))
    busy_painter = volunteer(session, world, "Вихра Рисуваща", skills=("рисуване",))
    volunteer(
        session,
        world,
        "Галя Изтичаща",
        skills=("приложно изкуство",),
        certified=date(2026, 6, 20),  # last day 19.12.2026: 19 days after TODAY
    )
    plain = volunteer(session, world, "Деян Спортист", skills=("спорт",))
    busy_plain = volunteer(session, world, "Елка Заета", skills=("театър",))
    expired = volunteer(
        session, world, "Жоро Изтекъл", skills=("рисуване",), certified=date(2026, 5, 1)
    )
    worked = volunteer(session, world, "Зоя Работила", skills=("футбол",))
    event = session_with_places(session, world, 1, programme=art)
    sign_up(session, event_id=event, volunteer_id=leaving)
    other = session_with_places(
        session, world, 2, start="15:30", end="16:00", title="Щанд", room=False
    )
    sign_up(session, event_id=other, volunteer_id=busy_painter)
    sign_up(session, event_id=other, volunteer_id=busy_plain)
    earlier = session_with_places(session, world, 1, start="09:00", end="11:00", title="Утро")
    sign_up(session, event_id=earlier, volunteer_id=worked)

    decline(session, event_id=event, volunteer_id=leaving)
    found = find_substitutes(session, event_id=event, today=TODAY)

    assert found.open_places == 1
    assert [c.name for c in found.ranked] == [
        "Боян Художник",  # the skill asked for, papers fine
        "Галя Изтичаща",  # the skill, but her certificate ends within 30 days
        "Деян Спортист",  # not the skill asked for, no hours this month
        "Зоя Работила",  # not the skill asked for, two hours this month
    ]
    painter_row = found.ranked[0]
    assert painter_row.volunteer_id == painter and painter_row.matching == ("Рисуване",)
    assert found.ranked[1].warnings and "19.12.2026" in found.ranked[1].warnings[0]
    assert found.ranked[-1].minutes_this_month == 120
    why_not = {c.name: (c.free, c.problem) for c in found.others}
    assert why_not["Ана Отказала"][1] == "отказа това занимание"
    assert why_not["Вихра Рисуваща"][0] is False
    assert why_not["Елка Заета"][0] is False
    assert "31.10.2026" in (why_not["Жоро Изтекъл"][1] or "")
    assert "договор" in (why_not["Вера Опитова"][1] or "")
    assert expired not in [c.volunteer_id for c in found.ranked]
    assert plain in [c.volunteer_id for c in found.ranked]


def test_an_expired_certificate_never_ranks(session: Session) -> None:
    world = make_world(session)
    art = art_programme(session, world)
    # Issued 01.06.2026: in date until 30.11.2026; the session is on 02.12.2026.
    only = volunteer(
        session, world, "Ива Художничка", skills=("рисуване",), certified=date(2026, 6, 1)
    )
    event = session_with_places(session, world, 1, programme=art)
    found = find_substitutes(session, event_id=event, today=TODAY)
    assert [c.volunteer_id for c in found.ranked] == []
    assert [c.volunteer_id for c in found.others if c.volunteer_id == only] == [only]


@pytest.mark.parametrize(("days_left", "warned"), [(29, True), (30, True), (31, False)])
def test_papers_are_warned_30_days_before_they_end(
    session: Session, days_left: int, warned: bool
) -> None:
    world = make_world(session)
    volunteer(
        session,
        world,
        "Кала Краен Срок",
        agreement_ends=TODAY + timedelta(days=days_left),
    )
    event = session_with_places(session, world, 1)
    found = find_substitutes(session, event_id=event, today=TODAY)
    row = next(c for c in found.ranked if c.name == "Кала Краен Срок")
    assert bool(row.warnings) is warned
    now = at("08:00", TODAY)
    lines = coordinator_warnings(session, centre_id=world.centre, now=now, days=3)
    assert any("Кала Краен Срок" in line for line in lines) is warned


def test_decline_and_cover_change_one_occurrence_only(session: Session) -> None:
    world = make_world(session)
    regular = volunteer(session, world, "Редовна Доброволка")
    cover = volunteer(session, world, "Заместница Добра")
    result = book_series(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Арт ателие",
            start=at("15:00"),
            end=at("16:30"),
            room_id=world.room,
            volunteer_ids=(regular,),
        ),
        rule=parse_repeat("weekly count 3"),
    )
    ids = [b.id for b in result.booked]
    assert len(ids) == 3

    def snapshot() -> dict[str, object]:
        return {
            "series": session.execute(
                text(
                    "SELECT rrule, local_start, duration_minutes, version FROM series WHERE id = :s"
                ),
                {"s": result.series_id},
            ).one(),
            "others": [
                (
                    session.execute(
                        text("SELECT version, during, status FROM event WHERE id = :e"), {"e": e}
                    ).one(),
                    slots(session, e),
                )
                for e in (ids[0], ids[2])
            ],
        }

    before = snapshot()
    decline(session, event_id=ids[1], volunteer_id=regular)
    assert slots(session, ids[1]) == [("declined", regular), ("open", None)]
    sign_up(session, event_id=ids[1], volunteer_id=cover)
    assert slots(session, ids[1]) == [("declined", regular), ("assigned", cover)]
    assert snapshot() == before
    assert load_event(session, ids[1]).series_id == result.series_id


def test_hours_of_held_sessions_match_a_hand_count(session: Session) -> None:
    world = make_world(session)
    vera = world.volunteer
    ivo = volunteer(session, world, "Иво Часовник")

    def held(
        day: date, start: str, end: str, *, staff: tuple[int, ...], people: tuple[int, ...]
    ) -> int:
        event = book_event(
            session,
            request=BookingRequest(
                centre_id=world.centre,
                title="Група",
                start=at(start, day),
                end=at(end, day),
                staff_ids=staff,
                volunteer_ids=people,
                allow_non_working_day=True,
            ),
        ).id
        session.execute(text("UPDATE event SET status = 'held' WHERE id = :e"), {"e": event})
        return event

    held(date(2026, 11, 2), "10:00", "11:30", staff=(world.staff,), people=(vera, ivo))
    held(
        date(2026, 11, 3), "14:00", "14:45", staff=(world.staff, world.other_staff), people=(vera,)
    )
    # The night the clocks go back (25.10.2026): 02:30 to 04:30 on the wall is three hours,
    # and October's, not November's.
    held(date(2026, 10, 25), "02:30", "04:30", staff=(world.staff,), people=())
    # The last evening of November, 29 minutes.
    held(date(2026, 11, 30), "23:30", "23:59", staff=(world.other_staff,), people=())
    planned = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Още не",
            start=at("10:00", date(2026, 11, 4)),
            end=at("11:00", date(2026, 11, 4)),
            staff_ids=(world.staff,),
        ),
    )
    assert planned.status == "planned"
    declined = held(date(2026, 11, 5), "09:00", "10:00", staff=(), people=(ivo,))
    session.execute(
        text("UPDATE roster_slot SET status = 'declined' WHERE event_id = :e"), {"e": declined}
    )

    rows = month_hours(session, centre_id=world.centre, year=2026, month=11)
    found = [(r.role, r.name, r.sessions, r.minutes, r.hours) for r in rows]
    assert found == [
        ("specialist", "Анна Тестова", 2, 90 + 45, "2:15"),
        ("specialist", "Борис Пробов", 2, 45 + 29, "1:14"),
        ("volunteer", "Вера Опитова", 2, 90 + 45, "2:15"),
        ("volunteer", "Иво Часовник", 1, 90, "1:30"),
    ]
    october = month_hours(session, centre_id=world.centre, year=2026, month=10)
    assert [(r.name, r.minutes) for r in october] == [("Анна Тестова", 180)]


def test_month_is_read_as_mm_yyyy() -> None:
    assert parse_month("11.2026") == (2026, 11)
    assert parse_month("1.2027") == (2027, 1)
    for bad in ("13.2026", "2026-11", "11.26", ""):
        with pytest.raises(BadInputError, match=r"11\.2026"):
            parse_month(bad)


def test_places_open_soon_warn_the_coordinator(session: Session) -> None:
    world = make_world(session)
    soon = session_with_places(session, world, 2, day=TODAY + timedelta(days=3), title="Скоро")
    session_with_places(session, world, 1, day=TODAY + timedelta(days=4), title="По-късно")
    now = at("08:00", TODAY)
    lines = coordinator_warnings(session, centre_id=world.centre, now=now, days=3)
    assert any("Скоро" in line and "2 " in line for line in lines)
    assert not any("По-късно" in line for line in lines)
    assert soon
