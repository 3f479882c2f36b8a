"""The history of an event and of a case from the audit log, and who a stale edit names."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coptui.errors import BadInputError, StaleEditError
from coptui.services.booking import BookingRequest, book_event
from coptui.services.calendar import rows
from coptui.services.edits import cancel_event, move_event
from coptui.services.history import history
from tests.factories import World, at, make_world

DAY = date(2026, 12, 2)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def me_as_staff(session: Session, staff_id: int) -> str:
    session.execute(text("UPDATE staff SET login = session_user WHERE id = :s"), {"s": staff_id})
    return str(session.execute(text("SELECT session_user")).scalar_one())


def booked(session: Session, world: World) -> tuple[int, int]:
    event = book_event(
        session,
        request=BookingRequest(
            centre_id=world.centre,
            title="Арт ателие",
            start=at("10:00", DAY),
            end=at("11:00", DAY),
            room_id=world.room,
            staff_ids=(world.staff,),
            case_ids=(world.case,),
        ),
    )
    return event.id, event.version


def test_an_events_history_says_who_changed_what_from_and_to(
    session: Session, world: World
) -> None:
    me_as_staff(session, world.staff)
    event_id, version = booked(session, world)
    move_event(session, event_id=event_id, version=version, start=at("12:00"), end=at("13:30"))
    found = history(session, subject="event", record_id=event_id)
    newest = found[0]
    assert newest.who == "Анна Тестова"
    assert newest.what == "Променено"
    assert [(f.field, f.old, f.new) for f in newest.fields] == [
        ("Кога", "02.12.2026 10:00–11:00", "02.12.2026 12:00–13:30")
    ]
    whats = [e.what for e in found]
    assert "Създадено" in whats
    assert "Добавен специалист: Анна Тестова" in whats
    assert "Добавен случай: Т-001" in whats
    created = next(e for e in found if e.what == "Създадено")
    assert ("Зала", "", "Групова зала") in [(f.field, f.old, f.new) for f in created.fields]
    # What follows from other rows (the event's lists of ids) is not a change of its own.
    assert all(e.fields or e.what != "Променено" for e in found)
    assert all(
        "case_ids" not in f.field and "staff" not in f.field for e in found for f in e.fields
    )


def test_a_cancellation_shows_status_and_reason_in_words(session: Session, world: World) -> None:
    event_id, version = booked(session, world)
    cancel_event(session, event_id=event_id, version=version, reason="болест")
    newest = history(session, subject="event", record_id=event_id)[0]
    assert [(f.field, f.old, f.new) for f in newest.fields] == [
        ("Статус", "предстои", "отменено"),
        ("Причина за отмяна", "—", "болест"),
    ]


def test_a_cases_history_holds_its_fields_and_its_sessions(session: Session, world: World) -> None:
    event_id, _version = booked(session, world)
    session.execute(
        text("UPDATE case_file SET child_name = 'Елица' WHERE id = :c"), {"c": world.case}
    )
    session.execute(
        text("UPDATE event_case SET attendance = 'present' WHERE event_id = :e AND case_id = :c"),
        {"e": event_id, "c": world.case},
    )
    found = history(session, subject="case", record_id=world.case)
    assert found[0].what == "Присъствие на сесията на 02.12.2026 10:00–11:00"
    assert [(f.field, f.old, f.new) for f in found[0].fields] == [
        ("Присъствие", "не е отбелязано", "присъства")
    ]
    assert ("Дете", "Ели", "Елица") in [(f.field, f.old, f.new) for f in found[1].fields]
    assert found[2].what == "Записан за сесията на 02.12.2026 10:00–11:00"
    # The other case's changes are not in this one's history.
    other = history(session, subject="case", record_id=world.other_case)
    assert all("Елица" not in f.new for e in other for f in e.fields)


def test_history_reads_the_same_on_the_planners_psycopg_connection(
    session: Session, world: World
) -> None:
    event_id, _version = booked(session, world)
    raw = session.connection().connection.driver_connection
    assert rows(raw, "SELECT 1") == [(1,)]
    assert history(raw, subject="event", record_id=event_id) == history(
        session, subject="event", record_id=event_id
    )


def test_only_events_and_cases_have_a_history(session: Session) -> None:
    with pytest.raises(BadInputError):
        history(session, subject="audit_log", record_id=1)


def test_a_stale_edit_names_the_volunteer_who_saved_first(session: Session, world: World) -> None:
    session.execute(
        text("UPDATE volunteer SET login = session_user WHERE id = :v"), {"v": world.volunteer}
    )
    event_id, version = booked(session, world)
    move_event(session, event_id=event_id, version=version, start=at("12:00"), end=at("13:00"))
    with pytest.raises(StaleEditError) as caught:
        cancel_event(session, event_id=event_id, version=version, reason="x")
    assert "Вера Опитова" in caught.value.message
