"""The case register and the law's rules, each at its boundary, on a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import psycopg
import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.caserules import general_access_end
from coptui.domain.recurrence import parse_repeat
from coptui.errors import BadInputError, RefusedError, StaleEditError
from coptui.models import CentreCapacity, Programme, ProgrammeKind
from coptui.services.booking import BookingRequest, book_event
from coptui.services.case_reads import CaseRow, case_rows, get_case
from coptui.services.cases import add_case, case_warnings, close_case, edit_case
from coptui.services.directory import entries
from coptui.services.edits import EventChanges, edit_event, mark_held
from coptui.services.places import activate_case, join_session, leave_session
from coptui.services.series import book_series
from coptui.services.transaction import transact
from tests.factories import World, at, make_world

TODAY = date(2027, 3, 1)
CONTRACT = {
    "referral_source": "ozd",
    "referral_number": "ЗД-77/2027",
    "referral_date": date(2027, 2, 15),
    "contract_number": "Д-12/2027",
    "contract_start": date(2027, 3, 10),
    "contract_end": date(2027, 9, 30),
}


def centre(session: Session, places: int = 20) -> World:
    world = make_world(session)
    session.add(CentreCapacity(centre_id=world.centre, valid_from=date(2026, 1, 1), places=places))
    session.flush()
    return world


def book_on(session: Session, world: World, case_id: int, day: date) -> int:
    booked = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Среща",
            start=at("10:00", day),
            end=at("11:00", day),
            staff_ids=(world.staff,),
            case_ids=(case_id,),
            allow_non_working_day=True,
        ),
    )
    return booked.id


def general(session: Session, world: World, code: str, start: date | None) -> CaseRow:
    return add_case(
        session,
        centre_id=world.centre,
        code=code,
        service_kind="general_access",
        today=TODAY,
        child_name="Дете",
        key_worker_id=world.staff,
        start_on=start,
    )


# -- the two months of general access -------------------------------------------------------


def test_a_general_access_case_starts_and_shows_its_end(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "ЦОП-2027-001", TODAY)
    assert (case.status, case.active_from, case.ends_on) == ("active", TODAY, date(2027, 5, 1))
    assert case.days_left == 61
    assert case.referral_source == "self" and case.key_worker == "Анна Тестова"
    assert get_case(session, case_id=case.id, today=date(2027, 5, 1)).days_left == 0


@pytest.mark.parametrize(
    ("start", "last"),
    [
        (date(2026, 12, 31), date(2027, 2, 28)),  # 31.12 → the end of February
        (date(2027, 12, 31), date(2028, 2, 29)),  # and in a leap year
        (date(2027, 3, 1), date(2027, 5, 1)),
    ],
)
def test_booking_on_the_last_day_and_refused_the_day_after(
    session: Session, start: date, last: date
) -> None:
    world = centre(session)
    case = general(session, world, "О-1", start)
    assert case.ends_on == last
    book_on(session, world, case.id, last)
    with pytest.raises(RefusedError) as refused:
        book_on(session, world, case.id, date.fromordinal(last.toordinal() + 1))
    assert last.strftime("%d.%m.%Y") in refused.value.message
    assert "О-1" in refused.value.message


def test_converted_to_specialised_it_is_booked_after_the_old_end(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-2", TODAY)
    after = date(2027, 5, 3)
    with pytest.raises(RefusedError):
        book_on(session, world, case.id, after)
    converted = edit_case(
        session,
        case_id=case.id,
        version=case.version,
        changes={"service_kind": "specialised", **CONTRACT, "contract_start": date(2027, 4, 1)},
        today=TODAY,
    )
    assert (converted.status, converted.ends_on) == ("active", date(2027, 9, 30))
    assert converted.version == case.version + 1
    book_on(session, world, case.id, after)


def test_converting_an_active_case_needs_the_contract(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-3", TODAY)
    with pytest.raises(RefusedError) as refused:
        edit_case(
            session,
            case_id=case.id,
            version=case.version,
            changes={"service_kind": "specialised", "referral_source": "dsp"},
            today=TODAY,
        )
    assert "О-3" in refused.value.message
    assert get_case(session, case_id=case.id, today=TODAY).service_kind == "general_access"


def test_a_waiting_case_may_have_an_intake_meeting(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-4", None)
    assert case.status == "waiting" and case.ends_on is None and case.queue_position is None
    book_on(session, world, case.id, date(2027, 12, 1))


def test_a_closed_case_is_booked_up_to_its_closing_day(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-5", TODAY)
    done = close_case(
        session,
        case_id=case.id,
        version=case.version,
        on=date(2027, 3, 20),
        reason="Целите са постигнати",
        today=TODAY,
    )
    closed, offered = done.case, done.offered
    assert (closed.status, closed.closed_on, offered) == ("closed", date(2027, 3, 20), None)
    book_on(session, world, case.id, date(2027, 3, 20))
    with pytest.raises(RefusedError) as refused:
        book_on(session, world, case.id, date(2027, 3, 21))
    assert "20.03.2027" in refused.value.message


# -- specialised: referral and contract -----------------------------------------------------


def test_a_specialised_case_cannot_start_without_a_contract(session: Session) -> None:
    world = centre(session)
    with pytest.raises(RefusedError):
        add_case(
            session,
            centre_id=world.centre,
            code="С-1",
            service_kind="specialised",
            referral_source="ozd",
            today=TODAY,
            start_on=TODAY,
        )
    waiting = add_case(
        session, centre_id=world.centre, code="С-1", service_kind="specialised",
        referral_source="ozd", today=TODAY,
    )  # fmt: skip
    assert waiting.status == "waiting"
    with pytest.raises(RefusedError):
        edit_case(
            session,
            case_id=waiting.id,
            version=waiting.version,
            changes={"start_on": date(2027, 3, 10)},
            today=TODAY,
        )
    started = edit_case(
        session,
        case_id=waiting.id,
        version=waiting.version,
        changes={**CONTRACT, "start_on": date(2027, 3, 10)},
        today=TODAY,
    )
    assert (started.status, started.active_from, started.ends_on) == (
        "active",
        date(2027, 3, 10),
        date(2027, 9, 30),
    )


def test_a_specialised_case_starts_within_its_contract(session: Session) -> None:
    world = centre(session)
    with pytest.raises(RefusedError) as refused:
        add_case(
            session,
            centre_id=world.centre,
            code="С-2",
            service_kind="specialised",
            today=TODAY,
            start_on=date(2027, 3, 9),
            **CONTRACT,  # type: ignore[arg-type]
        )
    assert "10.03.2027" in refused.value.message


def test_the_database_refuses_an_active_specialised_case_without_contract(
    session: Session,
) -> None:
    world = centre(session)
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError) as refused:
        session.execute(
            text(
                "UPDATE case_file SET status = 'active', active_from = '2027-03-01' WHERE id = :id"
            ),
            {"id": _bare_specialised(session, world)},
        )
    savepoint.rollback()
    assert "ck_case_file_specialised_active_has_contract" in str(refused.value)


def _bare_specialised(session: Session, world: World) -> int:
    return int(
        session.execute(
            text(
                "INSERT INTO case_file (centre_id, code, referral_source, service_kind)"
                " VALUES (:c, 'С-без', 'ozd', 'specialised') RETURNING id"
            ),
            {"c": world.centre},
        ).scalar_one()
    )


def _specialised(session: Session, world: World, code: str = "С-3") -> CaseRow:
    return add_case(
        session,
        centre_id=world.centre,
        code=code,
        service_kind="specialised",
        today=TODAY,
        start_on=date(2027, 3, 10),
        **CONTRACT,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(2027, 3, 9), False),  # the day before the contract starts
        (date(2027, 3, 10), True),  # its first day
        (date(2027, 9, 30), True),  # its last day
        (date(2027, 10, 1), False),  # the day after
    ],
)
def test_specialised_sessions_within_the_contract(
    session: Session, day: date, allowed: bool
) -> None:
    world = centre(session)
    case = _specialised(session, world)
    if allowed:
        book_on(session, world, case.id, day)
    else:
        with pytest.raises(RefusedError):
            book_on(session, world, case.id, day)


def test_a_waiting_specialised_case_without_contract_is_not_booked(session: Session) -> None:
    world = centre(session)
    case = add_case(
        session, centre_id=world.centre, code="С-4", service_kind="specialised",
        referral_source="dsp", today=TODAY,
    )  # fmt: skip
    with pytest.raises(RefusedError):
        book_on(session, world, case.id, TODAY)


# -- the same rule through editing, series and joining a session ----------------------------


def test_moving_a_session_past_the_end_is_refused_and_other_edits_are_not(
    session: Session,
) -> None:
    world = centre(session)
    case = general(session, world, "О-6", TODAY)
    event_id = book_on(session, world, case.id, date(2027, 4, 28))
    version = session.execute(
        text("SELECT version FROM event WHERE id = :e"), {"e": event_id}
    ).scalar_one()
    with pytest.raises(RefusedError):
        edit_event(
            session,
            event_id=event_id,
            version=version,
            changes=EventChanges(
                start=at("10:00", date(2027, 5, 3)), end=at("11:00", date(2027, 5, 3))
            ),
            allow_non_working_day=True,
        )
    # Held, the session is history: closing the case leaves it (a planned one is cancelled).
    version = mark_held(session, event_id=event_id, version=version).version
    close_case(
        session, case_id=case.id, version=get_case(session, case_id=case.id, today=TODAY).version,
        on=date(2027, 3, 15), reason="Преместване", today=TODAY,
    )  # fmt: skip
    # Its old session can still be renamed: neither its cases nor its time change.
    edit_event(session, event_id=event_id, version=version, changes=EventChanges(title="Нова"))


def test_a_series_past_the_end_is_refused_whole(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-7", TODAY)
    request = BookingRequest(
        centre_id=world.centre,
        title="Седмична среща",
        start=at("10:00", date(2027, 4, 6)),
        end=at("11:00", date(2027, 4, 6)),
        staff_ids=(world.staff,),
        case_ids=(case.id,),
    )
    with pytest.raises(RefusedError) as refused:
        book_series(session, request=request, rule=parse_repeat("weekly count 6"))
    assert "01.05.2027" in refused.value.message
    done = book_series(session, request=request, rule=parse_repeat("weekly count 4"))
    assert len(done.booked) == 4


def test_joining_a_session_past_the_end_is_refused(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-8", TODAY)
    programme = Programme(
        centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие", capacity=10
    )
    session.add(programme)
    session.flush()
    late = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Арт ателие",
            start=at("15:00", date(2027, 5, 5)),
            end=at("16:00", date(2027, 5, 5)),
            staff_ids=(world.staff,),
            programme_id=programme.id,
        ),
    )
    with pytest.raises(RefusedError):
        join_session(session, event_id=late.id, case_id=case.id, waitlist=True)


# -- register: edits, versions ---------------------------------------------------------------


def test_edit_without_change_writes_nothing_and_a_stale_edit_is_refused(session: Session) -> None:
    world = centre(session)
    case = general(session, world, "О-9", None)
    same = edit_case(
        session, case_id=case.id, version=case.version, changes={"code": "О-9"}, today=TODAY
    )
    assert same.version == case.version
    renamed = edit_case(
        session,
        case_id=case.id,
        version=case.version,
        changes={"child_name": "Ели", "service_types": ["консултиране"]},
        today=TODAY,
    )
    assert (renamed.child_name, renamed.service_types) == ("Ели", ("консултиране",))
    with pytest.raises(StaleEditError):
        edit_case(
            session, case_id=case.id, version=case.version, changes={"code": "Х"}, today=TODAY
        )
    with pytest.raises(BadInputError):
        edit_case(
            session, case_id=case.id, version=renamed.version, changes={"status": "active"},
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(BadInputError):
        general(session, world, "О-9", None)  # the code is taken


# -- the centre's places and its queue --------------------------------------------------------


def test_the_last_place_and_one_over(session: Session) -> None:
    world = centre(session, places=2)
    first = general(session, world, "К-1", TODAY)
    last = general(session, world, "К-2", TODAY)
    over = general(session, world, "К-3", TODAY)
    later = general(session, world, "К-4", TODAY)
    assert [c.status for c in (first, last, over, later)] == [
        "active",
        "active",
        "waiting",
        "waiting",
    ]
    assert (over.queue_position, later.queue_position) == (1, 2)
    assert over.active_from is None and over.days_left is None
    listed = {
        r.code: r.queue_position for r in case_rows(session, centre_id=world.centre, today=TODAY)
    }
    assert listed["К-3"] == 1 and listed["К-4"] == 2
    # Closing a case offers its place, from the next day, to the first in the queue.
    offered = close_case(
        session, case_id=first.id, version=first.version, on=date(2027, 3, 5),
        reason="Приключена", today=TODAY,
    ).offered  # fmt: skip
    assert offered is not None and offered.code == "К-3"
    # Nobody jumps the queue: the second in line stays waiting while the first is offered.
    still = edit_case(
        session, case_id=later.id, version=later.version,
        changes={"start_on": date(2027, 3, 6)}, today=TODAY,
    )  # fmt: skip
    assert (still.status, still.queue_position) == ("waiting", 2)
    # The closed case holds its place on its last day; the next day it is free.
    on_the_day = edit_case(
        session, case_id=over.id, version=over.version,
        changes={"start_on": date(2027, 3, 5)}, today=TODAY,
    )  # fmt: skip
    assert on_the_day.status == "waiting"
    taken = edit_case(
        session, case_id=over.id, version=on_the_day.version,
        changes={"start_on": date(2027, 3, 6)}, today=TODAY,
    )  # fmt: skip
    assert (taken.status, taken.queue_position) == ("active", None)
    assert get_case(session, case_id=later.id, today=TODAY).queue_position == 1


def test_capacity_is_dated(session: Session) -> None:
    world = centre(session, places=3)
    session.add(CentreCapacity(centre_id=world.centre, valid_from=date(2027, 6, 1), places=2))
    session.flush()
    general(session, world, "Д-1", TODAY)
    general(session, world, "Д-2", TODAY)
    # A third place is free in March, but not from June on: it would be over capacity then.
    third = general(session, world, "Д-3", date(2027, 3, 15))
    assert third.status == "waiting" and third.queue_position == 1


def test_closing_a_waiting_case_takes_it_out_of_the_queue(session: Session) -> None:
    world = centre(session, places=1)
    general(session, world, "Ч-1", TODAY)
    second = general(session, world, "Ч-2", TODAY)
    third = general(session, world, "Ч-3", TODAY)
    done = close_case(
        session, case_id=second.id, version=second.version, on=TODAY, reason="Отказ",
        today=TODAY,
    )  # fmt: skip
    closed, offered = done.case, done.offered
    assert closed.queue_position is None and offered is None
    assert get_case(session, case_id=third.id, today=TODAY).queue_position == 1
    with pytest.raises(BadInputError):
        close_case(
            session, case_id=third.id, version=third.version, on=TODAY, reason=" ", today=TODAY
        )


def test_the_list_shows_status_end_and_queue(session: Session) -> None:
    world = centre(session, places=1)
    general(session, world, "Л-1", TODAY)
    general(session, world, "Л-2", TODAY)
    details = {e.name: e.detail for e in entries(session, centre_id=world.centre, kind="cases")}
    assert "01.05.2027" in details["Л-1"]
    assert "1" in details["Л-2"] and details["Л-2"] != details["Л-1"]


def test_twenty_at_the_last_place_give_one_active(engine: Engine) -> None:
    def setup(session: Session) -> list[int]:
        world = centre(session, places=16)
        for i in range(15):
            general(session, world, f"А-{i:02}", TODAY)
        return [general(session, world, f"Ч-{i:02}", None).id for i in range(20)]

    waiting = transact(engine, setup)
    barrier = threading.Barrier(20)
    outcomes: list[int | None] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        barrier.wait()
        position = transact(engine, lambda s: activate_case(s, case_id=waiting[i], on=TODAY))
        with lock:
            outcomes.append(position)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count(None) == 1
    assert sorted(p for p in outcomes if p is not None) == list(range(1, 20))
    with Session(engine) as session:
        active = session.execute(
            text("SELECT count(*) FROM case_file WHERE status = 'active'")
        ).scalar_one()
    assert active == 16


# -- the key worker's warnings ----------------------------------------------------------------


def test_warnings_at_d14_and_d7_for_the_key_worker(session: Session) -> None:
    world = centre(session)
    today = date(2027, 6, 16)

    def started(code: str, left: int, worker: int) -> None:
        # An end `left` days after today: the start is two months before it.
        end = today + timedelta(days=left)
        start = end - relativedelta(months=2)
        assert general_access_end(start) == end
        add_case(
            session, centre_id=world.centre, code=code, service_kind="general_access",
            today=today, key_worker_id=worker, start_on=start,
        )  # fmt: skip

    started("В-15", 15, world.staff)
    started("В-14", 14, world.staff)
    started("В-07", 7, world.staff)
    started("В-00", 0, world.staff)
    started("В-минус", -1, world.staff)
    started("Б-07", 7, world.other_staff)
    _specialised(session, world, "С-край")  # ends 30.09.2027: not a general-access warning
    mine = case_warnings(session, centre_id=world.centre, staff_id=world.staff, today=today)
    assert mine == [
        "Случай В-минус: общодостъпната услуга изтече на 15.06.2027; закрийте случая или го"
        " превърнете в специализирана услуга",
        "Случай В-00: общодостъпната услуга изтича днес, 16.06.2027",
        "Случай В-07: общодостъпната услуга изтича на 23.06.2027 (след 7 дни)",
        "Случай В-14: общодостъпната услуга изтича на 30.06.2027 (след 14 дни)",
    ]
    everyone = case_warnings(session, centre_id=world.centre, staff_id=None, today=today)
    assert len(everyone) == 5 and any("Б-07" in line for line in everyone)


def test_a_place_left_in_a_session_skips_a_case_closed_by_then(session: Session) -> None:
    world = centre(session)
    inside = general(session, world, "П-1", TODAY)
    closing = general(session, world, "П-2", TODAY)
    after = general(session, world, "П-3", TODAY)
    programme = Programme(
        centre_id=world.centre, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие", capacity=1
    )
    session.add(programme)
    session.flush()
    day = date(2027, 3, 24)
    event = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Арт ателие",
            start=at("15:00", day),
            end=at("16:00", day),
            staff_ids=(world.staff,),
            case_ids=(inside.id,),
            programme_id=programme.id,
        ),
    )
    for case in (closing, after):
        assert not join_session(session, event_id=event.id, case_id=case.id, waitlist=True).joined
    close_case(
        session, case_id=closing.id, version=closing.version, on=date(2027, 3, 20),
        reason="Преместване", today=TODAY,
    )  # fmt: skip
    assert leave_session(session, event_id=event.id, case_id=inside.id) == after.id


def test_warnings_on_the_planners_plain_psycopg_connection(
    engine: Engine, database_url: str
) -> None:
    def setup(session: Session) -> World:
        world = centre(session)
        general(session, world, "Р-1", date(2027, 3, 1))  # ends 01.05.2027
        return world

    world = transact(engine, setup)
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        lines = case_warnings(
            conn, centre_id=world.centre, staff_id=world.staff, today=date(2027, 4, 24)
        )
        nobody = case_warnings(
            conn, centre_id=world.centre, staff_id=world.other_staff, today=date(2027, 4, 24)
        )
    assert lines == ["Случай Р-1: общодостъпната услуга изтича на 01.05.2027 (след 7 дни)"]
    assert nobody == []


def test_an_import_starts_new_cases_as_one_by_one_starts_would(session: Session) -> None:
    """The import's one-statement start decides exactly as activate_case: dated capacity,
    later starts, the queue's order."""
    from coptui.services.places import start_new_cases

    world = centre(session, places=3)
    session.add(CentreCapacity(centre_id=world.centre, valid_from=date(2027, 6, 1), places=5))
    session.flush()
    days = [date(2027, 4, 1), date(2027, 3, 1), date(2027, 7, 1), date(2027, 3, 15)] * 2
    days += [date(2027, 6, 2), date(2027, 3, 2)]

    def run(one_by_one: bool) -> list[tuple[str, int | None]]:
        savepoint = session.begin_nested()
        made = [general(session, world, f"И-{n}", None).id for n in range(len(days))]
        starts = list(zip(made, days, strict=True))
        if one_by_one:
            for case_id, on in starts:
                activate_case(session, case_id=case_id, on=on)
        else:
            start_new_cases(session, centre_id=world.centre, starts=starts)
        found = [get_case(session, case_id=i, today=TODAY) for i in made]
        result = [(c.status, c.queue_position) for c in found]
        savepoint.rollback()
        return result

    expected = run(one_by_one=True)
    assert {status for status, _q in expected} == {"active", "waiting"}
    assert run(one_by_one=False) == expected
