"""Hostile text (issue 9, point 1): refused at input and by the database, harmless at output.

Rows stored before migration 0006 (or by any SQL client while its CHECKs were missing) are
made here by lifting the CHECKs inside the test's own transaction, which is rolled back.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coptui.domain.recurrence import Recurrence
from coptui.errors import BadInputError, CapacityError, CoptError, HolidayError, SlotTakenError
from coptui.services.booking import book_event
from coptui.services.calendar import agenda, calendar_for, centres, resource_week
from coptui.services.clashes import find_clashes
from coptui.services.directory import entries
from coptui.services.edits import EventChanges, cancel_event, cancel_series, edit_event
from coptui.services.places import join_session
from coptui.services.series import book_series, preview_series
from tests.factories import DAY, World, add_event, at, make_world, span
from tests.services.test_booking import req

# C0 (the newline too: one line of output), DEL, C1, Unicode line breaks.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

WINDOW_TITLE = "x\x1b]0;pwned\x07y"
CLEAR = "\x1b[2J"
FORGED = "Арт\n10:00–11:00 Фалшив ред"
C1 = "C1 \x9b31m"
HOSTILE = [WINDOW_TITLE, CLEAR, FORGED, C1]
MONDAY = DAY - timedelta(days=DAY.weekday())


def harmless(*values: object) -> bool:
    return not any(FORBIDDEN.search(str(v)) for v in values)


def lift_text_checks(session: Session) -> None:
    """Drop migration 0006's CHECKs in this transaction: the database as it was before."""
    session.execute(
        text(
            "DO $$ DECLARE c record; BEGIN"
            " FOR c IN SELECT conrelid::regclass AS t, conname FROM pg_constraint"
            "  WHERE conname ~ '^ck_.*_safe$' AND connamespace = 'public'::regnamespace"
            " LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.t, c.conname);"
            " END LOOP; END $$"
        )
    )


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture
def hostile(session: Session, world: World) -> int:
    """A centre whose every name is hostile, and an event in it with a hostile title."""
    lift_text_checks(session)
    session.execute(
        text("UPDATE centre SET name = :n, town = :t WHERE id = :c"),
        {"n": WINDOW_TITLE, "t": FORGED, "c": world.centre},
    )
    session.execute(text("UPDATE room SET name = :n WHERE id = :r"), {"n": CLEAR, "r": world.room})
    session.execute(
        text("UPDATE staff SET full_name = :n WHERE id = :s"), {"n": FORGED, "s": world.staff}
    )
    session.execute(
        text("UPDATE case_file SET code = :c, child_name = :n WHERE id = :id"),
        {"c": C1, "n": CLEAR, "id": world.case},
    )
    session.execute(
        text("UPDATE volunteer SET full_name = :n WHERE id = :v"),
        {"n": WINDOW_TITLE, "v": world.volunteer},
    )
    event = add_event(
        session,
        world,
        span("09:00", "10:00"),
        room=world.room,
        staff=(world.staff,),
        cases=(world.case,),
        volunteers=(world.volunteer,),
        title=WINDOW_TITLE + FORGED,
    )
    assert event.id is not None
    return event.id


# Output: every read model and every refusal built from stored text.


def test_the_centre_week_is_harmless(session: Session, world: World, hostile: int) -> None:
    week = agenda(session, centre_id=world.centre, start=at("00:00"), end=at("23:59"))
    (row,) = [r for r in week if r.id == hostile]
    assert harmless(row.title, row.room, *row.staff, *row.cases)
    assert row.title.startswith("x\ufffd]0;pwned\ufffdyАрт\ufffd10:00")
    assert row.staff == ("Арт\ufffd10:00–11:00 Фалшив ред",)


@pytest.mark.parametrize("kind", ["room", "staff", "case", "volunteer"])
def test_a_resource_week_is_harmless(
    session: Session, world: World, hostile: int, kind: str
) -> None:
    key = {"room": world.room, "staff": world.staff, "case": world.case}
    week = resource_week(
        session,
        centre_id=world.centre,
        resource=kind,
        resource_id=key.get(kind, world.volunteer),
        monday=MONDAY,
    )
    (row,) = week
    assert row.id == hostile
    assert harmless(row.title, row.room, *row.staff, *row.cases)


@pytest.mark.parametrize("field", ["room_id", "staff_ids", "case_ids", "volunteer_ids"])
def test_a_clash_with_a_hostile_holder_is_harmless(
    session: Session, world: World, hostile: int, field: str
) -> None:
    ids = {
        "room_id": world.room,
        "staff_ids": (world.staff,),
        "case_ids": (world.case,),
        "volunteer_ids": (world.volunteer,),
    }
    with pytest.raises(SlotTakenError) as caught:
        book_event(session, request=req(world, "09:30", "10:30", **{field: ids[field]}))
    assert harmless(caught.value.message, caught.value.title)
    assert "pwned" in caught.value.message
    clashes = find_clashes(
        session,
        start=at("09:30"),
        end=at("10:30"),
        room_id=world.room,
        staff_ids=(world.staff,),
        case_ids=(world.case,),
        volunteer_ids=(world.volunteer,),
    )
    assert len(clashes) == 4
    for clash in clashes:
        assert harmless(clash.resource, clash.title, *clash.people, clash.describe())


def test_a_series_preview_is_harmless(session: Session, world: World, hostile: int) -> None:
    session.execute(
        text(
            "INSERT INTO holiday_override (centre_id, day, kind, note)"
            " VALUES (:c, :d, 'closure', :n)"
        ),
        {"c": world.centre, "d": DAY + timedelta(days=7), "n": CLEAR + FORGED},
    )
    preview = preview_series(
        session,
        request=req(world, "09:30", "10:30", room_id=world.room),
        rule=Recurrence(freq="weekly", count=2),
    )
    assert preview[0].clashes and preview[1].holiday
    for occurrence in preview:
        assert harmless(occurrence.holiday or "")
        for clash in occurrence.clashes:
            assert harmless(clash.resource, clash.title, *clash.people, clash.describe())


def test_a_closure_with_a_hostile_note_is_refused_harmlessly(
    session: Session, world: World, hostile: int
) -> None:
    day = DAY + timedelta(days=1)
    session.execute(
        text(
            "INSERT INTO holiday_override (centre_id, day, kind, note)"
            " VALUES (:c, :d, 'closure', :n)"
        ),
        {"c": world.centre, "d": day, "n": FORGED + WINDOW_TITLE},
    )
    assert harmless(calendar_for(session, world.centre).holiday_name(day))
    with pytest.raises(HolidayError) as caught:
        book_event(session, request=req(world, "09:00", "10:00", day=day, room_id=world.office))
    assert harmless(caught.value.message) and "pwned" in caught.value.message


def test_directories_and_centres_are_harmless(session: Session, world: World, hostile: int) -> None:
    for kind in ("rooms", "staff", "volunteers", "cases", "programmes"):
        for entry in entries(session, centre_id=world.centre, kind=kind):
            assert harmless(entry.name, entry.detail)
    assert [(c.name, c.town) for c in centres(session)] == [
        ("x\ufffd]0;pwned\ufffdy", "Арт\ufffd10:00–11:00 Фалшив ред")
    ]


def test_a_full_room_with_a_hostile_name_is_refused_harmlessly(
    session: Session, world: World, hostile: int
) -> None:
    session.execute(
        text("UPDATE room SET name = :n WHERE id = :r"), {"n": FORGED, "r": world.office}
    )
    with pytest.raises(CapacityError) as caught:
        book_event(
            session,
            request=req(
                world,
                "11:00",
                "12:00",
                room_id=world.office,
                staff_ids=(world.staff, world.other_staff),
                case_ids=(world.case, world.other_case),
            ),
        )
    assert harmless(caught.value.message) and "Фалшив ред" in caught.value.message


def test_a_full_session_with_a_hostile_title_is_refused_harmlessly(
    session: Session, world: World, hostile: int
) -> None:
    programme = session.execute(
        text(
            "INSERT INTO programme (centre_id, kind, title, capacity)"
            " VALUES (:c, 'art_studio', :t, 1) RETURNING id"
        ),
        {"c": world.centre, "t": FORGED},
    ).scalar_one()
    session.execute(
        text("UPDATE event SET programme_id = :p WHERE id = :e"), {"p": programme, "e": hostile}
    )
    with pytest.raises(CapacityError) as caught:
        join_session(session, event_id=hostile, case_id=world.other_case)
    assert harmless(caught.value.message) and "pwned" in caught.value.message


def test_a_stale_edit_names_a_hostile_person_harmlessly(session: Session, world: World) -> None:
    lift_text_checks(session)
    me = session.execute(text("SELECT session_user")).scalar_one()
    session.execute(
        text(
            "INSERT INTO staff (centre_id, login, full_name, profession, role)"
            " VALUES (:c, :login, :n, 'manager', 'manager')"
        ),
        {"c": world.centre, "login": me, "n": FORGED + CLEAR},
    )
    booked = book_event(session, request=req(world, "13:00", "14:00", room_id=world.room))
    edit_event(session, event_id=booked.id, version=booked.version, changes=EventChanges(title="Б"))
    with pytest.raises(CoptError) as caught:
        edit_event(
            session, event_id=booked.id, version=booked.version, changes=EventChanges(title="В")
        )
    assert "Фалшив ред" in caught.value.message
    assert harmless(caught.value.message)


# Input: services refuse what the CHECKs would refuse, with a message (exit 2, a form error).


@pytest.mark.parametrize(
    "title",
    [*HOSTILE, "lone \ud800 surrogate", "tab\there", pytest.param("д" * 201, id="201-characters")],
)
def test_a_hostile_or_long_title_is_bad_input(session: Session, world: World, title: str) -> None:
    with pytest.raises(BadInputError) as caught:
        book_event(session, request=req(world, "09:00", "10:00", title=title, room_id=world.room))
    assert caught.value.message.startswith("Заглавието")
    with pytest.raises(BadInputError):
        book_series(
            session,
            request=req(world, "09:00", "10:00", title=title, room_id=world.room),
            rule=Recurrence(freq="weekly", count=2),
        )
    assert session.execute(text("SELECT count(*) FROM event")).scalar_one() == 0


def test_a_title_of_200_characters_is_booked(session: Session, world: World) -> None:
    booked = book_event(
        session,
        request=req(world, "09:00", "10:00", title=" " + "д" * 200 + " ", room_id=world.room),
    )
    stored = session.execute(text("SELECT title FROM event WHERE id = :e"), {"e": booked.id})
    assert stored.scalar_one() == "д" * 200


def test_notes_keep_their_lines_and_refuse_controls(session: Session, world: World) -> None:
    booked = book_event(
        session,
        request=req(world, "09:00", "10:00", room_id=world.room, notes="ред 1\r\nред 2\tкрай"),
    )
    stored = session.execute(text("SELECT notes FROM event WHERE id = :e"), {"e": booked.id})
    assert stored.scalar_one() == "ред 1\nред 2    край"
    with pytest.raises(BadInputError):
        book_event(session, request=req(world, "11:00", "12:00", room_id=world.room, notes=CLEAR))
    with pytest.raises(BadInputError):
        edit_event(
            session, event_id=booked.id, version=booked.version, changes=EventChanges(notes=C1)
        )


@pytest.mark.parametrize("title", HOSTILE)
def test_an_edit_to_a_hostile_title_is_bad_input(
    session: Session, world: World, title: str
) -> None:
    booked = book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    with pytest.raises(BadInputError):
        edit_event(
            session, event_id=booked.id, version=booked.version, changes=EventChanges(title=title)
        )


@pytest.mark.parametrize("reason", [*HOSTILE, pytest.param("д" * 201, id="201-characters")])
def test_a_hostile_cancel_reason_is_bad_input(session: Session, world: World, reason: str) -> None:
    booked = book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    with pytest.raises(BadInputError):
        cancel_event(session, event_id=booked.id, version=booked.version, reason=reason)
    with pytest.raises(BadInputError):
        cancel_series(session, event_id=booked.id, reason=reason, scope="all")
    status = session.execute(text("SELECT status FROM event WHERE id = :e"), {"e": booked.id})
    assert status.scalar_one() == "planned"


def test_a_cancel_reason_is_stored_stripped(session: Session, world: World) -> None:
    booked = book_event(session, request=req(world, "09:00", "10:00", room_id=world.room))
    cancel_event(session, event_id=booked.id, version=booked.version, reason="  болест  ")
    reason = session.execute(
        text("SELECT cancel_reason FROM event WHERE id = :e"), {"e": booked.id}
    )
    assert reason.scalar_one() == "болест"


# The database: the CHECKs of migration 0006 refuse any client that skips the services.


@pytest.mark.parametrize(
    ("statement", "value"),
    [
        ("UPDATE event SET title = :v", WINDOW_TITLE),
        ("UPDATE event SET title = :v", FORGED),
        pytest.param("UPDATE event SET title = :v", "д" * 201, id="201-characters"),
        ("UPDATE event SET notes = :v", CLEAR),
        ("UPDATE event SET status = 'cancelled', cancel_reason = :v", C1),
        ("UPDATE room SET name = :v", "Зала\u2028"),
        ("UPDATE staff SET full_name = :v", CLEAR),
        ("UPDATE volunteer SET skills = ARRAY[:v]", CLEAR),
        ("UPDATE case_file SET child_name = :v", "\x7f"),
        ("UPDATE centre SET town = :v", "\x85"),
        ("UPDATE event SET title = :v", "Арт \u202eателие"),
        ("UPDATE volunteer SET skills = ARRAY[:v]", "\u2067x"),
    ],
)
def test_the_database_refuses_control_characters(
    session: Session, world: World, statement: str, value: str
) -> None:
    add_event(session, world, span("09:00", "10:00"), room=world.room)
    with pytest.raises(IntegrityError, match="_safe"), session.begin_nested():
        session.execute(text(statement), {"v": value})


def test_the_database_lets_notes_have_lines(session: Session, world: World) -> None:
    event = add_event(session, world, span("09:00", "10:00"), room=world.room)
    session.execute(
        text("UPDATE event SET notes = :v WHERE id = :e"), {"v": "ред 1\nред 2", "e": event.id}
    )
    with pytest.raises(IntegrityError, match="ck_event_notes_safe"), session.begin_nested():
        session.execute(
            text("UPDATE event SET notes = :v WHERE id = :e"), {"v": "д" * 4001, "e": event.id}
        )


def test_lifting_the_checks_is_rolled_back(session: Session, world: World) -> None:
    # The fixture above relies on the session's rollback to bring the CHECKs back.
    count = "SELECT count(*) FROM pg_constraint WHERE conname ~ '^ck_.*_safe$'"
    before = session.execute(text(count)).scalar_one()
    assert before > 20
    with session.begin_nested() as savepoint:
        lift_text_checks(session)
        assert session.execute(text(count)).scalar_one() == 0
        savepoint.rollback()
    assert session.execute(text(count)).scalar_one() == before
