"""Setting up a centre from typed values: add, edit, deactivate every kind, on a real server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.errors import BadInputError, NotFoundError, RefusedError, StaleEditError
from coptui.services.setup import (
    DuplicateError,
    Record,
    add_record,
    check_values,
    current_centre,
    deactivate_record,
    edit_record,
    find_record,
    get_record,
    list_records,
)

TODAY = date(2027, 3, 1)


def audit_count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM audit_log")).scalar_one())


@pytest.fixture
def centre(session: Session) -> int:
    record = add_record(
        session,
        centre_id=None,
        kind="centre",
        values={"name": "ЦОП „Надежда“", "town": "Ловеч", "capacity": "20"},
        today=TODAY,
    )
    return record.id


@pytest.fixture
def add(session: Session, centre: int) -> Callable[..., Record]:
    def adding(what: str, /, **values: str) -> Record:
        return add_record(session, centre_id=centre, kind=what, values=values, today=TODAY)

    return adding


def test_centre_is_created_with_its_dated_capacity(session: Session, centre: int) -> None:
    found = current_centre(session, today=TODAY)
    assert found is not None and found.id == centre
    assert found.values["capacity"] == "20" and found.values["capacity_from"] == "01.03.2027"
    assert found.values["town"] == "Ловеч" and "20" in found.detail
    with pytest.raises(RefusedError, match="ЦОП „Надежда“"):
        add_record(
            session,
            centre_id=None,
            kind="centre",
            values={"name": "Друг", "town": "Т", "capacity": "5"},
            today=TODAY,
        )


def test_centre_capacity_changes_from_a_day_and_keeps_the_old_number(
    session: Session, centre: int
) -> None:
    before = current_centre(session, today=TODAY)
    assert before is not None
    after = edit_record(
        session,
        centre_id=centre,
        kind="centre",
        record_id=centre,
        version=before.version,
        values={"capacity": "25", "capacity_from": "01.06.2027"},
        today=TODAY,
    )
    assert after.version == before.version + 1
    assert after.values["capacity"] == "20"  # not yet
    june = get_record(
        session, centre_id=centre, kind="centre", record_id=centre, today=date(2027, 6, 1)
    )
    assert june.values["capacity"] == "25" and june.values["capacity_from"] == "01.06.2027"
    with pytest.raises(RefusedError):
        deactivate_record(
            session, centre_id=centre, kind="centre", record_id=centre, version=1, today=TODAY
        )


def test_the_issue_examples(session: Session, add: Callable[..., Record]) -> None:
    room = add("room", name="Групова зала", kind="group", seats="15", area="48,30")
    assert room.values == {
        "name": "Групова зала",
        "kind": "group_room",
        "seats": "15",
        "area": "48,30",
        "notes": "",
    }
    staff = add("staff", name="Мария Петрова", profession="психолог")
    assert staff.values["login"] == "mpetrova" and staff.values["role"] == "specialist"
    assert staff.detail == "психолог"
    volunteer = add("volunteer", name="Иван Колев", skills="рисуване,музика")
    assert volunteer.values["skills"] == "рисуване, музика"
    programme = add(
        "programme", name="Арт ателие", kind="art", seats="10", lead="мария", room="групова"
    )
    assert programme.values["lead"] == "Мария Петрова"
    assert programme.values["room"] == "Групова зала"
    closure = add("closure", day="31.12.2027", reason="Инвентаризация")
    assert closure.name == "31.12.2027" and closure.values["kind"] == "closure"


def test_a_second_login_of_the_same_initials_gets_a_number(add: Callable[..., Record]) -> None:
    add("staff", name="Мария Петрова", profession="psychologist")
    other = add("staff", name="Милена Петрова", profession="pedagogue")
    assert other.values["login"] == "mpetrova2"
    with pytest.raises(BadInputError, match="латински"):
        add("staff", name="Нина Д", profession="other", login="Нина")
    with pytest.raises(DuplicateError):
        add("staff", name="Нина Д", profession="other", login="mpetrova")


@pytest.mark.parametrize(
    ("kind", "values", "again"),
    [
        ("room", {"name": "Кабинет 1", "kind": "office"}, {"name": "кабинет 1", "kind": "office"}),
        (
            "staff",
            {"name": "Мария Петрова", "profession": "psychologist"},
            {"name": "МАРИЯ ПЕТРОВА", "profession": "other"},
        ),
        ("volunteer", {"name": "Иван Колев"}, {"name": "иван колев"}),
        (
            "programme",
            {"name": "Арт ателие", "kind": "art"},
            {"name": "арт ателие", "kind": "eco"},
        ),
        (
            "closure",
            {"day": "31.12.2027", "reason": "А"},
            {"day": "31.12.2027", "reason": "Б"},
        ),
    ],
)
def test_duplicates_are_refused_with_a_clear_message(
    add: Callable[..., Record], kind: str, values: dict[str, str], again: dict[str, str]
) -> None:
    add(kind, **values)
    with pytest.raises(DuplicateError) as refused:
        add(kind, **again)
    assert isinstance(refused.value, RefusedError)
    assert "вече" in refused.value.message.casefold()


def test_a_rename_onto_another_name_is_refused(
    session: Session, centre: int, add: Callable[..., Record]
) -> None:
    add("room", name="Кабинет 1", kind="office")
    second = add("room", name="Кабинет 2", kind="office")
    with pytest.raises(DuplicateError):
        edit_record(
            session,
            centre_id=centre,
            kind="room",
            record_id=second.id,
            version=second.version,
            values={"name": "КАБИНЕТ 1"},
            today=TODAY,
        )


EDITS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("room", {"name": "Кабинет", "kind": "office"}, {"seats": "3", "area": "12.5"}),
    ("staff", {"name": "Мария Петрова", "profession": "psychologist"}, {"phone": "0888 1"}),
    ("volunteer", {"name": "Иван Колев"}, {"skills": "театър; игри", "notes": "ред 1\nред 2"}),
    ("programme", {"name": "Арт ателие", "kind": "art"}, {"seats": "8", "ends_on": "30.06.2027"}),
    ("closure", {"day": "31.12.2027", "reason": "Инвентаризация"}, {"kind": "работен ден"}),
]


@pytest.mark.parametrize(("kind", "values", "changes"), EDITS)
def test_edit_changes_only_the_given_fields_and_refuses_stale_versions(
    session: Session,
    centre: int,
    add: Callable[..., Record],
    kind: str,
    values: dict[str, str],
    changes: dict[str, str],
) -> None:
    record = add(kind, **values)
    edited = edit_record(
        session,
        centre_id=centre,
        kind=kind,
        record_id=record.id,
        version=record.version,
        values=changes,
        today=TODAY,
    )
    assert edited.version == record.version + 1
    for name, value in record.values.items():
        if name not in changes:
            assert edited.values[name] == value, name
    assert edited.values != record.values
    with pytest.raises(StaleEditError) as stale:
        edit_record(
            session,
            centre_id=centre,
            kind=kind,
            record_id=record.id,
            version=record.version,
            values={name: "" for name in changes},
            today=TODAY,
        )
    assert "промени" in stale.value.message  # names who changed it, and when
    assert get_record(session, centre_id=centre, kind=kind, record_id=record.id) == edited


@pytest.mark.parametrize(("kind", "values", "changes"), EDITS)
def test_an_edit_that_changes_nothing_writes_nothing(
    session: Session,
    centre: int,
    add: Callable[..., Record],
    kind: str,
    values: dict[str, str],
    changes: dict[str, str],
) -> None:
    record = add(kind, **values)
    before = audit_count(session)
    same = edit_record(
        session,
        centre_id=centre,
        kind=kind,
        record_id=record.id,
        version=record.version,
        values=dict(record.values),
        today=TODAY,
    )
    assert same == record
    assert audit_count(session) == before


def book_with(session: Session, centre: int, **ids: Any) -> int:
    return int(
        session.execute(
            text(
                "INSERT INTO event (centre_id, kind, title, during, room_id)"
                " VALUES (:c, 'group', 'Занимание',"
                " tstzrange('2027-03-02 10:00+02', '2027-03-02 11:00+02'), :room)"
                " RETURNING id"
            ),
            {"c": centre, "room": ids.get("room")},
        ).scalar_one()
    )


def test_deactivate_keeps_the_row_and_its_history(
    session: Session, centre: int, add: Callable[..., Record]
) -> None:
    room = add("room", name="Групова зала", kind="group")
    event = book_with(session, centre, room=room.id)
    staff = add("staff", name="Мария Петрова", profession="psychologist")
    gone = deactivate_record(
        session, centre_id=centre, kind="room", record_id=room.id, version=room.version, today=TODAY
    )
    assert not gone.active and gone.version == room.version + 1
    still = session.execute(text("SELECT room_id FROM event WHERE id = :e"), {"e": event})
    assert still.scalar_one() == room.id
    assert [r.name for r in list_records(session, centre_id=centre, kind="room")] == [room.name]
    assert list_records(session, centre_id=centre, kind="room", include_inactive=False) == []
    again = deactivate_record(
        session, centre_id=centre, kind="room", record_id=room.id, version=gone.version, today=TODAY
    )
    assert again == gone  # already inactive: nothing written
    with pytest.raises(BadInputError, match="Групова зала"):
        add("programme", name="Арт", kind="art", room="Групова зала")
    with pytest.raises(StaleEditError):
        deactivate_record(
            session, centre_id=centre, kind="staff", record_id=staff.id, version=99, today=TODAY
        )


def test_deactivate_every_table_kind(
    session: Session, centre: int, add: Callable[..., Record]
) -> None:
    for kind, values, _changes in EDITS[:4]:
        record = add(kind, **values)
        gone = deactivate_record(
            session,
            centre_id=centre,
            kind=kind,
            record_id=record.id,
            version=record.version,
            today=TODAY,
        )
        assert not gone.active
        assert get_record(session, centre_id=centre, kind=kind, record_id=record.id) == gone


def test_a_closure_is_removed(session: Session, centre: int, add: Callable[..., Record]) -> None:
    closure = add("closure", day="31.12.2027", reason="Инвентаризация")
    found = find_record(session, centre_id=centre, kind="closure", name="31.12.27")
    assert found == closure
    deactivate_record(
        session,
        centre_id=centre,
        kind="closure",
        record_id=closure.id,
        version=closure.version,
        today=TODAY,
    )
    assert list_records(session, centre_id=centre, kind="closure") == []
    with pytest.raises(NotFoundError):
        get_record(session, centre_id=centre, kind="closure", record_id=closure.id)


def test_find_record_by_name(session: Session, centre: int, add: Callable[..., Record]) -> None:
    add("room", name="Кабинет 1", kind="office")
    add("room", name="Кабинет 2", kind="office")
    add("room", name="Групова зала", kind="group")
    assert find_record(session, centre_id=centre, kind="room", name="групова").name == (
        "Групова зала"
    )
    with pytest.raises(BadInputError, match="Кабинет 1"):
        find_record(session, centre_id=centre, kind="room", name="кабинет")
    with pytest.raises(NotFoundError):
        find_record(session, centre_id=centre, kind="room", name="луна")


def test_bad_values_name_the_field(session: Session, add: Callable[..., Record]) -> None:
    with pytest.raises(BadInputError, match="Места"):
        add("room", name="Зала", kind="group", seats="много")
    with pytest.raises(BadInputError, match="Вид"):
        add("room", name="Зала")
    with pytest.raises(BadInputError, match="Професия"):
        add("staff", name="Мария Петрова", profession="астронавт")
    with pytest.raises(BadInputError):
        add("room", name="Зала\x1b[31m", kind="group")
    assert check_values(kind="room", values={"name": "Зала", "kind": "group"}, today=TODAY) == {}
    errors = check_values(kind="room", values={"seats": "0"}, today=TODAY)
    assert set(errors) == {"name", "kind", "seats"}
    assert check_values(kind="room", values={"seats": "3"}, today=TODAY, partial=True) == {}
    assert set(check_values(kind="room", values={"name": ""}, today=TODAY, partial=True)) == {
        "name"
    }
    dates = {"name": "И", "agreement_date": "01.03.2027", "agreement_ends": "01.02.2027"}
    assert set(check_values(kind="volunteer", values=dates, today=TODAY)) == {"agreement_ends"}


def test_nothing_but_the_centre_before_the_centre(session: Session) -> None:
    assert current_centre(session) is None
    with pytest.raises(BadInputError, match="coptui add centre"):
        add_record(
            session, centre_id=None, kind="room", values={"name": "З", "kind": "group"}, today=TODAY
        )


def test_a_case_from_the_issue_starts_its_service(
    session: Session, centre: int, add: Callable[..., Record]
) -> None:
    add("staff", name="Мария Петрова", profession="psychologist")
    case = add("case", code="ЦОП-2027-001", child="Д.", service="general", **{"from": "01.03.2027"})
    assert case.active and case.values["service"] == "general_access"
    assert case.values["from"] == "01.03.2027" and case.values["child"] == "Д."
    assert "остават" in case.detail  # the days left of general access
    edited = edit_record(
        session,
        centre_id=centre,
        kind="case",
        record_id=case.id,
        version=case.version,
        values={"key_worker": "мария", "service_types": "консултиране, група"},
        today=TODAY,
    )
    assert edited.values["key_worker"] == "Мария Петрова"
    assert edited.values["service_types"] == "консултиране, група"
    assert edited.version > case.version
    before = audit_count(session)
    same = edit_record(
        session,
        centre_id=centre,
        kind="case",
        record_id=case.id,
        version=edited.version,
        values=dict(edited.values),
        today=TODAY,
    )
    assert same == edited and audit_count(session) == before
    with pytest.raises(StaleEditError):
        edit_record(
            session,
            centre_id=centre,
            kind="case",
            record_id=case.id,
            version=case.version,
            values={"child": "Е."},
            today=TODAY,
        )
    with pytest.raises(DuplicateError):
        add("case", code="цоп-2027-001", service="general")


def test_a_case_is_closed_with_a_reason_and_keeps_its_history(
    session: Session, centre: int, add: Callable[..., Record]
) -> None:
    case = add("case", code="ЦОП-2027-002", service="general", **{"from": "01.03.2027"})
    with pytest.raises(BadInputError, match="причина"):
        deactivate_record(
            session,
            centre_id=centre,
            kind="case",
            record_id=case.id,
            version=case.version,
            today=TODAY,
        )
    closed = deactivate_record(
        session,
        centre_id=centre,
        kind="case",
        record_id=case.id,
        version=case.version,
        today=TODAY,
        reason="Целите са постигнати",
    )
    assert not closed.active
    assert [r.name for r in list_records(session, centre_id=centre, kind="case")] == [case.name]
    assert list_records(session, centre_id=centre, kind="case", include_inactive=False) == []


def test_a_case_over_capacity_waits_in_the_queue(
    session: Session, centre: int, add: Callable[..., Record]
) -> None:
    centre_record = current_centre(session, today=TODAY)
    assert centre_record is not None
    edit_record(
        session,
        centre_id=centre,
        kind="centre",
        record_id=centre,
        version=centre_record.version,
        values={"capacity": "1"},
        today=TODAY,
    )
    first = add("case", code="A-1", service="general", **{"from": "01.03.2027"})
    second = add("case", code="A-2", service="general", **{"from": "01.03.2027"})
    assert first.detail.startswith("активен")
    assert second.active and second.detail.startswith("чака") and "1" in second.detail


def test_the_database_keeps_names_unique_even_past_the_service(
    session: Session, add: Callable[..., Record]
) -> None:
    from sqlalchemy.exc import IntegrityError

    staff = add("staff", name="Мария Петрова", profession="psychologist")
    volunteer = add("volunteer", name="Иван Колев")
    for table, extra in (("staff", ", login, profession, role"), ("volunteer", "")):
        values = ", 'other', 'other', 'specialist'" if extra else ""
        source = staff if table == "staff" else volunteer
        with pytest.raises(IntegrityError, match="full_name"), session.begin_nested():
            session.execute(
                text(
                    f"INSERT INTO {table} (centre_id, full_name{extra})"
                    f" SELECT centre_id, full_name{values} FROM {table} WHERE id = :id"
                ),
                {"id": source.id},
            )
