"""Busy time («Заето», kind ``block``): it holds its room or person like any event, comes in
from an outside calendar, takes no cases, volunteers or mark of held, and counts in no figure
of the monthly report."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coptui.domain.enums import EventKind
from coptui.errors import BadInputError, RefusedError, SlotTakenError
from coptui.export.report_csv import render_csv
from coptui.export.report_text import render_text
from coptui.services.booking import BookingRequest, book_event
from coptui.services.edits import cancel_event, mark_held
from coptui.services.ics_import import Busy, import_busy
from coptui.services.places import join_session
from coptui.services.report import month_report
from coptui.services.rosters import set_open_places
from tests.factories import World, at, make_world
from tests.report_data import TODAY, build_month


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _block(world: World, start: str, end: str, **kw: object) -> BookingRequest:
    return BookingRequest(
        centre_id=world.centre,
        title=str(kw.pop("title", "Зъболекар")),
        start=at(start),
        end=at(end),
        kind=EventKind.BLOCK,
        **kw,  # type: ignore[arg-type]
    )


def _kind(session: Session, event_id: int) -> str:
    found = session.execute(text("SELECT kind FROM event WHERE id = :e"), {"e": event_id})
    return str(found.scalar_one())


def test_an_imported_busy_time_is_a_block(session: Session, world: World) -> None:
    busy = Busy("dentist-1", "", "Зъболекар", at("09:00"), at("10:00"))
    done = import_busy(
        session,
        centre_id=world.centre,
        target="staff",
        target_id=world.staff,
        busy=[busy],
        write=True,
    )
    assert len(done.new) == 1
    found = session.execute(
        text("SELECT e.kind FROM event e JOIN event_import i ON i.event_id = e.id")
    ).scalars()
    assert list(found) == ["block"]


def test_a_block_clashes_like_any_event(session: Session, world: World) -> None:
    block = book_event(session, request=_block(world, "09:00", "10:00", staff_ids=(world.staff,)))
    room = book_event(session, request=_block(world, "09:00", "10:00", room_id=world.room))
    assert _kind(session, block.id) == "block"
    with pytest.raises(SlotTakenError) as refused:
        book_event(
            session,
            request=BookingRequest(
                centre_id=world.centre,
                title="Консултация",
                start=at("09:30"),
                end=at("10:30"),
                staff_ids=(world.staff,),
                case_ids=(world.case,),
            ),
        )
    assert "Зъболекар" in str(refused.value)
    group = BookingRequest(
        centre_id=world.centre, title="Група", start=at("09:00"), end=at("09:15"),
        room_id=world.room,
    )  # fmt: skip
    with pytest.raises(SlotTakenError):
        book_event(session, request=group)
    # A block over a block of the same person clashes too; touching ones do not.
    with pytest.raises(SlotTakenError):
        book_event(session, request=_block(world, "09:45", "11:00", staff_ids=(world.staff,)))
    book_event(session, request=_block(world, "10:00", "11:00", staff_ids=(world.staff,)))
    # Cancelled, it frees its time like any event.
    cancel_event(session, event_id=room.id, version=room.version, reason="отменено")
    book_event(session, request=group)


@pytest.mark.parametrize("field", ["case_ids", "volunteer_ids", "open_slots", "programme_id"])
def test_a_block_takes_no_cases_volunteers_or_programme(
    session: Session, world: World, field: str
) -> None:
    values: dict[str, object] = {
        "case_ids": (world.case,),
        "volunteer_ids": (world.volunteer,),
        "open_slots": 2,
        "programme_id": 1,
    }
    given = {field: values[field]}
    with pytest.raises(BadInputError, match=r"Busy time|Заето"):
        book_event(
            session, request=_block(world, "09:00", "10:00", staff_ids=(world.staff,), **given)
        )


def test_a_block_is_never_joined_held_or_given_places(session: Session, world: World) -> None:
    block = book_event(session, request=_block(world, "09:00", "10:00", staff_ids=(world.staff,)))
    with pytest.raises(RefusedError):
        join_session(session, event_id=block.id, case_id=world.case)
    with pytest.raises(RefusedError):
        mark_held(session, event_id=block.id, version=block.version)
    with pytest.raises(RefusedError):
        set_open_places(session, event_id=block.id, version=block.version, count=1)
    assert _kind(session, block.id) == "block"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE event SET status = 'held' WHERE id = :e",
        "INSERT INTO event_case (event_id, centre_id, during, event_status, case_id)"
        " SELECT id, centre_id, during, status, :k FROM event WHERE id = :e",
    ],
)
def test_the_database_keeps_a_block_busy_time(
    session: Session, world: World, statement: str
) -> None:
    block = book_event(session, request=_block(world, "09:00", "10:00", staff_ids=(world.staff,)))
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError, match="ck_event_block_is_busy_time"):
        session.execute(text(statement), {"e": block.id, "k": world.case})
    savepoint.rollback()


def _on(day: int, hhmm: str) -> datetime:
    return at(hhmm, date(2026, 11, day))


def test_blocks_in_the_month_change_no_figure_of_the_report(session: Session) -> None:
    ids = build_month(session)
    centre = int(
        session.execute(
            text("SELECT centre_id FROM case_file WHERE id = :i"), {"i": ids["t3"]}
        ).scalar_one()
    )
    before = month_report(session, centre_id=centre, year=2026, month=11, today=TODAY)
    room = session.execute(
        text("SELECT room_id FROM event WHERE id = :e"), {"e": ids["E3"]}
    ).scalar_one()

    # Anna's dentist from her phone, a room being painted typed by hand, and Boris's court
    # hearing cancelled with a reason: none is the centre's work.
    import_busy(
        session,
        centre_id=centre,
        target="staff",
        target_id=ids["anna"],
        busy=[
            Busy("dentist", "", "Зъболекар", _on(16, "08:00"), _on(16, "09:00")),
            Busy("leave", "", "Отпуска", _on(17, "09:00"), _on(17, "17:00")),
        ],
        write=True,
    )
    book_event(
        session,
        request=BookingRequest(
            centre_id=centre,
            title="Боядисване",
            start=at("08:00", date(2026, 11, 18)),
            end=at("12:00", date(2026, 11, 18)),
            kind=EventKind.BLOCK,
            room_id=int(room),
        ),
    )
    court = book_event(
        session,
        request=BookingRequest(
            centre_id=centre,
            title="Съдебно заседание",
            start=at("13:00", date(2026, 11, 18)),
            end=at("15:00", date(2026, 11, 18)),
            kind=EventKind.BLOCK,
            staff_ids=(ids["boris"],),
        ),
    )
    cancel_event(session, event_id=court.id, version=court.version, reason="отложено")
    blocks = session.execute(text("SELECT count(*) FROM event WHERE kind = 'block'")).scalar_one()
    assert blocks == 4
    after = month_report(session, centre_id=centre, year=2026, month=11, today=TODAY)
    assert after == before
    assert render_text(after) == render_text(before)
    assert render_csv(after) == render_csv(before)
